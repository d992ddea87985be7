import { FormatError, OptionError } from './errors.ts';
import {
  type DecodeSafetensorsOptions,
  decodeSafetensors,
  decodeSafetensorsHeader,
  encodeSafetensors,
  type SafetensorsEntry,
  type SafetensorsFile,
  type SafetensorsHeader,
  safetensorsHeaderLength,
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

/** Options of {@link readSafetensorsFile}. */
export interface ReadSafetensorsFileOptions extends DecodeSafetensorsOptions {
  /**
   * Largest file read, in bytes (default 2^31 − 1, what Node's `readFile` can return). Checked after the
   * header, so the error says what the file declares.
   */
  maxFileBytes?: number;
}

const DEFAULT_MAX_FILE_BYTES = 2 ** 31 - 1;

/**
 * Reads and decodes a safetensors file; a malformed file is a FormatError naming `file`. The header is read
 * and validated against the file's size first, so a file that declares more tensor data than it holds (or
 * more than `maxFileBytes`) fails before its data is read or anything is allocated for it.
 */
export function readSafetensorsFileSync(
  file: string,
  options: ReadSafetensorsFileOptions = {},
): SafetensorsFile {
  const { fs } = node();
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const read = (n: number): Uint8Array => {
      const buf = new Uint8Array(n);
      let off = 0;
      while (off < n) {
        const got = fs.readSync(fd, buf, off, n - off, off);
        if (got === 0) break;
        off += got;
      }
      return buf.subarray(0, off);
    };
    return decodeNamed(file, () => {
      const first = read(Math.min(size, 8));
      const n = safetensorsHeaderLength(first, size, options);
      checkDeclaredSize(decodeSafetensorsHeader(read(8 + n), size, options), size, options);
      return decodeSafetensors(read(size), options);
    });
  } finally {
    fs.closeSync(fd);
  }
}

/** Async {@link readSafetensorsFileSync}. */
export async function readSafetensorsFile(
  file: string,
  options: ReadSafetensorsFileOptions = {},
): Promise<SafetensorsFile> {
  const fh = await node().fs.promises.open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    const read = async (n: number): Promise<Uint8Array> => {
      const buf = new Uint8Array(n);
      let off = 0;
      while (off < n) {
        const { bytesRead } = await fh.read(buf, off, n - off, off);
        if (bytesRead === 0) break;
        off += bytesRead;
      }
      return buf.subarray(0, off);
    };
    const first = await read(Math.min(size, 8));
    const n = decodeNamed(file, () => safetensorsHeaderLength(first, size, options));
    const head = await read(8 + n);
    decodeNamed(file, () => checkDeclaredSize(decodeSafetensorsHeader(head, size, options), size, options));
    const all = await read(size);
    return decodeNamed(file, () => decodeSafetensors(all, options));
  } finally {
    await fh.close();
  }
}

/** The header tiles the file exactly (checked by the header decoder); refuse a file too large to read. */
function checkDeclaredSize(
  header: SafetensorsHeader,
  size: number,
  options: ReadSafetensorsFileOptions,
): void {
  const max = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  if (size > max) {
    throw new FormatError(
      `safetensors file (${header.tensors.size} tensors, ${size - header.dataStart} bytes of data)`,
      `at most ${max} bytes in all`,
      `${size} bytes`,
    );
  }
}

/** Runs `decode`, prefixing the file name to a FormatError's subject. */
function decodeNamed<T>(file: string, decode: () => T): T {
  try {
    return decode();
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
