/**
 * Worker threads that run parts of a kernel on the same shared WebAssembly.Memory (Node's
 * worker_threads; browsers are single-threaded for now, see backend.ts).
 *
 * Hand-off is a control block of Int32 slots in a SharedArrayBuffer, one slot per worker:
 * `[seq, done, op, error, args...]`. The caller writes the arguments, bumps `seq` and notifies; the worker
 * runs the op and stores `seq` into `done`. Both sides spin briefly before blocking in `Atomics.wait`,
 * because a blocking round trip costs ~45 µs on a small VM and a training step has a hundred hand-offs,
 * while a spin answers in well under a microsecond. Workers are unref'd: they never keep the process
 * alive, and `dispose()` ends them.
 */
import type { KernelModule } from './wasm-module.ts';

/**
 * The exports a worker can run, by operation code (index + 1; 0 means quit). Arguments are int32
 * (pointers and sizes), at most {@link MAX_ARGS}.
 */
export const workerOps = [
  'gemm_nn_tn',
  'gemm_nt',
  'gemm_packed',
  'lstm_forward',
  'lstm_step',
  'lstm_backward',
  'gru_forward',
  'gru_backward',
  'tanh_f32',
  'sigmoid_f32',
] as const;

/** A kernel export a worker can run. */
export type WorkerOp = (typeof workerOps)[number];

/** Most int32 arguments one operation takes. */
export const MAX_ARGS = 14;

const SLOT = 32;
const SEQ = 0;
const DONE = 1;
const OP = 2;
const ERROR = 3;
/** Index of the first argument in a slot. */
const ARGS = 4;

/**
 * Runs in each worker: plain JavaScript, evaluated by worker_threads as CommonJS (or as a module when
 * the parent's flags say so, hence the fallback to getBuiltinModule).
 */
const workerSource = `
const { workerData, parentPort } = typeof require === 'function'
  ? require('node:worker_threads')
  : process.getBuiltinModule('node:worker_threads');
const { module, memory, control, index, spinMs, errorPort } = workerData;
const x = new WebAssembly.Instance(module, { env: { memory } }).exports;
const fns = ${JSON.stringify(workerOps)}.map((name) => x[name]);
const ctl = new Int32Array(control);
const base = index * ${SLOT};
const a = base + ${ARGS};
let seen = 0;
parentPort.postMessage('ready');
for (;;) {
  let s = Atomics.load(ctl, base + ${SEQ});
  if (s === seen) {
    const until = performance.now() + spinMs;
    for (let i = 1; ; i++) {
      s = Atomics.load(ctl, base + ${SEQ});
      if (s !== seen) break;
      if ((i & 1023) === 0 && performance.now() > until) {
        Atomics.wait(ctl, base + ${SEQ}, seen);
      }
    }
  }
  seen = s;
  const op = ctl[base + ${OP}];
  if (op === 0) break;
  try {
    const fn = fns[op - 1];
    if (!fn) throw new Error('unknown op ' + op);
    // Extra arguments are ignored by a wasm export, so every op takes the same call.
    fn(ctl[a], ctl[a + 1], ctl[a + 2], ctl[a + 3], ctl[a + 4], ctl[a + 5], ctl[a + 6], ctl[a + 7],
      ctl[a + 8], ctl[a + 9], ctl[a + 10], ctl[a + 11], ctl[a + 12], ctl[a + 13]);
  } catch (e) {
    ctl[base + ${ERROR}] = 1;
    errorPort.postMessage(String(e && e.stack || e));
  }
  Atomics.store(ctl, base + ${DONE}, seen);
  Atomics.notify(ctl, base + ${DONE});
}
`;

/** Options of {@link createWorkerPool}. */
export interface WorkerPoolOptions {
  /** Number of workers (threads besides the caller's). */
  workers: number;
  /** How long each side spins before blocking, in microseconds. */
  spinMicros: number;
}

