/**
 * The markdown report (bench/results/latest.md, also printed): one table per section, every number a
 * median of interleaved rounds, every ratio a median of same-round ratios.
 */
import type { BenchResults, MemoryResult, Ratio, RecurrentResult } from './results.ts';
import type { Measured } from './stats.ts';
import { fmtMiB, fmtNum, fmtRatio, markdownTable } from './table.ts';

type Labels = Record<string, string>;

const cpuNote =
  "Per CPU-second columns divide by the CPU time of the contender's whole process (all threads): on a loaded host they move far less than wall-clock rates, but they show no parallel speedup (2 threads cost 2 CPU-seconds per second).";

function spread(m: Measured | undefined): string {
  const xs = (m?.rounds ?? []).filter((x): x is number => x !== undefined && Number.isFinite(x));
  if (xs.length < 2) return '';
  return ` (${fmtNum(Math.min(...xs))}–${fmtNum(Math.max(...xs))})`;
}

function ratioRange(r: Ratio): string {
  return r.ratios.length < 2
    ? `${r.ratios.length} round`
    : `${r.ratios.length} rounds, ${fmtNum(Math.min(...r.ratios))}–${fmtNum(Math.max(...r.ratios))}`;
}

function ratioTable(rows: { what: string; r: Ratio }[], labels: Labels): string {
  return markdownTable(
    [
      { header: 'ratio (rate a / rate b)' },
      { header: 'median', align: 'right' },
      { header: 'per-round spread' },
    ],
    rows.map(({ what, r }) => [
      `${what}${labels[r.a] ?? r.a} / ${labels[r.b] ?? r.b}`,
      fmtRatio(r.median),
      ratioRange(r),
    ]),
  );
}

function memoryTable(mem: Record<string, MemoryResult>, labels: Labels): string {
  const verdict = (g: { growth: number; grew: boolean }) =>
    `${g.grew ? 'GREW' : 'flat'} (${g.growth >= 0 ? '+' : ''}${fmtMiB(g.growth)})`;
  return markdownTable(
    [
      { header: 'backend' },
      { header: 'steps', align: 'right' },
      { header: 'peak RSS', align: 'right' },
      { header: 'peak JS heap', align: 'right' },
      { header: 'wasm memory', align: 'right' },
      { header: 'heap after GC, first → last' },
      { header: 'RSS after GC' },
      { header: 'wasm tensors' },
    ],
    Object.entries(mem).map(([id, m]) => [
      labels[id] ?? id,
      String(m.steps),
      fmtMiB(m.peak.rss),
      fmtMiB(m.peak.heapUsed),
      fmtMiB(m.peak.wasmMemory),
      `${fmtMiB(m.heapSamples[0])} → ${fmtMiB(m.heapSamples[m.heapSamples.length - 1])}: ${verdict(m.heap)}`,
      verdict(m.rss),
      verdict(m.wasmTensors),
    ]),
  );
}

