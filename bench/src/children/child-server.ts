/**
 * The loop every JavaScript contender process runs: read one request per stdin line, run its handler,
 * answer on stdout behind {@link REPLY_MARKER}. Requests are handled strictly one at a time.
 */
import { createInterface } from 'node:readline';
import { type MemorySnapshot, REPLY_MARKER, type Reply, type Request } from '../protocol.ts';

/** A handler per op; an op without a handler answers with an error. */
export type Handlers = {
  [K in Request['op']]?: (req: Extract<Request, { op: K }>) => unknown | Promise<unknown>;
};

function reply(r: Reply): void {
  process.stdout.write(`${REPLY_MARKER}${JSON.stringify(r)}\n`);
}

/** Serves `handlers` until stdin closes or a `quit` request arrives. */
export async function serve(handlers: Handlers): Promise<void> {
  const rl = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of rl) {
    if (line.trim() === '') continue;
    let req: Request;
    try {
      req = JSON.parse(line) as Request;
    } catch (e) {
      reply({ ok: false, error: `bad request line: ${String(e)}` });
      continue;
    }
    if (req.op === 'quit') {
      reply({ ok: true, result: null });
      break;
    }
    const h = handlers[req.op] as ((r: Request) => unknown) | undefined;
    if (!h) {
      reply({ ok: false, error: `op ${req.op} not supported by this contender` });
      continue;
    }
    try {
      reply({ ok: true, result: (await h(req)) ?? null });
    } catch (e) {
      reply({ ok: false, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
    }
  }
  rl.close();
  process.exit(0);
}

/** Node's memory counters, optionally after a full GC (needs `--expose-gc`). */
export function nodeMemory(gc: boolean): MemorySnapshot {
  const g = (globalThis as { gc?: () => void }).gc;
  if (gc && g) g();
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external };
}

/** Field-wise maximum of two snapshots. */
export function maxMemory(a: MemorySnapshot, b: MemorySnapshot): MemorySnapshot {
  const out: MemorySnapshot = { rss: Math.max(a.rss, b.rss) };
  for (const key of ['heapUsed', 'external', 'wasmMemory', 'wasmTensors'] as const) {
    const x = a[key];
    const y = b[key];
    if (x !== undefined || y !== undefined) out[key] = Math.max(x ?? 0, y ?? 0);
  }
  return out;
}

/** Fills `arr` with a cheap deterministic pattern in [-0.5, 0.5) (timings do not depend on values). */
export function fillPattern(arr: Float32Array | number[], seed: number): void {
  let s = seed >>> 0 || 1;
  for (let i = 0; i < arr.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    arr[i] = (s >>> 0) / 4294967296 - 0.5;
  }
}

/** CPU seconds (user + system, all threads) this process has used. */
export function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Repeats `fn` until `minSeconds` have passed (at least once); returns calls, wall and CPU seconds. */
export async function timeRepeated(
  fn: () => void | Promise<void>,
  minSeconds: number,
): Promise<{ calls: number; seconds: number; cpuSeconds: number }> {
  let calls = 0;
  const c0 = cpuSeconds();
  const t0 = performance.now();
  let elapsed = 0;
  do {
    await fn();
    calls++;
    elapsed = (performance.now() - t0) / 1000;
  } while (elapsed < minSeconds);
  return { calls, seconds: elapsed, cpuSeconds: cpuSeconds() - c0 };
}
