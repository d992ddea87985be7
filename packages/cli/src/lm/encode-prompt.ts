import { DataError } from '@recurrent/core';
import type { Tokenizer } from '@recurrent/tokenizers';

/**
 * The prompt's ids. A character the model's tokenizer cannot spell (it would become `unk`) is a
 * DataError naming it and its position, rather than a silent placeholder. An empty prompt starts from
 * the BOS token, or else from a line break.
 */
export function encodePrompt(tokenizer: Tokenizer, prompt: string): Int32Array {
  const { unk, bos } = tokenizer.specials;
  if (prompt === '') {
    if (bos !== undefined) return Int32Array.of(bos);
    prompt = '\n';
  }
  const ids = tokenizer.encode(prompt);
  if (ids.includes(unk)) {
    let pos = 0;
    for (const ch of prompt) {
      if (tokenizer.encode(ch).includes(unk)) {
        throw new DataError(
          `prompt character ${JSON.stringify(ch)} at position ${pos}`,
          "a character in the model's vocabulary",
          'one it has never seen',
        );
      }
      pos++;
    }
    throw new DataError('prompt', "text the model's tokenizer can spell", 'text that encodes to <unk>');
  }
  if (ids.length === 0) throw new DataError('prompt', 'at least one token', 'none');
  return ids;
}
