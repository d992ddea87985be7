import type { CommandModule } from '../run-cli.ts';
import * as classify from './classify.ts';
import * as evaluateLm from './evaluate-lm.ts';
import * as evaluateSentiment from './evaluate-sentiment.ts';
import * as evaluateSeq2Seq from './evaluate-seq2seq.ts';
import * as exportPytorch from './export.ts';
import * as generate from './generate.ts';
import * as importPytorch from './import.ts';
import * as inspect from './inspect.ts';
import * as quickstart from './quickstart.ts';
import * as tokenize from './tokenize.ts';
import * as trainLm from './train-lm.ts';
import * as trainSeq2Seq from './train-seq2seq.ts';
import * as trainTokenizer from './train-tokenizer.ts';
import * as translate from './translate.ts';

/** Every subcommand of the `recurrent` CLI, in help order. */
export const commands: CommandModule[] = [
  trainLm,
  generate,
  evaluateLm,
  inspect,
  quickstart,
  exportPytorch,
  importPytorch,
  trainTokenizer,
  tokenize,
  trainSeq2Seq,
  translate,
  evaluateSeq2Seq,
  evaluateSentiment,
  classify,
];
