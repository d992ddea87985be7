import { OptionError, Rng } from '@recurrent/core';
import { type GenerateOptions, generate, generateAll } from '@recurrent/samplers';
import { describe, expect, it } from 'vitest';
import { markovModel, randomMarkov } from './markov.ts';

async function collect(it: AsyncGenerator<number, unknown>): Promise<number[]> {
  const out: number[] = [];
  for await (const id of it) out.push(id);
  return out;
}

/**
 * A model that emits `script` in order after a one-token prompt (then repeats the last token),
 * ignoring its input; the state counts the steps taken.
 */
function scripted(script: number[], vocab = 10) {
  return {
    initialState: () => 0,
    step(ids: Int32Array, s: number) {
      const logits = new Float32Array(ids.length * vocab).fill(-10);
      logits[script[Math.min(s, script.length - 1)]!] = 10;
      return { logits, state: s + 1 };
    },
  };
}

describe('generate', () => {
  it('streams the same tokens for the same seed', async () => {
    const m = randomMarkov(12, 5, 1);
    const opts: GenerateOptions = { maxTokens: 40, temperature: 1.2, topK: 8, seed: 123 };
    const a = await collect(generate(m, [1, 2], opts));
    const b = await collect(generate(m, [1, 2], opts));
    const c = await collect(generate(m, [1, 2], { ...opts, seed: 124 }));
    expect(a).toHaveLength(40);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    // An explicit Rng with the same seed is the same stream.
    const { seed: _seed, ...noSeed } = opts;
    expect(await collect(generate(m, [1, 2], { ...noSeed, rng: new Rng(123) }))).toEqual(a);
  });

  it('stops at EOS and at maxTokens, and reports why', async () => {
    const eos = await generateAll(scripted([3, 4, 0, 5]), [1], { temperature: 0, eosId: 0 });
    expect(eos).toEqual({ tokens: Int32Array.of(3, 4), reason: 'eos' });
    const max = await generateAll(scripted([3, 4, 5, 6]), [1], { temperature: 0, maxTokens: 3 });
    expect(max).toEqual({ tokens: Int32Array.of(3, 4, 5), reason: 'max-tokens' });
  });

  it('holds back and drops token-id stop sequences', async () => {
    const seen: number[] = [];
    const it = generate(scripted([3, 4, 5, 4, 6, 7]), [1], {
      temperature: 0,
      stopSequences: [[4, 6], [9]],
    });
    let r = await it.next();
    while (!r.done) {
      seen.push(r.value);
      r = await it.next();
    }
    // 4 is held while it might begin [4, 6]; the first 4 is released when 5 follows.
    expect(seen).toEqual([3, 4, 5]);
    expect(r.value).toEqual({ tokens: Int32Array.of(3, 4, 5), reason: 'stop-sequence' });
  });

  it('stops on decoded text, dropping the token where the stop string begins', async () => {
    const pieces = ['', 'Hello', ' wor', 'ld', '.\n', '\nNext', ' more', 'x', 'y', 'z'];
    const decode = (ids: Int32Array): string => Array.from(ids, (i) => pieces[i]).join('');
    const order: number[] = [];
    const it = generate(scripted([1, 2, 3, 4, 5, 6]), [0], { temperature: 0, decode, stopStrings: ['\n\n'] });
    for await (const id of it) order.push(id);
    // '.\n' could begin '\n\n', so it is held; '\nNext' completes the match inside '.\n'.
    expect(order).toEqual([1, 2, 3]);
    expect(decode(Int32Array.from(order))).toBe('Hello world');
  });

  it('matches greedy argmax with temperature 0', async () => {
    const m = randomMarkov(7, 9);
    const out = await generateAll(m, [2], { temperature: 0, maxTokens: 6 });
    let prev = -1;
    let cur = 2;
    for (const id of out.tokens) {
      const row = m.table[prev + 1]![cur]!;
      expect(id).toBe(row.indexOf(Math.max(...row)));
      prev = cur;
      cur = id;
    }
  });

  it('rejects bad options at once', () => {
    const m = markovModel(randomMarkov(3, 1).table);
    expect(() => generate(m, [1], { topP: 0 })).toThrow(OptionError);
    expect(() => generate(m, [1], { topK: -2 })).toThrow(OptionError);
    expect(() => generate(m, [1], { temperature: -1 })).toThrow(OptionError);
    expect(() => generate(m, [], {})).toThrow(OptionError);
    expect(() => generate(m, [1], { stopStrings: ['x'] })).toThrow(OptionError);
    expect(() => generate(m, [1], { seed: 1, rng: new Rng(1) })).toThrow(OptionError);
  });

  it('stops between steps when aborted', async () => {
    const ac = new AbortController();
    const got: number[] = [];
    const it = generate(randomMarkov(5, 2), [1], { maxTokens: 50, signal: ac.signal });
    for await (const id of it) {
      got.push(id);
      if (got.length === 3) ac.abort();
    }
    expect(got).toHaveLength(3);
  });
});
