import { writeFile } from 'node:fs/promises';
import { encodePytorchStateDict, writeFileAtomic } from '@recurrent/core';
import { LANGUAGE_MODEL_FORMAT, languageModelPytorchNames } from '@recurrent/language-model';
import type { Command } from 'commander';
import { type PytorchSidecar, sidecarPath } from '../interop/pytorch-config.ts';
import { commandIo } from '../lm/flags.ts';
import { loadModelFile } from '../lm/load-model.ts';
import type { CliIo } from '../run-cli.ts';

/** Flags of `recurrent export`. */
export interface ExportFlags {
  /** Our model file. */
  model: string;
  /** Where to write the PyTorch state dict (safetensors). */
  pytorch: string;
  /** Where to write the config + tokenizer sidecar (default: the state dict's path with `.json`). */
  configOut?: string;
}

/**
 * Writes a model's weights as a PyTorch `state_dict` in safetensors (`format: pt`), which
 * `safetensors.torch.load_file` + `load_state_dict(strict=True)` accept unchanged (the module layout is in
 * language-model's `pytorch-names.ts`), plus the sidecar JSON that `import` needs to rebuild the model file.
 */
export async function exportAction(flags: ExportFlags, io: CliIo): Promise<void> {
  const { model, tokenizer } = await loadModelFile(flags.model);
  const names = languageModelPytorchNames(model.config);
  const bytes = encodePytorchStateDict(model, names);
  await writeFileAtomic(flags.pytorch, bytes);
  const sidecar: PytorchSidecar = {
    format: LANGUAGE_MODEL_FORMAT,
    config: model.config,
    tokenizer: tokenizer.toJSON(),
  };
  const configOut = flags.configOut ?? sidecarPath(flags.pytorch);
  await writeFile(configOut, `${JSON.stringify(sidecar, null, 2)}\n`);
  let params = 0;
  for (const [, p] of model.parameters()) params += p.size;
  const keys = [...model.parameters()].length + Object.keys(names.aliases ?? {}).length;
  io.stdout(
    `wrote ${flags.pytorch}: PyTorch state dict, ${keys} keys, ${params.toLocaleString('en-US')} parameters ` +
      `(${model.config.cell.toUpperCase()} language model); config and tokenizer in ${configOut}\n`,
  );
}

/** Adds `export` to the program. */
export function register(program: Command): void {
  program
    .command('export')
    .description(
      "Write a model file's weights as a PyTorch state dict (safetensors) plus a config/tokenizer JSON.",
    )
    .requiredOption('--model <file>', 'the model file (.safetensors) to export')
    .requiredOption('--pytorch <out>', 'the PyTorch state dict to write (.safetensors)')
    .option('--config-out <file>', 'where to write the config + tokenizer JSON (default: <out>.json)')
    .action(async (flags: ExportFlags, cmd: Command) => {
      await exportAction(flags, commandIo(cmd));
    });
}
