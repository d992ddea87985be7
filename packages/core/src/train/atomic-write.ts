/**
 * Crash-safe file replacement: the bytes go to a temporary file beside the target, are fsync'ed, and
 * only then renamed over it. A rename within one directory is atomic on POSIX file systems, so a reader
 * (or a process restarted after SIGKILL or a power cut) sees either the old file or the new one, never a
 * half-written mix. Node-only: `node:fs` is imported on first use so that merely importing the core
 * package in a browser does not pull it in.
 */

let counter = 0;

/**
 * Writes `bytes` to `path` atomically (temp file + fsync + rename + directory fsync).
 * On any failure the temporary file is removed and `path` is left as it was.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const fs = await import('node:fs/promises');
  const { dirname, basename, join } = await import('node:path');
  const dir = dirname(path);
  // pid + counter keeps concurrent writers (two processes, or two saves in one) from sharing a temp name.
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${counter++}.tmp`);
  let handle: Awaited<ReturnType<typeof fs.open>> | null = null;
  try {
    handle = await fs.open(tmp, 'w', 0o644);
    let off = 0;
    while (off < bytes.length) {
      const { bytesWritten } = await handle.write(bytes, off, bytes.length - off);
      off += bytesWritten;
    }
    await handle.sync();
    await handle.close();
    handle = null;
    await fs.rename(tmp, path);
  } catch (err) {
    if (handle !== null) await handle.close().catch(() => undefined);
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
  // Persist the rename itself; some file systems (and Windows) refuse to open a directory: that is fine.
  try {
    const d = await fs.open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    // best effort
  }
}