function recurrentSection(r: RecurrentResult, labels: Labels, threads: Record<string, number>): string {
  const c = r.config;
  const tokensPerBatch = c.batch * c.seq;
  const ms = (m: Measured | undefined) =>
    m && Number.isFinite(m.median) ? (tokensPerBatch / m.median) * 1000 : undefined;
  const rows = Object.entries(r.contenders).map(([id, x]) => [
    `${labels[id] ?? id}${id === r.best ? ' (ours, fastest)' : ''}${x.extrapolated ? ' †' : ''}`,
    String(threads[id] ?? ''),
    `${fmtNum(x.train?.median)}${spread(x.train)}`,
    fmtNum(ms(x.train)),
    `${fmtNum(x.infer?.median)}${spread(x.infer)}`,
    fmtNum(ms(x.infer)),
    fmtNum(x.trainPerCpuSecond?.median),
    fmtNum(x.inferPerCpuSecond?.median),
    fmtMiB(x.peakRss),
  ]);
  const notes = Object.entries(r.contenders)
    .filter(([, x]) => x.extrapolated)
    .map(([id, x]) => `† ${labels[id] ?? id}: ${x.extrapolated}.`);
  notes.push(cpuNote);
  const name = r.cell.toUpperCase();
  return [
    `## ${name}: input ${c.input}, hidden ${c.hidden}, batch ${c.batch}, sequence ${c.seq}, ${c.optimizer.toUpperCase()} (tokens/s, median of rounds; range in parentheses)`,
    '',
    markdownTable(
      [
        { header: 'contender' },
        { header: 'threads', align: 'right' },
        { header: 'train tok/s', align: 'right' },
        { header: 'train ms/batch', align: 'right' },
        { header: 'infer tok/s', align: 'right' },
        { header: 'infer ms/batch', align: 'right' },
        { header: 'train tok/CPU-s', align: 'right' },
        { header: 'infer tok/CPU-s', align: 'right' },
        { header: 'peak RSS', align: 'right' },
      ],
      rows,
    ),
    ...(notes.length ? ['', ...notes] : []),
    '',
    ratioTable(
      [
        ...r.ratios.train.map((x) => ({ what: 'train: ', r: x })),
        ...r.ratios.infer.map((x) => ({ what: 'infer: ', r: x })),
        ...(r.cpuRatios?.train ?? []).map((x) => ({ what: 'train per CPU-s: ', r: x })),
        ...(r.cpuRatios?.infer ?? []).map((x) => ({ what: 'infer per CPU-s: ', r: x })),
      ],
      labels,
    ),
    ...(Object.keys(r.memory).length
      ? [
          '',
          `Training memory (${name}; post-GC samples after warm-up and after each round):`,
          '',
          memoryTable(r.memory, labels),
        ]
      : []),
    '',
  ].join('\n');
}

