import { FormatError, OptionError } from './errors.ts';
import {
  type DecodeSafetensorsOptions,
  decodeSafetensors,
  encodeSafetensors,
  type SafetensorsEntry,
  type SafetensorsFile,
} from './safetensors.ts';
import type { Tensor } from './tensor.ts';
import { writeFileAtomic } from './train/atomic-write.ts';

/**
 * Node.js file helpers for safetensors. Node's modules are fetched with `process.getBuiltinModule` at call
 * time rather than imported, so `@recurrent/core` still loads in a browser (where these throw).
 */

type Fs = typeof import('node:fs');
type Path = typeof import('node:path');

function node(): { fs: Fs; path: Path; pid: number } {
  const proc = (globalThis as { process?: NodeJS.Process }).process;
  if (typeof proc?.getBuiltinModule !== 'function') {
    throw new OptionError(
      'safetensors file helpers',
      'Node.js >= 20.16',
      'an environment without process.getBuiltinModule',
    );
  }
  return { fs: proc.getBuiltinModule('node:fs'), path: proc.getBuiltinModule('node:path'), pid: proc.pid };
}

let tmpCounter = 0;

/**
 * Writes `bytes` to `file` atomically: into a temporary file in the same directory, flushed to disk, then
 * renamed over `file`. A crash at any moment leaves either the old file or the new one, never a half-written
 * one (a stray `.<name>.<pid>.<n>.tmp` may remain after a crash; it is never read). The synchronous twin of
 * `writeFileAtomic` (train/atomic-write.ts), for callers that cannot await.
 */
export function writeFileAtomicSync(file: string, bytes: Uint8Array): void {
  const { fs, path, pid } = node();
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${pid}.s${tmpCounter++}.tmp`);
  let fd: number | null = null;
  try {
    fd = fs.openSync(tmp, 'wx');
    let off = 0;
    while (off < bytes.length) off += fs.writeSync(fd, bytes, off, bytes.length - off);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = null;
    fs.renameSync(tmp, file);
  } catch (e) {
    if (fd !== null) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  syncDir(fs, path.dirname(file));
}

/** Makes the rename itself durable; some platforms (Windows) cannot open a directory, which is harmless. */
function syncDir(fs: Fs, dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // best effort
  }
}

/** Encodes with {@link encodeSafetensors} and writes `file` atomically. */
export function writeSafetensorsFileSync(
  file: string,
  tensors: Iterable<readonly [string, Tensor | SafetensorsEntry]>,
  metadata: Record<string, string> = {},
): void {
  writeFileAtomicSync(file, encodeSafetensors(tensors, metadata));
}

/** Async {@link writeSafetensorsFileSync} (atomic through `writeFileAtomic`). */
export async function writeSafetensorsFile(
  file: string,
  tensors: Iterable<readonly [string, Tensor | SafetensorsEntry]>,
  metadata: Record<string, string> = {},
): Promise<void> {
  await writeFileAtomic(file, encodeSafetensors(tensors, metadata));
}

/** Reads and decodes a safetensors file; a malformed file is a FormatError naming `file`. */
export function readSafetensorsFileSync(
  file: string,
  options: DecodeSafetensorsOptions = {},
): SafetensorsFile {
  return decodeNamed(file, node().fs.readFileSync(file), options);
}

/** Async {@link readSafetensorsFileSync}. */
export async function readSafetensorsFile(
  file: string,
  options: DecodeSafetensorsOptions = {},
): Promise<SafetensorsFile> {
  return decodeNamed(file, await node().fs.promises.readFile(file), options);
}

function decodeNamed(file: string, bytes: Uint8Array, options: DecodeSafetensorsOptions): SafetensorsFile {
  try {
    return decodeSafetensors(bytes, options);
  } catch (e) {
    if (e instanceof FormatError) {
      const expected = e.expected ?? '';
      const received = e.received ?? '';
      const what = e.message.slice(0, e.message.length - `: expected ${expected}, got ${received}`.length);
      throw new FormatError(`${file}: ${what}`, expected, received);
    }
    throw e;
  }
}
