/**
 * Training checkpoints: one safetensors file holding the weights (`model/<name>`), the optimizer's
 * buffers (`optimizer/<param>/<buffer>`), the caller's carried tensors (`carried/<name>`) and, with
 * early stopping, the best weights (`best/<name>`); everything else (step, RNG states, data position,
 * optimizer step counts and hyper-parameters, loss history) is JSON in the `__metadata__`. Written
 * atomically, so a kill during a save leaves the previous checkpoint intact.
 */
import { FormatError } from '../errors.ts';
import type { Module } from '../module.ts';
import type { Optimizer, OptimizerStateDict, ParamState } from '../optim/optimizer.ts';
import type { RngState } from '../rng.ts';
import type { SafetensorsEntry } from '../safetensors.ts';
import { readSafetensorsFile, writeSafetensorsFile } from '../safetensors-file.ts';
import { Tensor } from '../tensor.ts';
import type { BatchSourceState } from './batch-source.ts';
import type { ValidationRecord } from './events.ts';

/** The format tag in a checkpoint's metadata. */
export const CHECKPOINT_FORMAT = 'recurrent-checkpoint/1';

/** The training loop's own state at a step boundary (plain JSON). */
export interface LoopState {
  /** Completed steps. */
  step: number;
  /** Wall time spent so far, in milliseconds. */
  elapsedMs: number;
  /** Loss of every completed step. */
  losses: number[];
  /** Every validation so far. */
  validations: ValidationRecord[];
  /** Best validation metric so far. */
  best: { step: number; value: number } | null;
  /** Validations since the best one (early stopping's counter). */
  sinceBest: number;
  /** Position of the batch source. */
  data: BatchSourceState;
  /** Every training RNG, by name. */
  rngs: Record<string, RngState>;
  /** The lr a schedule scales (the optimizer's lr when the run started). */
  baseLr: number;
}

/** A checkpoint as read back. */
export interface Checkpoint {
  weights: Map<string, Float32Array>;
  optimizer: OptimizerStateDict;
  carried: Record<string, Tensor>;
  best: Map<string, Float32Array> | null;
  loop: LoopState;
  /** The run's configuration tag ('' when none was given). */
  tag: string;
}

/** What {@link writeCheckpoint} saves. */
export interface CheckpointContent {
  model: Module;
  optimizer: Optimizer;
  carried: Record<string, Tensor>;
  best: Map<string, Float32Array> | null;
  loop: LoopState;
  tag: string;
}

/** Writes a checkpoint to `path` atomically (temp file + fsync + rename). */
export async function writeCheckpoint(path: string, c: CheckpointContent): Promise<void> {
  const tensors: [string, Tensor | SafetensorsEntry][] = [];
  const shapes = new Map<string, readonly number[]>();
  for (const [name, p] of c.model.parameters()) {
    tensors.push([`model/${name}`, p]);
    shapes.set(name, p.shape);
  }
  const opt = c.optimizer.stateDict();
  const steps: Record<string, number> = {};
  for (const [name, s] of Object.entries(opt.params)) {
    steps[name] = s.step;
    for (const [buf, data] of Object.entries(s.buffers)) {
      tensors.push([`optimizer/${name}/${buf}`, { dtype: 'F32', shape: [data.length], data }]);
    }
  }
  for (const [name, t] of Object.entries(c.carried)) tensors.push([`carried/${name}`, t]);
  if (c.best !== null) {
    for (const [name, data] of c.best) {
      tensors.push([`best/${name}`, { dtype: 'F32', shape: [...(shapes.get(name) ?? [data.length])], data }]);
    }
  }
  await writeSafetensorsFile(path, tensors, {
    format: CHECKPOINT_FORMAT,
    tag: c.tag,
    loop: JSON.stringify(c.loop),
    optimizer: JSON.stringify({ algorithm: opt.algorithm, hyper: opt.hyper, steps }),
  });
}

/** Reads a checkpoint; null when `path` does not exist, a FormatError when it is not a valid checkpoint. */
export async function readCheckpoint(path: string): Promise<Checkpoint | null> {
  let file: Awaited<ReturnType<typeof readSafetensorsFile>>;
  try {
    file = await readSafetensorsFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const { tensors, metadata } = file;
  if (metadata.format !== CHECKPOINT_FORMAT) {
    throw new FormatError(`checkpoint ${path} format`, `"${CHECKPOINT_FORMAT}"`, JSON.stringify(metadata.format ?? null));
  }
  const loop = parseJson(path, 'loop', metadata.loop) as LoopState;
  if (!(Number.isInteger(loop?.step) && Array.isArray(loop.losses) && typeof loop.rngs === 'object')) {
    throw new FormatError(`checkpoint ${path} loop state`, '{ step, losses, rngs, ... }', String(metadata.loop).slice(0, 60));
  }
  const opt = parseJson(path, 'optimizer', metadata.optimizer) as {
    algorithm: string;
    hyper: OptimizerStateDict['hyper'];
    steps: Record<string, number>;
  };
  const params: Record<string, ParamState> = {};
  for (const [name, step] of Object.entries(opt?.steps ?? {})) params[name] = { step, buffers: {} };
  const weights = new Map<string, Float32Array>();
  const best = new Map<string, Float32Array>();
  const carried: Record<string, Tensor> = {};
  for (const [key, entry] of tensors) {
    if (entry.dtype !== 'F32') throw new FormatError(`checkpoint ${path} tensor "${key}" dtype`, 'F32', entry.dtype);
    const slash = key.indexOf('/');
    const kind = key.slice(0, slash);
    const rest = key.slice(slash + 1);
    if (kind === 'model') weights.set(rest, entry.data);
    else if (kind === 'best') best.set(rest, entry.data);
    else if (kind === 'carried') carried[rest] = new Tensor(entry.data, entry.shape);
    else if (kind === 'optimizer') {
      const cut = rest.lastIndexOf('/');
      const s = params[rest.slice(0, cut)];
      if (s === undefined) throw new FormatError(`checkpoint ${path} tensor "${key}"`, 'a buffer of a listed parameter', 'unlisted');
      s.buffers[rest.slice(cut + 1)] = entry.data;
    } else {
      throw new FormatError(`checkpoint ${path} tensor "${key}"`, 'a name under model/, optimizer/, carried/ or best/', key);
    }
  }
  return {
    weights,
    optimizer: { algorithm: opt?.algorithm, hyper: opt?.hyper, params },
    carried,
    best: best.size > 0 ? best : null,
    loop,
    tag: metadata.tag ?? '',
  };
}

function parseJson(path: string, key: string, text: string | undefined): unknown {
  if (text === undefined) throw new FormatError(`checkpoint ${path} metadata "${key}"`, 'present', 'missing');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new FormatError(`checkpoint ${path} metadata "${key}"`, 'valid JSON', (e as Error).message);
  }
}
