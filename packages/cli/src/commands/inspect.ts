import { stat } from 'node:fs/promises';
import { CHECKPOINT_FORMAT, DataError, fmtShape, readSafetensorsFile } from '@recurrent/core';
import { decodeLanguageModel, LANGUAGE_MODEL_FORMAT } from '@recurrent/language-model';
import type { Command } from 'commander';
import { commandIo } from '../lm/flags.ts';
import type { CliIo } from '../run-cli.ts';

/** What `inspect` reports about a safetensors file (printed as text, or as JSON with `--json`). */
export interface InspectReport {
  file: string;
  bytes: number;
  /** The `format` metadata: a language model, a training checkpoint, or another safetensors file. */
  format: string | null;
  parameters: number;
  tensors: { name: string; dtype: string; shape: number[] }[];
  /** The metadata, JSON values parsed. */
  metadata: Record<string, unknown>;
}

/** Reads the file's header and metadata (and, for a language model, checks that it loads). */
export async function inspectAction(path: string, json: boolean, io: CliIo): Promise<void> {
  let bytes: number;
  try {
    bytes = (await stat(path)).size;
  } catch (e) {
    throw new DataError(`file ${path}`, 'a readable file', (e as NodeJS.ErrnoException).code ?? String(e));
  }
  const file = await readSafetensorsFile(path);
  const format = file.metadata.format ?? null;
  if (format === LANGUAGE_MODEL_FORMAT) {
    // Loading validates config, tokenizer and every tensor's shape: a damaged model fails here.
    const { readFile } = await import('node:fs/promises');
    decodeLanguageModel(new Uint8Array(await readFile(path)), path);
  }
  const tensors = [...file.tensors].map(([name, t]) => ({ name, dtype: t.dtype, shape: [...t.shape] }));
  const metadata: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(file.metadata)) {
    try {
      metadata[k] = k === 'format' || k === 'tag' ? v : JSON.parse(v);
    } catch {
      metadata[k] = v;
    }
  }
  const report: InspectReport = {
    file: path,
    bytes,
    format,
    parameters: tensors
      .filter((t) => format !== CHECKPOINT_FORMAT || t.name.startsWith('model/'))
      .reduce((n, t) => n + t.shape.reduce((a, d) => a * d, 1), 0),
    tensors,
    metadata,
  };
  io.stdout(json ? `${JSON.stringify(report)}\n` : formatReport(report));
}

function formatReport(r: InspectReport): string {
  const lines = [`${r.file}: ${r.format ?? 'safetensors'} (${r.bytes.toLocaleString('en-US')} bytes)`];
  const m = r.metadata;
  if (r.format === LANGUAGE_MODEL_FORMAT) {
    const c = m.config as Record<string, unknown>;
    const t = m.tokenizer as { kind?: string };
    lines.push(
      `model: ${c.cell} ${c.numLayers} x ${c.hiddenSize}, embedding ${c.embeddingDim}, vocabulary ${c.vocabSize}, ` +
        `dropout ${c.dropout}${c.tieWeights ? ', tied weights' : ''}`,
      `tokenizer: ${t.kind}`,
    );
    if (m.training !== undefined) lines.push(`training: ${JSON.stringify(m.training)}`);
  } else if (r.format === CHECKPOINT_FORMAT) {
    const loop = m.loop as { step?: number; elapsedMs?: number; data?: unknown; best?: unknown };
    lines.push(
      `checkpoint: step ${loop.step}, ${((loop.elapsedMs ?? 0) / 60_000).toFixed(1)} min, data position ${JSON.stringify(loop.data)}, best ${JSON.stringify(loop.best)}`,
    );
  } else {
    for (const [k, v] of Object.entries(m))
      lines.push(`${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`.slice(0, 200));
  }
  lines.push(`parameters: ${r.parameters.toLocaleString('en-US')} in ${r.tensors.length} tensors`);
  const width = Math.max(...r.tensors.map((t) => t.name.length), 0);
  for (const t of r.tensors) lines.push(`  ${t.name.padEnd(width)}  ${t.dtype} ${fmtShape(t.shape)}`);
  return `${lines.join('\n')}\n`;
}

/** Adds `inspect` to the program. */
export function register(program: Command): void {
  program
    .command('inspect')
    .description(
      'Describe a model or checkpoint file: format, architecture, tokenizer, tensors, training record.',
    )
    .argument('<file>', 'a .safetensors file')
    .option('--json', 'print the report as JSON')
    .action(async (file: string, flags: { json?: boolean }, cmd: Command) => {
      await inspectAction(file, flags.json ?? false, commandIo(cmd));
    });
}
