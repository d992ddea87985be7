import { OptionError } from '@recurrent/core';
import { CharTokenizer, SentencePieceTokenizer, type Tokenizer, WordTokenizer } from '@recurrent/tokenizers';

/**
 * The tokenizer `--tokenizer` names: `char` (one token per character of the training text), `word`
 * (treebank words seen at least twice), or the path of a SentencePiece `.model` file.
 */
export async function chooseTokenizer(choice: string, trainText: string): Promise<Tokenizer> {
  if (choice === 'char') return CharTokenizer.train([trainText]);
  if (choice === 'word') return WordTokenizer.train([trainText], { minFrequency: 2 });
  if (choice.endsWith('.model')) return SentencePieceTokenizer.fromFile(choice);
  throw new OptionError(
    '--tokenizer',
    "'char', 'word' or a SentencePiece .model file",
    JSON.stringify(choice),
  );
}
