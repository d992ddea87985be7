import { stat } from 'node:fs/promises';
import { DataError, FormatError, loadPytorchStateDict, Rng, readSafetensorsFile } from '@recurrent/core';
import {
  inferLanguageModelConfig,
  LanguageModel,
  languageModelPytorchNames,
  saveLanguageModel,
} from '@recurrent/language-model';
import type { Command } from 'commander';
import { readSidecar } from '../interop/pytorch-config.ts';
import { commandIo } from '../lm/flags.ts';
import type { CliIo } from '../run-cli.ts';

/** Flags of `recurrent import`. */
export interface ImportFlags {
  /** The PyTorch state dict (safetensors). */
  pytorch: string;
  /** The config + tokenizer JSON (as `export` writes it). */
  config: string;
  /** The model file to write. */
  out: string;
}

/**
 * Builds one of our model files from a PyTorch `state_dict` (safetensors) and a config/tokenizer JSON: the
 * architecture comes from the config where given and from the tensor shapes otherwise; loading is strict
 * (every key present with its shape, none left over), and the file is written atomically.
 */
export async function importAction(flags: ImportFlags, io: CliIo): Promise<void> {
  try {
    await stat(flags.pytorch);
  } catch (e) {
    throw new DataError(
      `state dict ${flags.pytorch}`,
      'a readable file',
      (e as NodeJS.ErrnoException).code ?? String(e),
    );
  }
  const sidecar = await readSidecar(flags.config);
  const { tensors } = await readSafetensorsFile(flags.pytorch);
  const config = inferLanguageModelConfig(tensors, sidecar.config, flags.pytorch);
  let model: LanguageModel;
  try {
    model = new LanguageModel(config, { rng: new Rng(0) }); // every weight is overwritten below
  } catch (e) {
    throw new FormatError(`${flags.config} config`, 'a valid language-model config', (e as Error).message);
  }
  if (sidecar.tokenizer.vocabSize !== model.config.vocabSize) {
    throw new FormatError(
      `${flags.config} tokenizer vocabSize`,
      `${model.config.vocabSize} (the embedding's rows)`,
      `${sidecar.tokenizer.vocabSize}`,
    );
  }
  loadPytorchStateDict(model, tensors, {
    names: languageModelPytorchNames(model.config),
    source: flags.pytorch,
  });
  await saveLanguageModel(flags.out, { model, tokenizer: sidecar.tokenizer });
  const c = model.config;
  io.stdout(
    `wrote ${flags.out}: ${c.cell.toUpperCase()} language model, ${c.numLayers} x ${c.hiddenSize}, embedding ${c.embeddingDim}, ` +
      `vocabulary ${c.vocabSize}${c.tieWeights ? ', tied weights' : ''} (from ${flags.pytorch})\n`,
  );
}

/** Adds `import` to the program. */
export function register(program: Command): void {
  program
    .command('import')
    .description('Build a model file from a PyTorch state dict (safetensors) and a config/tokenizer JSON.')
    .requiredOption('--pytorch <file>', 'the PyTorch state dict (.safetensors)')
    .requiredOption('--config <file>', 'the config + tokenizer JSON (as `recurrent export` writes it)')
    .requiredOption('--out <file>', 'the model file to write (.safetensors)')
    .action(async (flags: ImportFlags, cmd: Command) => {
      await importAction(flags, commandIo(cmd));
    });
}
