/**
 * Batch-1 sampling from a char LM (embedding -> 1-layer LSTM -> linear over ~100 characters -> one
 * categorical draw), one character at a time with the state carried: microseconds per character.
 */
import type { ContenderId } from '../contenders.ts';
import { type Plan, sampleConfig } from '../plan.ts';
import type { SampleReply } from '../protocol.ts';
import type { SampleResult } from '../results.ts';
import { log, type Session } from '../session.ts';
import { measured, setRound } from '../stats.ts';
import { ratiosOf } from './gemm.ts';

/** Contenders of the sampling section. */
export function sampleContenders(): ContenderId[] {
  return ['ours-wasm1', 'ours-wasm2', 'ours-js', 'torch-1', 'torch-2', 'tfjs-wasm', 'brain'];
}

/** Sizes each contender's rounds from a probe, then measures µs/char in interleaved rounds. */
export async function runSample(session: Session, plan: Plan): Promise<SampleResult> {
  const chars: Record<string, number> = {};
  for (const id of session.available(sampleContenders())) {
    try {
      await session.request(id, { op: 'sampleSetup', config: sampleConfig });
      await session.request<SampleReply>(id, { op: 'sample', chars: 20 }); // warm-up
      const probe = await session.request<SampleReply>(id, { op: 'sample', chars: 50 });
      const perChar = probe.seconds / probe.chars;
      chars[id] = Math.max(20, Math.min(20000, Math.round(plan.sampleSeconds / perChar)));
    } catch (e) {
      log(`  ${id}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const ids = Object.keys(chars);
  log(`sample: ${plan.sampleRounds} rounds of ${ids.join(', ')}`);
  const cpu: Record<string, (number | undefined)[]> = {};
  const rates = await session.rounds(ids, plan.sampleRounds, async (id, round) => {
    const r = await session.request<SampleReply>(id, { op: 'sample', chars: chars[id]! });
    if (r.cpuSeconds) setRound(cpu, id, round, (r.cpuSeconds / r.chars) * 1e6);
    return r.chars / r.seconds; // chars per second
  });
  const cpuUsPerChar = Object.fromEntries(Object.entries(cpu).map(([id, v]) => [id, measured(v)]));
  const usPerChar = Object.fromEntries(
    Object.entries(rates).map(([id, v]) => [
      id,
      measured(v.map((x) => (x === undefined ? undefined : 1e6 / x))),
    ]),
  );
  log(
    `  µs/char: ${Object.entries(usPerChar)
      .map(([id, m]) => `${id} ${m.median.toFixed(1)}`)
      .join(', ')}`,
  );
  const ours = ['ours-wasm1', 'ours-wasm2'].filter((id) => usPerChar[id]);
  const best = ours.length
    ? ours.reduce((a, b) => (usPerChar[a]!.median <= usPerChar[b]!.median ? a : b))
    : null;
  const pairs: [string, string][] = best
    ? [
        ['ours-wasm2', 'ours-wasm1'],
        ...['torch-1', 'torch-2', 'tfjs-wasm', 'brain', 'ours-js'].map((p): [string, string] => [best, p]),
      ]
    : [];
  return { config: sampleConfig, usPerChar, cpuUsPerChar, ratios: ratiosOf(rates, pairs) };
}
