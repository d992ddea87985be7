/**
 * `pnpm bench profile [--cell lstm|gru] [--backend wasm]`: profiles our training/inference steps (V8's
 * sampling profiler, main thread, after warm-up) and prints where the time goes: per category (wasm
 * kernels, JS by file, GC), wasm time per calling kernel method, and the top functions by self time.
 * For the kernel engineer; not part of a normal run. (Under wasm-threads the GEMM workers' share is not
 * in the main thread's profile; profile `--backend wasm` to see the whole step.)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmtNum, markdownTable } from '../table.ts';

/** The parts of a V8 `.cpuprofile` we read. */
export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time of one function, ms, and its share of the sampled time. */
export interface ProfileEntry {
  name: string;
  where: string;
  category: string;
  selfMs: number;
  share: number;
}

function categoryOf(name: string, url: string): string {
  if (name === '(garbage collector)') return 'GC';
  if (name === '(program)' || name === '(idle)' || name === '(root)') return name;
  if (url === '' && /^(wasm-function|\$|js-to-wasm|wasm-to-js)/.test(name)) return 'wasm';
  if (url.startsWith('wasm://')) return 'wasm';
  if (url === '') return 'native / builtins';
  const m = /\/(packages\/[^/]+\/src\/.*|bench\/src\/.*|node_modules\/.*?\/[^/]+)$/.exec(url);
  return m ? m[1]!.replace(/^packages\//, '') : url.replace(/^.*\//, '');
}

/** Reads an unsigned LEB128 at `pos`; returns [value, next position]. */
function leb(bytes: Uint8Array, pos: number): [number, number] {
  let result = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[pos++]!;
    result += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return [result, pos];
    shift += 7;
  }
}

/**
 * Function index -> export name, from a module's import and export sections (the kernels are built
 * without a name section, so profiles say `wasm-function[N]`).
 */
export function wasmExportNames(bytes: Uint8Array): Map<number, string> {
  const names = new Map<number, string>();
  let pos = 8;
  const text = new TextDecoder();
  while (pos < bytes.length) {
    const id = bytes[pos++]!;
    let size: number;
    [size, pos] = leb(bytes, pos);
    const end = pos + size;
    if (id === 2 || id === 7) {
      let count: number;
      let p = pos;
      [count, p] = leb(bytes, p);
      for (let i = 0; i < count; i++) {
        let len: number;
        if (id === 2) {
          [len, p] = leb(bytes, p); // module name
          p += len;
        }
        [len, p] = leb(bytes, p);
        const name = text.decode(bytes.subarray(p, p + len));
        p += len;
        const kind = bytes[p++]!;
        if (id === 7) {
          let index: number;
          [index, p] = leb(bytes, p);
          if (kind === 0) names.set(index, name);
        } else if (kind === 0) {
          [, p] = leb(bytes, p); // type index (export indices already count imports: one index space)
        } else if (kind === 1) {
          p += 1; // reftype
          const flags = bytes[p++]!;
          [, p] = leb(bytes, p);
          if (flags & 1) [, p] = leb(bytes, p);
        } else if (kind === 2) {
          const flags = bytes[p++]!;
          [, p] = leb(bytes, p);
          if (flags & 1) [, p] = leb(bytes, p);
        } else if (kind === 3) {
          p += 2; // valtype, mutability
        }
      }
    }
    pos = end;
  }
  return names;
}

/** Export names of our kernels module, read from the generated source (dev tool; empty if absent). */
function kernelExportNames(): Map<number, string> {
  try {
    const src = readFileSync(
      fileURLToPath(new URL('../../../packages/core/src/kernels/wasm/kernels-wasm.ts', import.meta.url)),
      'utf8',
    );
    const m = /relaxedShared:\s*'([A-Za-z0-9+/=]+)'/.exec(src) ?? /:\s*'([A-Za-z0-9+/=]{100,})'/.exec(src);
    return m ? wasmExportNames(new Uint8Array(Buffer.from(m[1]!, 'base64'))) : new Map();
  } catch {
    return new Map();
  }
}

