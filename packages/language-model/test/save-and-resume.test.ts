import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCheckpoint, writeFileAtomic } from '@recurrent/core';
import { describe, expect, it } from 'vitest';
import { trainLanguageModel } from '../src/index.ts';
import { KILL_RUN } from './helpers/kill-run.ts';

const here = import.meta.dirname;
const weights = (m: { parameters(): Iterable<[string, { data: Float32Array }]> }) =>
  [...m.parameters()].map(([n, p]) => [
    n,
    Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength).toString('hex'),
  ]);

function startChild(script: string, args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', join(here, 'helpers', script), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Resolves with the child's exit signal once it has been killed after printing a line matching `when`. */
function killWhen(
  child: ChildProcess,
  when: (line: string) => boolean,
): Promise<{ signal: string | null; lines: string[] }> {
  return new Promise((resolve, reject) => {
    const lines: string[] = [];
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        lines.push(line);
        if (when(line)) child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === null && code !== 0) reject(new Error(`child exited ${code}: ${err}`));
      else resolve({ signal, lines });
    });
  });
}

describe('training killed with SIGKILL', () => {
  it('resumes from its last checkpoint to weights bit-identical to an uninterrupted run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'recurrent-kill-'));
    const path = join(dir, 'run.ckpt');
    const child = startChild('train-child.ts', [path]);
    const { signal, lines } = await killWhen(child, (l) => l === 'ckpt 40');
    expect(signal).toBe('SIGKILL');
    expect(lines).not.toContain('done');
    const saved = await readCheckpoint(path);
    expect(saved!.loop.step).toBeGreaterThanOrEqual(40);
    expect(saved!.loop.step).toBeLessThan(KILL_RUN.maxSteps);

    const resumed = await trainLanguageModel({ ...KILL_RUN, checkpoint: { path, every: 5, resume: true } });
    const straight = await trainLanguageModel(KILL_RUN);
    expect(resumed.result.resumedFrom).toBe(saved!.loop.step);
    expect(resumed.result.steps).toBe(KILL_RUN.maxSteps);
    expect(weights(resumed.model)).toEqual(weights(straight.model));
    expect(resumed.result.losses).toEqual(straight.result.losses);
    expect(resumed.valid).toEqual(straight.valid);
  });
});

describe('atomic saves', () => {
  it('a save killed at any moment leaves the previous file or the new one, never a mix', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'recurrent-atomic-'));
    const path = join(dir, 'model.bin');
    for (let round = 0; round < 3; round++) {
      const child = startChild('save-loop-child.ts', [path]);
      // Kill after a few saves, at a different point of the write loop each round.
      const { signal } = await killWhen(child, (l) => l === `saved ${3 + round * 2}`);
      expect(signal).toBe('SIGKILL');
      const bytes = readFileSync(path);
      // Every version the child writes is 4 MiB of one repeated byte: a torn file would mix two.
      expect(bytes.length).toBe(4 << 20);
      expect(bytes.every((b) => b === bytes[0])).toBe(true);
    }
  });

  it('a failed save leaves the target as it was and no temporary file behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'recurrent-atomic-'));
    // The final rename fails: the target is a non-empty directory.
    const target = join(dir, 'model.bin');
    mkdirSync(target);
    writeFileSync(join(target, 'keep'), 'good');
    await expect(writeFileAtomic(target, new Uint8Array(1 << 16))).rejects.toThrow();
    expect(readFileSync(join(target, 'keep'), 'utf8')).toBe('good');
    expect(readdirSync(dir)).toEqual(['model.bin']);
    // The temporary file cannot even be created.
    await expect(writeFileAtomic(join(dir, 'missing', 'x.bin'), new Uint8Array(4))).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['model.bin']);
  });
});
