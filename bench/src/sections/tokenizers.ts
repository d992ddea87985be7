/**
 * Our tokenizer trainer against Debian's `spm_train` (tokens per character, training time). The
 * comparison itself lives with the tokenizers package (packages/tokenizers/scripts/); this section finds
 * that script, runs it, and keeps what it prints (the last line when it is JSON, else the text).
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TokenizerResult } from '../results.ts';
import { log } from '../session.ts';

const scriptsDir = fileURLToPath(new URL('../../../packages/tokenizers/scripts/', import.meta.url));

/** The comparison script: a .ts file in scripts/ whose name mentions spm, compare or bench. */
export function findTokenizerScript(files: readonly string[]): string | null {
  const hits = files.filter((f) => /\.(ts|mjs|js)$/.test(f) && /spm|sentencepiece|compare|bench/i.test(f));
  return hits.sort()[0] ?? null;
}

/** The last non-empty line parsed as JSON, or null. */
export function lastJsonLine(text: string): unknown {
  const lines = text.trim().split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i]!.trim();
    if (l === '') continue;
    try {
      return JSON.parse(l) as unknown;
    } catch {
      return null;
    }
  }
  return null;
}

/** Runs the comparison script (with `--quick` in quick runs); unavailable when there is none. */
export async function runTokenizers(quick: boolean): Promise<TokenizerResult> {
  let files: string[] = [];
  try {
    files = readdirSync(scriptsDir);
  } catch {
    // no scripts folder yet
  }
  const script = findTokenizerScript(files);
  if (!script) {
    return { available: false, reason: 'no comparison script in packages/tokenizers/scripts/ yet' };
  }
  const path = `${scriptsDir}${script}`;
  log(`tokenizers: ${script}${quick ? ' --quick' : ''}`);
  const args = ['--import', import.meta.resolve('tsx'), path, ...(quick ? ['--quick'] : [])];
  return new Promise((resolve) => {
    const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    p.stderr.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-2000);
    });
    const timer = setTimeout(() => p.kill('SIGKILL'), 15 * 60 * 1000);
    p.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) {
        resolve({
          available: false,
          script,
          reason: `exited ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`,
        });
        return;
      }
      resolve({ available: true, script, report: lastJsonLine(out) ?? out.trim() });
    });
  });
}