/** Self time per function (descending), per category, and wasm time per calling kernel method, from one profile. */
export function summarizeProfile(
  p: CpuProfile,
  wasmNames: ReadonlyMap<number, string> = new Map(),
): {
  entries: ProfileEntry[];
  categories: ProfileEntry[];
  wasmCallers: ProfileEntry[];
  totalMs: number;
} {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  /** Nearest ancestor frame whose url matches `re` (function name), or `?`. */
  const ancestor = (id: number, re: RegExp): string => {
    for (let a = parent.get(id); a !== undefined; a = parent.get(a)) {
      const f = byId.get(a)!.callFrame;
      if (re.test(f.url) && f.functionName) return f.functionName;
    }
    return '?';
  };
  const self = new Map<string, ProfileEntry>();
  const cats = new Map<string, ProfileEntry>();
  const callers = new Map<string, ProfileEntry>();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const node = byId.get(p.samples[i]!);
    const dt = (p.timeDeltas[i] ?? 0) / 1000;
    if (!node) continue;
    const { functionName, url } = node.callFrame;
    if (functionName === '(idle)') continue;
    total += dt;
    const idx = /^wasm-function\[(\d+)\]$/.exec(functionName);
    const exported = idx ? wasmNames.get(Number(idx[1])) : undefined;
    const name = exported ? `${functionName} ${exported}` : functionName || '(anonymous)';
    const category = categoryOf(name, url);
    // tsx's transpiled modules report line 1 for everything, so the file is all we show.
    const where = url.replace(/^.*\/(packages|bench)\//, '$1/').replace(/^file:\/\/.*\/node_modules\//, '');
    if (category === 'wasm') {
      // The wasm entry point (the outermost wasm frame) names the kernel; the nearest layer frame the use.
      let entry = node.id;
      for (
        let a = parent.get(entry);
        a !== undefined && /^wasm-function/.test(byId.get(a)!.callFrame.functionName);
        a = parent.get(a)
      )
        entry = a;
      const e = /^wasm-function\[(\d+)\]$/.exec(byId.get(entry)!.callFrame.functionName);
      const entryName = byId.get(entry)!.callFrame.functionName;
      const kernel = entryName.startsWith('js-to-wasm')
        ? 'js→wasm call'
        : ((e && wasmNames.get(Number(e[1]))) ?? ancestor(node.id, /kernels\/wasm\//));
      const key = `${kernel} ← ${ancestor(node.id, /\/(layers|optim|losses|ops)\//)}`;
      const w = callers.get(key) ?? { name: key, where: '', category, selfMs: 0, share: 0 };
      w.selfMs += dt;
      callers.set(key, w);
    }
    const key = `${name}@${where}`;
    const e = self.get(key) ?? { name, where, category, selfMs: 0, share: 0 };
    e.selfMs += dt;
    self.set(key, e);
    const c = cats.get(category) ?? { name: category, where: '', category, selfMs: 0, share: 0 };
    c.selfMs += dt;
    cats.set(category, c);
  }
  const finish = (m: Map<string, ProfileEntry>) =>
    [...m.values()]
      .map((e) => ({ ...e, share: total > 0 ? e.selfMs / total : 0 }))
      .sort((a, b) => b.selfMs - a.selfMs);
  return { entries: finish(self), categories: finish(cats), wasmCallers: finish(callers), totalMs: total };
}

/** Runs the profile target and returns the report (markdown). */
export function runProfile(options: { backend: string; cell: string; steps: number }): string {
  const dir = mkdtempSync(join(tmpdir(), 'recurrent-prof-'));
  const file = join(dir, 'steps.cpuprofile');
  const target = fileURLToPath(new URL('../children/profile-target.ts', import.meta.url));
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      import.meta.resolve('tsx'),
      '--experimental-wasm-relaxed-simd',
      target,
      '--backend',
      options.backend,
      '--cell',
      options.cell,
      '--steps',
      String(options.steps),
      '--out',
      file,
    ],
    { encoding: 'utf8', stdio: ['ignore', 'inherit', 'pipe'] },
  );
  if (r.status !== 0) throw new Error(`profile target failed (${r.status}): ${r.stderr}`);
  const s = summarizeProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, kernelExportNames());
  rmSync(dir, { recursive: true, force: true });
  const pct = (e: ProfileEntry) => `${(e.share * 100).toFixed(1)}%`;
  return [
    options.cell === 'sample'
      ? `# Profile: batch-1 sampling on ${options.backend}, ${2 * options.steps * 100} characters (main thread, after warm-up)`
      : `# Profile: ${options.cell} on ${options.backend}, ${options.steps} training steps then ${options.steps} inference passes (main thread, after warm-up)`,
    '',
    r.stderr.trim(),
    '',
    `${fmtNum(s.totalMs)} ms sampled.`,
    '',
    markdownTable(
      [{ header: 'category' }, { header: 'self ms', align: 'right' }, { header: 'share', align: 'right' }],
      s.categories.slice(0, 12).map((c) => [c.name, fmtNum(c.selfMs), pct(c)]),
    ),
    '',
    'Wasm time by calling kernel method ← layer/optimizer function:',
    '',
    markdownTable(
      [
        { header: 'kernel ← caller' },
        { header: 'self ms', align: 'right' },
        { header: 'share', align: 'right' },
      ],
      s.wasmCallers.slice(0, 15).map((e) => [e.name, fmtNum(e.selfMs), pct(e)]),
    ),
    '',
    markdownTable(
      [
        { header: 'function' },
        { header: 'where' },
        { header: 'self ms', align: 'right' },
        { header: 'share', align: 'right' },
      ],
      s.entries.slice(0, 25).map((e) => [e.name, e.where, fmtNum(e.selfMs), pct(e)]),
    ),
    '',
  ].join('\n');
}
