/**
 * Tokens that would complete an n-gram of size `n` already present in `sequence` (fairseq's and
 * Hugging Face's `no_repeat_ngram_size`): for every earlier occurrence of the last n-1 tokens, the
 * token that followed it. With n = 1 every token seen so far is banned. n = 0 bans nothing.
 */
export function bannedNgramTokens(sequence: ArrayLike<number>, n: number): Set<number> {
  const banned = new Set<number>();
  const len = sequence.length;
  if (n <= 0 || len < n - 1) return banned;
  const start = len - (n - 1);
  for (let i = 0; i + n - 1 < len; i++) {
    let match = true;
    for (let j = 0; j < n - 1; j++) {
      if (sequence[i + j] !== sequence[start + j]) {
        match = false;
        break;
      }
    }
    if (match) banned.add(sequence[i + n - 1]!);
  }
  return banned;
}