/** A started pool; `run` and `wait` are called from the thread that created it. */
export interface WorkerPool {
  readonly size: number;
  /** Starts export `op` with int32 `args` on worker `w` (0-based); returns at once. */
  start(w: number, op: WorkerOp, args: readonly number[]): void;
  /** Blocks until every started op has finished; throws if one failed. */
  wait(): void;
  /** Ends the workers (idempotent). */
  dispose(): void;
}

/**
 * Starts `workers` worker threads on `memory` with the compiled kernels module. Resolves once each has
 * instantiated the module. Node only (throws elsewhere).
 */
export async function createWorkerPool(
  kernel: KernelModule,
  memory: WebAssembly.Memory,
  opts: WorkerPoolOptions,
): Promise<WorkerPool> {
  // A computed specifier keeps browser bundlers from trying to resolve a Node built-in.
  const wt: typeof import('node:worker_threads') = await import(
    /* @vite-ignore */ `node:${'worker_threads'}`
  );
  const control = new SharedArrayBuffer(opts.workers * SLOT * 4);
  const ctl = new Int32Array(control);
  const seqs = new Int32Array(opts.workers);
  const started = new Uint8Array(opts.workers);
  const channels: import('node:worker_threads').MessagePort[] = [];
  const workers = await Promise.all(
    Array.from({ length: opts.workers }, (_, index) => {
      const { port1, port2 } = new wt.MessageChannel();
      port1.unref();
      channels.push(port1);
      const worker = new wt.Worker(workerSource, {
        eval: true,
        // The parent's Node flags (a loader, --input-type) mean nothing to this plain script; V8 flags
        // such as relaxed SIMD are process-wide and still apply.
        execArgv: [],
        workerData: {
          module: kernel.module,
          memory,
          control,
          index,
          spinMs: opts.spinMicros / 1000,
          errorPort: port2,
        },
        transferList: [port2],
      });
      return new Promise<import('node:worker_threads').Worker>((resolve, reject) => {
        worker.once('message', () => {
          worker.unref();
          resolve(worker);
        });
        worker.once('error', reject);
      });
    }),
  );
  let disposed = false;
  const opCodes = Object.fromEntries(workerOps.map((name, i) => [name, i + 1])) as Record<WorkerOp, number>;
  const spinMs = opts.spinMicros / 1000;

  return {
    size: opts.workers,
    start(w, op, args) {
      if (disposed) throw new Error('wasm kernels: the worker pool was disposed');
      const base = w * SLOT;
      ctl[base + OP] = opCodes[op];
      for (let i = 0; i < args.length; i++) ctl[base + ARGS + i] = args[i]!;
      const s = (seqs[w]! + 1) | 0;
      seqs[w] = s;
      started[w] = 1;
      Atomics.store(ctl, base + SEQ, s);
      Atomics.notify(ctl, base + SEQ);
    },
    wait() {
      let failed: string | null = null;
      for (let w = 0; w < opts.workers; w++) {
        if (!started[w]) continue;
        started[w] = 0;
        const base = w * SLOT;
        const s = seqs[w]!;
        let d = Atomics.load(ctl, base + DONE);
        if (d !== s) {
          const until = performance.now() + spinMs;
          for (let i = 1; d !== s; i++) {
            if ((i & 1023) === 0 && performance.now() > until) Atomics.wait(ctl, base + DONE, d, 1000);
            d = Atomics.load(ctl, base + DONE);
          }
        }
        if (ctl[base + ERROR]) {
          ctl[base + ERROR] = 0;
          const port = channels[w];
          const msg = port ? wt.receiveMessageOnPort(port) : undefined;
          failed = `wasm kernels: worker ${w} failed: ${msg ? String(msg.message) : 'unknown error'}`;
        }
      }
      if (failed) throw new Error(failed);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (let w = 0; w < opts.workers; w++) {
        const base = w * SLOT;
        ctl[base + OP] = 0;
        Atomics.store(ctl, base + SEQ, (seqs[w]! + 1) | 0);
        Atomics.notify(ctl, base + SEQ);
      }
      for (const worker of workers) void worker.terminate();
      for (const p of channels) p.close();
    },
  };
}
