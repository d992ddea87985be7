/** A minimal character codec for tests that exercise the model, not a tokenizer. */
export function charCodec(text: string) {
  const chars = [...new Set(text)].sort();
  const index = new Map(chars.map((c, i) => [c, i]));
  return {
    vocabSize: chars.length,
    encode: (s: string) => Int32Array.from([...s], (c) => index.get(c)!),
    decode: (ids: ArrayLike<number>) => Array.from(ids, (i) => chars[i]!).join(''),
  };
}

/** Deterministic pseudo-English text of `n` characters. */
export function sampleText(n: number): string {
  const words = [
    'the',
    'whale',
    'sea',
    'ship',
    'captain',
    'white',
    'harpoon',
    'deck',
    'and',
    'of',
    'a',
    'to',
  ];
  let s = '';
  let i = 0;
  while (s.length < n) {
    s += `${words[(i * 7 + (i >> 2)) % words.length]}${i % 9 === 8 ? '. ' : ' '}`;
    i++;
  }
  return s.slice(0, n);
}
