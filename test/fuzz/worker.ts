/**
 * One fuzzing job in a worker thread: a range of one target's inputs. The index of the input in progress
 * is kept in shared memory, so the main thread can see a hang and name the input even while this thread
 * is stuck in it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { fuzzTarget } from './fuzz-target.ts';
import { fuzzTargets } from './targets.ts';

/** What the main thread sends. */
export interface FuzzJob {
  target: string;
  seed: number;
  from: number;
  count: number;
  capMs: number;
  /** Indices to leave out (they hung in an earlier worker). */
  skip: number[];
  /** [0]: index of the input in progress. */
  progress: SharedArrayBuffer;
}

const job = workerData as FuzzJob;
const progress = new Int32Array(job.progress);
const target = fuzzTargets().find((t) => t.name === job.target);
if (target === undefined) throw new Error(`unknown fuzz target ${job.target}`);
try {
  const seeds = await target.seeds();
  const stats = await fuzzTarget(target, seeds, {
    seed: job.seed,
    from: job.from,
    count: job.count,
    capMs: job.capMs,
    skip: job.skip,
    onInput: (i) => Atomics.store(progress, 0, i),
    onProgress: (stats, next) => parentPort?.postMessage({ snapshot: stats, next }),
  });
  parentPort?.postMessage({ stats });
} finally {
  target.dispose?.();
}
