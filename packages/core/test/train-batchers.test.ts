import { describe, expect, it } from 'vitest';
import { BucketBatcher, DataError, FormatError, padBatch, StreamBatcher } from '../src/index.ts';

describe('StreamBatcher', () => {
  const tokens = Int32Array.from({ length: 103 }, (_, i) => i);

  it('cuts the tokens into B contiguous streams walked T at a time, targets one ahead', () => {
    const s = new StreamBatcher(tokens, { batchSize: 4, seqLen: 5 });
    // (103 - 1) / 4 = 25 tokens per stream, 5 batches of 5 steps.
    expect(s.streamLength).toBe(25);
    expect(s.batchesPerEpoch).toBe(5);
    const first = s.next();
    expect(first.reset).toBe(true);
    expect(Array.from(first.inputs.subarray(0, 5))).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(first.inputs.subarray(5, 10))).toEqual([25, 26, 27, 28, 29]);
    expect(Array.from(first.targets.subarray(5, 10))).toEqual([26, 27, 28, 29, 30]);
    const second = s.next();
    expect(second.reset).toBe(false);
    // Row b of batch i continues row b of batch i-1.
    expect(second.inputs[0]).toBe(first.inputs[4]! + 1);
    expect(second.inputs[15]).toBe(first.inputs[19]! + 1);
  });

  it('wraps into the next epoch and resumes from a saved position', () => {
    const a = new StreamBatcher(tokens, { batchSize: 4, seqLen: 5 });
    for (let i = 0; i < 7; i++) a.next();
    expect(a.getState()).toEqual({ epoch: 1, index: 2 });
    const b = new StreamBatcher(tokens, { batchSize: 4, seqLen: 5 });
    b.setState(a.getState());
    expect(Array.from(b.next().inputs)).toEqual(Array.from(a.next().inputs));
  });

  it('rejects too little data and invalid states', () => {
    expect(() => new StreamBatcher(new Int32Array(10), { batchSize: 4, seqLen: 5 })).toThrow(DataError);
    const s = new StreamBatcher(tokens, { batchSize: 4, seqLen: 5 });
    expect(() => s.setState({ epoch: 0, index: 5 })).toThrow(FormatError);
    expect(s.getState()).toEqual({ epoch: 0, index: 0 });
  });
});

describe('BucketBatcher', () => {
  const lengths = Array.from({ length: 103 }, (_, i) => 1 + ((i * 37) % 50));
  const examples = lengths.map((n, id) => ({ id, ids: new Int32Array(n) }));
  const make = (seed = 1) =>
    new BucketBatcher(examples, { batchSize: 8, window: 4, seed, lengthOf: (e) => e.ids.length });

  it('serves every example exactly once per epoch, in batches of similar length', () => {
    const b = make();
    expect(b.batchesPerEpoch).toBe(13);
    const seen: number[] = [];
    let spreadBucketed = 0;
    for (let i = 0; i < b.batchesPerEpoch; i++) {
      const batch = b.next();
      seen.push(...batch.map((e) => e.id));
      const ls = batch.map((e) => e.ids.length);
      spreadBucketed += Math.max(...ls) - Math.min(...ls);
    }
    expect(seen.sort((x, y) => x - y)).toEqual(examples.map((e) => e.id));
    expect(b.getState()).toEqual({ epoch: 1, index: 0 });
    // Random batches of 8 from lengths 1..50 spread ~38 on average; bucketing within windows of 32 shrinks it.
    expect(spreadBucketed / 13).toBeLessThan(15);
  });

  it('is a pure function of seed and position: epochs differ, a resumed batcher continues identically', () => {
    const a = make();
    const firstEpoch = Array.from({ length: 13 }, () => a.next().map((e) => e.id));
    const secondEpoch = Array.from({ length: 13 }, () => a.next().map((e) => e.id));
    expect(secondEpoch).not.toEqual(firstEpoch);
    const b = make();
    b.setState({ epoch: 1, index: 5 });
    expect(b.next().map((e) => e.id)).toEqual(secondEpoch[5]);
    expect(
      make(2)
        .next()
        .map((e) => e.id),
    ).not.toEqual(firstEpoch[0]);
  });

  it('pads a batch to its longest sequence', () => {
    const p = padBatch([Int32Array.of(5, 6, 7), Int32Array.of(8)], 0);
    expect(p).toMatchObject({ batch: 2, steps: 3 });
    expect(Array.from(p.ids)).toEqual([5, 6, 7, 8, 0, 0]);
    expect(Array.from(p.lengths)).toEqual([3, 1]);
  });

  it('drops the short last batch when asked, and rejects empty input', () => {
    const b = new BucketBatcher(examples, { batchSize: 8, dropLast: true, lengthOf: (e) => e.ids.length });
    expect(b.batchesPerEpoch).toBe(12);
    for (let i = 0; i < 12; i++) expect(b.next()).toHaveLength(8);
    expect(() => new BucketBatcher([], { lengthOf: () => 1 })).toThrow(DataError);
  });
});
