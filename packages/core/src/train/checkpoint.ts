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
import { decodeSafetensors, type SafetensorsEntry, type SafetensorsFile } from '../safetensors.ts';
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
  let file: SafetensorsFile;
  try {
    file = await readSafetensorsFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return checkpointFromFile(file, path);
}

/**
 * Decodes checkpoint bytes (as {@link writeCheckpoint} writes them). Everything is validated, the JSON state
 * included, so what comes back can be restored without further checks beyond matching the model.
 * @throws FormatError naming `source` and what was wrong.
 */
export function decodeCheckpoint(bytes: Uint8Array, source = 'checkpoint'): Checkpoint {
  return checkpointFromFile(decodeSafetensors(bytes), source);
}

function checkpointFromFile(file: SafetensorsFile, path: string): Checkpoint {
  const { tensors, metadata } = file;
  if (metadata.format !== CHECKPOINT_FORMAT) {
    throw new FormatError(
      `checkpoint ${path} format`,
      `"${CHECKPOINT_FORMAT}"`,
      JSON.stringify(metadata.format ?? null),
    );
  }
  const loop = parseJson(path, 'loop', metadata.loop) as LoopState;
  checkLoopState(path, loop, metadata.loop ?? '');
  const opt = parseJson(path, 'optimizer', metadata.optimizer) as {
    algorithm: string;
    hyper: OptimizerStateDict['hyper'];
    steps: Record<string, number>;
  };
  if (!isObject(opt) || !isObject(opt.steps ?? {}) || !isObject(opt.hyper ?? {})) {
    throw new FormatError(
      `checkpoint ${path} optimizer state`,
      '{ algorithm, hyper, steps }',
      String(metadata.optimizer).slice(0, 60),
    );
  }
  // A null-prototype record: a parameter named "__proto__" stays a key, never the prototype.
  const params: Record<string, ParamState> = Object.create(null);
  for (const [name, step] of Object.entries(opt.steps ?? {})) {
    if (!(Number.isInteger(step) && step >= 0)) {
      throw new FormatError(
        `checkpoint ${path} optimizer step of "${name}"`,
        'a non-negative integer',
        JSON.stringify(step) ?? 'nothing',
      );
    }
    params[name] = { step, buffers: Object.create(null) };
  }
  const weights = new Map<string, Float32Array>();
  const best = new Map<string, Float32Array>();
  const carried: Record<string, Tensor> = Object.create(null);
  for (const [key, entry] of tensors) {
    if (entry.dtype !== 'F32')
      throw new FormatError(`checkpoint ${path} tensor "${key}" dtype`, 'F32', entry.dtype);
    const slash = key.indexOf('/');
    const kind = key.slice(0, slash);
    const rest = key.slice(slash + 1);
    if (kind === 'model') weights.set(rest, entry.data);
    else if (kind === 'best') best.set(rest, entry.data);
    else if (kind === 'carried') carried[rest] = new Tensor(entry.data, entry.shape);
    else if (kind === 'optimizer') {
      const cut = rest.lastIndexOf('/');
      const s = params[rest.slice(0, cut)];
      if (s === undefined)
        throw new FormatError(
          `checkpoint ${path} tensor "${key}"`,
          'a buffer of a listed parameter',
          'unlisted',
        );
      s.buffers[rest.slice(cut + 1)] = entry.data;
    } else {
      throw new FormatError(
        `checkpoint ${path} tensor "${key}"`,
        'a name under model/, optimizer/, carried/ or best/',
        key,
      );
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

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const isCount = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 0;
const isUint32 = (v: unknown): boolean =>
  Number.isInteger(v) && (v as number) >= 0 && (v as number) < 2 ** 32;

/** Checks every field of a stored {@link LoopState}, so that restoring it cannot throw anything but our errors. */
function checkLoopState(path: string, loop: LoopState, raw: string): void {
  const bad = (field: string, expected: string): never => {
    throw new FormatError(
      `checkpoint ${path} loop state${field ? ` ${field}` : ''}`,
      expected,
      raw.slice(0, 60),
    );
  };
  if (!isObject(loop)) bad('', '{ step, losses, rngs, ... }');
  if (!isCount(loop.step)) bad('step', 'a non-negative integer');
  if (!(typeof loop.elapsedMs === 'number' && loop.elapsedMs >= 0)) bad('elapsedMs', 'a number >= 0');
  if (!(Array.isArray(loop.losses) && loop.losses.every((v) => typeof v === 'number')))
    bad('losses', 'an array of numbers');
  const metricsOk = (m: unknown): boolean =>
    isObject(m) && Object.values(m).every((v) => typeof v === 'number');
  if (
    !(
      Array.isArray(loop.validations) &&
      loop.validations.every((v) => isObject(v) && isCount(v.step) && metricsOk(v.metrics))
    )
  ) {
    bad('validations', 'an array of { step, metrics }');
  }
  if (
    !(
      loop.best === null ||
      (isObject(loop.best) && isCount(loop.best.step) && typeof loop.best.value === 'number')
    )
  ) {
    bad('best', 'null or { step, value }');
  }
  if (!isCount(loop.sinceBest)) bad('sinceBest', 'a non-negative integer');
  if (!(isObject(loop.data) && isCount(loop.data.epoch) && isCount(loop.data.index)))
    bad('data', '{ epoch, index }');
  if (!isObject(loop.rngs)) bad('rngs', 'an object of RNG states');
  for (const r of Object.values(loop.rngs)) {
    const ok =
      isObject(r) &&
      Array.isArray(r.s) &&
      r.s.length === 4 &&
      r.s.every(isUint32) &&
      r.s.some((v) => v !== 0) &&
      (r.spare === null || typeof r.spare === 'number');
    if (!ok) bad('rngs', '{ s: four 32-bit words, not all zero, spare: number | null }');
  }
  if (!(typeof loop.baseLr === 'number' && Number.isFinite(loop.baseLr))) bad('baseLr', 'a finite number');
}