/** The whole report. */
export function renderReport(r: BenchResults): string {
  const labels: Labels = Object.fromEntries(r.peers.map((p) => [p.id, p.short]));
  const threads: Record<string, number> = Object.fromEntries(r.peers.map((p) => [p.id, p.threads]));
  const out: string[] = [
    `# recurrent bench, ${r.finishedAt}`,
    '',
    `\`${r.command}\`${r.quick ? ' (quick: short rounds, for smoke runs only)' : ''}. Host: ${r.host.cpus} × ${r.host.cpuModel}, Node ${r.host.node}, load average ${r.host.loadAvgStart.map((x) => x.toFixed(1)).join('/')} at start, ${r.host.loadAvgEnd.map((x) => x.toFixed(1)).join('/')} at end. Contenders run one at a time in interleaved rounds (order rotated each round); ratios are medians of same-round ratios.`,
    '',
    '## Compared against',
    '',
    ...r.peers.map((p) =>
      p.available
        ? `- **${p.short}** = ${p.label}: ${p.version}, ${p.threads} thread(s)${p.notes ? `; ${p.notes}` : ''}`
        : `- **${p.short}** = ${p.label}: not installed / not available (${p.reason ?? 'unknown'})`,
    ),
    '',
  ];
  if (r.gemm) {
    const ids = [...new Set(r.gemm.rows.flatMap((row) => Object.keys(row.gflops)))];
    const ratioCols: [string, string, string][] = [
      ['ours-wasm2', 'ours-wasm1', 'ours 2T/1T'],
      ['ours-wasm1', 'torch-1', 'ours 1T/torch 1T'],
      ['ours-wasm2', 'torch-2', 'ours 2T/torch 2T'],
      ['ours-wasm1', 'tfjs-wasm', 'ours 1T/TF.js wasm'],
    ];
    out.push(
      '## GEMM, GFLOP/s (median of rounds)',
      '',
      markdownTable(
        [
          { header: 'shape' },
          { header: 'form' },
          { header: 'm×n×k' },
          ...ids.map((id) => ({ header: labels[id] ?? id, align: 'right' as const })),
          ...ratioCols.map(([, , h]) => ({ header: h, align: 'right' as const })),
        ],
        r.gemm.rows.map((row) => [
          row.name,
          row.form,
          `${row.m}×${row.n}×${row.k}`,
          ...ids.map((id) => fmtNum(row.gflops[id]?.median)),
          ...ratioCols.map(([a, b]) => fmtRatio(row.ratios.find((x) => x.a === a && x.b === b)?.median)),
        ]),
      ),
      '',
    );
    const ceilingIds = [...new Set(r.gemm.rows.flatMap((row) => Object.keys(row.ceiling ?? {})))];
    if (ceilingIds.length > 0) {
      out.push(
        "Our one-thread products against the engine's multiply-add ceiling, measured right after each product in the same round (twelve independent 4-lane FMA chains, nothing loaded from memory: no product on this core can run faster):",
        '',
        markdownTable(
          [
            { header: 'shape' },
            ...ceilingIds.flatMap((id) => [
              { header: `${labels[id] ?? id}: ceiling GFLOP/s`, align: 'right' as const },
              { header: 'product / ceiling', align: 'right' as const },
            ]),
          ],
          r.gemm.rows.map((row) => [
            row.name,
            ...ceilingIds.flatMap((id) => {
              const c = row.ceiling?.[id];
              return [fmtNum(c?.gflops.median), c ? `${(c.share.median * 100).toFixed(0)} %` : '—'];
            }),
          ]),
        ),
        '',
      );
    }
    if (r.gemm.rows.some((row) => Object.keys(row.gflopsPerCpuSecond ?? {}).length > 0)) {
      out.push(
        'GFLOP per CPU-second (same rounds):',
        '',
        markdownTable(
          [{ header: 'shape' }, ...ids.map((id) => ({ header: labels[id] ?? id, align: 'right' as const }))],
          r.gemm.rows.map((row) => [
            row.name,
            ...ids.map((id) => fmtNum(row.gflopsPerCpuSecond?.[id]?.median)),
          ]),
        ),
        '',
        cpuNote,
        '',
      );
    }
  }
  if (r.lstm) out.push(recurrentSection(r.lstm, labels, threads));
  if (r.gru) out.push(recurrentSection(r.gru, labels, threads));
  if (r.sample) {
    const s = r.sample;
    out.push(
      `## Sampling: batch 1, char LM (embedding ${s.config.embed} -> LSTM ${s.config.hidden} -> linear over ${s.config.vocab}), µs per character`,
      '',
      markdownTable(
        [
          { header: 'contender' },
          { header: 'µs/char', align: 'right' },
          { header: 'chars/s', align: 'right' },
          { header: 'CPU µs/char', align: 'right' },
        ],
        Object.entries(s.usPerChar).map(([id, m]) => [
          labels[id] ?? id,
          `${fmtNum(m.median)}${spread(m)}`,
          fmtNum(1e6 / m.median),
          fmtNum(s.cpuUsPerChar?.[id]?.median),
        ]),
      ),
      '',
      ratioTable(
        s.ratios.map((x) => ({ what: '', r: x })),
        labels,
      ),
      '',
    );
  }
  if (r.tokenizers) {
    const t = r.tokenizers;
    out.push('## Tokenizers: our trainer vs spm_train', '');
    if (!t.available) out.push(`Not run: ${t.reason ?? 'unknown'}.`, '');
    else
      out.push(
        `From \`packages/tokenizers/scripts/${t.script}\`:`,
        '',
        '```',
        typeof t.report === 'string' ? t.report : JSON.stringify(t.report, null, 2),
        '```',
        '',
      );
  }
  if (r.targets.length) {
    out.push(
      '## Targets (issue 3)',
      '',
      markdownTable(
        [
          { header: 'target' },
          { header: 'measured', align: 'right' },
          { header: 'per CPU-second', align: 'right' },
          { header: 'needed', align: 'right' },
          { header: 'met' },
        ],
        r.targets.map((t) => [
          t.target,
          fmtNum(t.value ?? undefined),
          t.perCpuSecond === undefined ? '' : fmtNum(t.perCpuSecond),
          `${t.direction === 'atMost' ? '≤' : '≥'} ${fmtNum(t.threshold)}`,
          t.met === null ? 'not measured' : t.met ? 'yes' : 'NO',
        ]),
      ),
      '',
    );
  }
  return out.join('\n');
}
