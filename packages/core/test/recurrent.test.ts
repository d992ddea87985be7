/**
 * RNN / LSTM / GRU semantics beyond the PyTorch fixtures: parameters and init, variable lengths against
 * running each row alone, step-by-step generation against the sequence forward, chained calls on one
 * tape, a 2,000-step unroll, state detaching (truncated BPTT), dropout, backend switching, and the
 * typed errors for bad input.
 */
import { describe, expect, it } from 'vitest';
import {
  detachState,
  GRU,
  gatherRows,
  type Kernels,
  kernels,
  LSTM,
  OptionError,
  type RecurrentLayer,
  type RecurrentOptions,
  type RecurrentState,
  RNN,
  Rng,
  ShapeError,
  stateDict,
  Tape,
  Tensor,
  useKernels,
} from '../src/index.ts';

type Kind = 'rnn_tanh' | 'rnn_relu' | 'lstm' | 'gru';
const KINDS: Kind[] = ['rnn_tanh', 'rnn_relu', 'lstm', 'gru'];

function make(kind: Kind, options: Partial<RecurrentOptions> = {}): RecurrentLayer {
  const o: RecurrentOptions = { inputSize: 3, hiddenSize: 4, rng: new Rng(42), ...options };
  if (kind === 'lstm') return new LSTM(o);
  if (kind === 'gru') return new GRU(o);
  return new RNN({ ...o, nonlinearity: kind === 'rnn_relu' ? 'relu' : 'tanh' });
}

function random(rng: Rng, shape: number[], scale = 1): Tensor {
  const t = Tensor.zeros(shape);
  for (let i = 0; i < t.size; i++) t.data[i] = rng.range(-scale, scale);
  return t;
}

function randomState(layer: RecurrentLayer, batch: number, rng: Rng): RecurrentState {
  const shape = [layer.numLayers * layer.directions, batch, layer.hiddenSize];
  return layer.hasCellState
    ? { h: random(rng, shape, 0.5), c: random(rng, shape, 0.5) }
    : { h: random(rng, shape, 0.5) };
}

/** Rows [b] of a [S, B, H] state as [S, 1, H]. */
function stateRow(t: Tensor, b: number): Tensor {
  const [S, B, H] = t.shape as [number, number, number];
  const out = Tensor.zeros([S, 1, H]);
  for (let s = 0; s < S; s++) out.data.set(t.data.subarray((s * B + b) * H, (s * B + b + 1) * H), s * H);
  return out;
}

function expectClose(a: ArrayLike<number>, e: ArrayLike<number>, tol: number, what: string): void {
  expect(a.length, what).toBe(e.length);
  for (let i = 0; i < e.length; i++) {
    if (!(Math.abs(a[i]! - e[i]!) <= tol)) expect.fail(`${what}[${i}] = ${a[i]}, expected ${e[i]}`);
  }
}

describe('parameters and initialisation', () => {
  it('uses PyTorch names, layouts and order', () => {
    const lstm = new LSTM({
      inputSize: 3,
      hiddenSize: 5,
      numLayers: 2,
      bidirectional: true,
      rng: new Rng(1),
    });
    const names = [...lstm.parameters()].map(([n, p]) => `${n}:${p.shape.join('x')}`);
    const layer = (l: number, sfx: string, inSize: number): string[] => [
      `weight_ih_l${l}${sfx}:20x${inSize}`,
      `weight_hh_l${l}${sfx}:20x5`,
      `bias_ih_l${l}${sfx}:20`,
      `bias_hh_l${l}${sfx}:20`,
    ];
    expect(names).toEqual([
      ...layer(0, '', 3),
      ...layer(0, '_reverse', 3),
      ...layer(1, '', 10),
      ...layer(1, '_reverse', 10),
    ]);
    const gru = new GRU({ inputSize: 2, hiddenSize: 3, bias: false, rng: new Rng(1) });
    expect([...gru.parameters()].map(([n, p]) => `${n}:${p.shape.join('x')}`)).toEqual([
      'weight_ih_l0:9x2',
      'weight_hh_l0:9x3',
    ]);
    const rnn = new RNN({ inputSize: 2, hiddenSize: 3, rng: new Rng(1) });
    expect(stateDict(rnn).get('weight_hh_l0')!.shape).toEqual([3, 3]);
  });

  it('draws every parameter uniform(±1/√H) from the Rng, in parameter order', () => {
    const H = 16;
    const lstm = new LSTM({ inputSize: 8, hiddenSize: H, numLayers: 2, rng: new Rng(9) });
    const bound = 1 / Math.sqrt(H);
    const expected = new Rng(9);
    let max = 0;
    for (const [, p] of lstm.parameters()) {
      for (const v of p.data) {
        expect(v).toBe(Math.fround(expected.range(-bound, bound)));
        max = Math.max(max, Math.abs(v));
      }
    }
    expect(max).toBeLessThanOrEqual(bound);
    expect(max).toBeGreaterThan(0.9 * bound);
    const again = new LSTM({ inputSize: 8, hiddenSize: H, numLayers: 2, rng: new Rng(9) });
    expect(again.cells[1]!.wHh.toArray()).toEqual(lstm.cells[1]!.wHh.toArray());
  });
});

describe.each(KINDS)('%s', (kind) => {
  it('returns output [B, T, D·H] and state [L·D, B, H] (c only for LSTM)', () => {
    const layer = make(kind, { numLayers: 2, bidirectional: true });
    const r = layer.forward(Tape.noGrad(), random(new Rng(1), [2, 5, 3]));
    expect(r.output.shape).toEqual([2, 5, 8]);
    expect(r.state.h.shape).toEqual([4, 2, 4]);
    expect(r.state.c?.shape).toEqual(kind === 'lstm' ? [4, 2, 4] : undefined);
    expect(layer.outputSize).toBe(8);
  });

  it('with lengths, each row equals that row run alone; padding is 0, ignored, and gets no gradient', () => {
    const layer = make(kind, { numLayers: 2, bidirectional: true });
    const rng = new Rng(2);
    const [B, T, I] = [4, 5, 3];
    const lengths = Int32Array.from([3, 4, 1, 3]); // max < T: steps past every length are padding too
    const x = random(rng, [B, T, I]);
    const state = randomState(layer, B, rng);
    const tape = new Tape();
    x.requiresGrad = true;
    const r = layer.forward(tape, x, { lengths, state });
    tape.backward(r.output);
    const DH = layer.outputSize;
    for (let b = 0; b < B; b++) {
      const len = lengths[b]!;
      const xb = Tensor.from(x.data.subarray(b * T * I, (b * T + len) * I), [1, len, I]);
      const sb: RecurrentState = { h: stateRow(state.h, b) };
      if (state.c) sb.c = stateRow(state.c, b);
      const alone = layer.forward(Tape.noGrad(), xb, { state: sb });
      expectClose(
        r.output.data.subarray(b * T * DH, (b * T + len) * DH),
        alone.output.data,
        1e-6,
        `row ${b} output`,
      );
      expect(
        Array.from(r.output.data.subarray((b * T + len) * DH, (b + 1) * T * DH)).every((v) => v === 0),
      ).toBe(true);
      expectClose(stateRow(r.state.h, b).data, alone.state.h.data, 1e-6, `row ${b} h_n`);
      if (r.state.c) expectClose(stateRow(r.state.c, b).data, alone.state.c!.data, 1e-6, `row ${b} c_n`);
      const gPad = x.grad!.subarray((b * T + len) * I, (b + 1) * T * I);
      expect(Array.from(gPad).every((v) => v === 0)).toBe(true);
    }
    // Garbage in the padding changes nothing.
    const x2 = Tensor.from(x.data, x.shape);
    x2.data.fill(1e6, (2 * T + 1) * I, 3 * T * I);
    const r2 = layer.forward(Tape.noGrad(), x2, { lengths, state });
    expect(r2.output.toArray()).toEqual(r.output.toArray());
  });

  it('step() through a sequence equals forward() in eval mode', () => {
    const layer = make(kind, { numLayers: 3, dropout: 0.5 });
    layer.train(false);
    const rng = new Rng(3);
    const [B, T, I] = [2, 6, 3];
    const x = random(rng, [B, T, I]);
    let state = randomState(layer, B, rng);
    const full = layer.forward(Tape.noGrad(), x, { state });
    for (let t = 0; t < T; t++) {
      const xt = Tensor.zeros([B, I]);
      for (let b = 0; b < B; b++) xt.data.set(x.data.subarray((b * T + t) * I, (b * T + t + 1) * I), b * I);
      const s = layer.step(xt, state);
      expect(s.output.shape).toEqual([B, 4]);
      for (let b = 0; b < B; b++) {
        const o = (b * T + t) * 4;
        expectClose(
          s.output.data.subarray(b * 4, b * 4 + 4),
          full.output.data.subarray(o, o + 4),
          1e-6,
          `t=${t}`,
        );
      }
      state = s.state;
    }
    expectClose(state.h.data, full.state.h.data, 1e-6, 'h');
    if (kind === 'lstm') expectClose(state.c!.data, full.state.c!.data, 1e-6, 'c');
    // From no state = from zeros.
    const a = layer.step(Tensor.full([1, I], 0.3));
    const b = layer.step(Tensor.full([1, I], 0.3), layer.zeroState(1));
    expect(a.output.toArray()).toEqual(b.output.toArray());
  });

  it('step() agrees with forward() on one step, and stepProjected() gives the bits of step()', () => {
    const layer = make(kind, { numLayers: 2, hiddenSize: 13, inputSize: 4 });
    layer.train(false);
    const rng = new Rng(9);
    for (const B of [1, 3, 5]) {
      const I = 4;
      const x = random(rng, [B, I]);
      const state = randomState(layer, B, rng);
      const full = layer.forward(Tape.noGrad(), x.view([B, 1, I]), { state });
      const s = layer.step(x, state);
      // forward() multiplies by W_hh packed for the sweep, step() by W_hh as stored: rounding may differ.
      expectClose(s.output.data, full.output.data, 1e-6, `B=${B} output`);
      expectClose(s.state.h.data, full.state.h.data, 1e-6, `B=${B} h`);
      if (kind === 'lstm') expectClose(s.state.c!.data, full.state.c!.data, 1e-6, `B=${B} c`);
      // A table of projections made once (here: more rows than the batch, in another order) gives the same bits.
      const rows = random(rng, [7, I]);
      const table = layer.projectInput(rows);
      expect(table.shape).toEqual([7, layer.gateWidth]);
      const pick = Array.from({ length: B }, (_, b) => (b * 3 + 2) % 7);
      const xb = Tensor.zeros([B, I]);
      const pb = Tensor.zeros([B, layer.gateWidth]);
      pick.forEach((r, b) => {
        xb.data.set(rows.data.subarray(r * I, (r + 1) * I), b * I);
        pb.data.set(table.data.subarray(r * layer.gateWidth, (r + 1) * layer.gateWidth), b * layer.gateWidth);
      });
      const viaStep = layer.step(xb, state);
      const viaTable = layer.stepProjected(pb, state);
      expect(Array.from(viaTable.output.data)).toEqual(Array.from(viaStep.output.data));
      expect(Array.from(viaTable.state.h.data)).toEqual(Array.from(viaStep.state.h.data));
    }
    expect(() => layer.stepProjected(Tensor.zeros([1, layer.gateWidth + 1]))).toThrow(ShapeError);
  });

  it('frozenSteps() steps like step() on the weights of its creation, and its table path keeps the bits', () => {
    const layer = make(kind, { numLayers: 2, hiddenSize: 16, inputSize: 5 });
    const rng = new Rng(21);
    const frozen = layer.frozenSteps();
    for (const B of [1, 3, 6]) {
      const x = random(rng, [B, 5]);
      const state = randomState(layer, B, rng);
      const plain = layer.step(x, state);
      const f = frozen.step(x, state);
      expectClose(f.output.data, plain.output.data, 1e-6, `B=${B} output`);
      expectClose(f.state.h.data, plain.state.h.data, 1e-6, `B=${B} h`);
      if (kind === 'lstm') expectClose(f.state.c!.data, plain.state.c!.data, 1e-6, `B=${B} c`);
      // Rows of a projectInput table give the bits of frozen.step on the same inputs.
      const viaTable = frozen.stepProjected(layer.projectInput(x), state);
      expect(Array.from(viaTable.output.data)).toEqual(Array.from(f.output.data));
      expect(Array.from(viaTable.state.h.data)).toEqual(Array.from(f.state.h.data));
      // stepTable reads the rows of a table in place: the bits of stepProjected on the gathered rows.
      const table = layer.projectInput(random(rng, [7, 5])); // [7, gateWidth]
      const ids = Int32Array.from({ length: B }, (_, i) => (3 * i + 2) % 7);
      const gathered = gatherRows(Tape.noGrad(), table, ids);
      const direct = frozen.stepTable(table, ids, state);
      const viaGather = frozen.stepProjected(gathered, state);
      expect(Array.from(direct.output.data)).toEqual(Array.from(viaGather.output.data));
      expect(Array.from(direct.state.h.data)).toEqual(Array.from(viaGather.state.h.data));
      if (kind === 'lstm')
        expect(Array.from(direct.state.c!.data)).toEqual(Array.from(viaGather.state.c!.data));
    }
    expect(() => frozen.stepTable(Tensor.zeros([3, 5]), [0])).toThrow(/stepTable table/);
    // A snapshot: changing the weights afterwards changes step() but not the frozen steps.
    const x = random(rng, [2, 5]);
    const before = frozen.step(x).output.toArray();
    for (const [, p] of layer.parameters()) if (p.shape[1] === 16) p.data.fill(0.01);
    expect(frozen.step(x).output.toArray()).toEqual(before);
    expect(layer.step(x).output.toArray()).not.toEqual(before);
    expect(() => make(kind, { bidirectional: true }).frozenSteps()).toThrow(OptionError);
  });

  it('T chained one-step forwards on one tape give the same values and gradients as one forward', () => {
    const [B, T, I] = [2, 7, 3];
    const rng = new Rng(4);
    const x = random(rng, [B, T, I]);
    const dy = random(rng, [B, T, 4]);
    const run = (chained: boolean) => {
      const layer = make(kind, { numLayers: 2 });
      const tape = new Tape();
      const xs = Tensor.from(x.data, x.shape, true);
      let h: Tensor;
      if (!chained) {
        const r = layer.forward(tape, xs);
        tape.backward(r.output, dy.data);
        h = r.state.h;
      } else {
        let state: RecurrentState | undefined;
        const outs: Tensor[] = [];
        const xts: Tensor[] = [];
        for (let t = 0; t < T; t++) {
          const xt = Tensor.zeros([B, 1, I], true);
          for (let b = 0; b < B; b++)
            xt.data.set(x.data.subarray((b * T + t) * I, (b * T + t + 1) * I), b * I);
          const r = layer.forward(tape, xt, state ? { state } : {});
          outs.push(r.output);
          xts.push(xt);
          state = r.state;
        }
        for (let t = 0; t < T - 1; t++) {
          const g = outs[t]!.ensureGrad();
          for (let b = 0; b < B; b++) g.set(dy.data.subarray((b * T + t) * 4, (b * T + t + 1) * 4), b * 4);
        }
        const last = new Float32Array(B * 4);
        for (let b = 0; b < B; b++) last.set(dy.data.subarray((b * T + T - 1) * 4, (b * T + T) * 4), b * 4);
        tape.backward(outs[T - 1]!, last);
        const gx = xs.ensureGrad();
        for (let t = 0; t < T; t++) {
          for (let b = 0; b < B; b++) gx.set(xts[t]!.grad!.subarray(b * I, (b + 1) * I), (b * T + t) * I);
        }
        h = state!.h;
      }
      return {
        h: h.toArray(),
        gx: Array.from(xs.grad!),
        gw: [...layer.parameters()].map(([, p]) => Array.from(p.grad!)),
      };
    };
    const one = run(false);
    const chained = run(true);
    expectClose(chained.h, one.h, 1e-6, 'h');
    expectClose(chained.gx, one.gx, 1e-5, 'grad x');
    chained.gw.forEach((g, i) => {
      expectClose(g, one.gw[i]!, 1e-5, `grad param ${i}`);
    });
  });

  it('repeated training steps reuse workspaces without leaking values between shapes', () => {
    const layer = make(kind, { numLayers: 2, bidirectional: true });
    const rng = new Rng(5);
    const xa = random(rng, [3, 4, 3]);
    const xb = random(rng, [2, 6, 3]);
    const la = Int32Array.from([2, 4, 3]);
    const grads = (x: Tensor, lengths?: Int32Array): number[] => {
      for (const [, p] of layer.parameters()) p.zeroGrad();
      const tape = new Tape();
      const r = layer.forward(tape, x, lengths ? { lengths } : {});
      tape.backward(r.output);
      return [...layer.parameters()].flatMap(([, p]) => Array.from(p.grad!));
    };
    const first = grads(xa, la);
    grads(xb);
    grads(xa);
    expect(grads(xa, la)).toEqual(first);
  });
});

describe('long sequences', () => {
  it('a 2,000-step unroll backpropagates without overflowing the stack', () => {
    const lstm = new LSTM({
      inputSize: 3,
      hiddenSize: 6,
      numLayers: 2,
      bidirectional: true,
      rng: new Rng(6),
    });
    const x = random(new Rng(7), [2, 2000, 3]);
    x.requiresGrad = true;
    const tape = new Tape();
    const r = lstm.forward(tape, x);
    tape.backward(r.output);
    expect(x.grad!.every(Number.isFinite)).toBe(true);
    expect(x.grad!.some((v) => v !== 0)).toBe(true);
    for (const [, p] of lstm.parameters()) expect(p.grad!.every(Number.isFinite)).toBe(true);
  });

  it('2,000 chained step forwards on one tape backpropagate too', () => {
    const gru = new GRU({ inputSize: 2, hiddenSize: 3, rng: new Rng(8) });
    const tape = new Tape();
    const rng = new Rng(9);
    let state: RecurrentState | undefined;
    let out: Tensor | undefined;
    for (let t = 0; t < 2000; t++) {
      const r = gru.forward(tape, random(rng, [1, 1, 2]), state ? { state } : {});
      state = r.state;
      out = r.output;
    }
    expect(tape.length).toBe(2000);
    tape.backward(out!);
    expect(gru.cells[0]!.wHh.grad!.every(Number.isFinite)).toBe(true);
    expect(gru.cells[0]!.wHh.grad!.some((v) => v !== 0)).toBe(true);
  });
});

describe('state detaching (truncated BPTT)', () => {
  it('detachState copies the values and cuts the graph', () => {
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, rng: new Rng(10) });
    const tape = new Tape();
    const x = random(new Rng(11), [2, 3, 3]);
    const r = lstm.forward(tape, x);
    const d = detachState(r.state);
    expect(d.h.requiresGrad).toBe(false);
    expect(d.c!.requiresGrad).toBe(false);
    expect(d.h.toArray()).toEqual(r.state.h.toArray());
    expect(d.h.data).not.toBe(r.state.h.data);
    expect(detachState({ h: r.state.h }).c).toBeUndefined();
  });

  it('carrying a detached state continues the sequence and sends no gradient into the previous batch', () => {
    const gru = new GRU({ inputSize: 3, hiddenSize: 4, numLayers: 2, rng: new Rng(12) });
    const x = random(new Rng(13), [2, 6, 3]);
    const half = (from: number): Tensor => {
      const t = Tensor.zeros([2, 3, 3]);
      for (let b = 0; b < 2; b++)
        t.data.set(x.data.subarray((b * 6 + from) * 3, (b * 6 + from + 3) * 3), b * 9);
      return t;
    };
    const whole = gru.forward(Tape.noGrad(), x);
    const tape1 = new Tape();
    const first = gru.forward(tape1, half(0));
    tape1.backward(first.output);
    const tape2 = new Tape();
    const second = gru.forward(tape2, half(3), { state: detachState(first.state) });
    tape2.backward(second.output);
    expect(first.state.h.grad).toBeNull();
    expectClose(second.state.h.data, whole.state.h.data, 1e-6, 'h after both halves');
    for (let b = 0; b < 2; b++) {
      const o = (b * 6 + 3) * 4;
      expectClose(
        second.output.data.subarray(b * 12, b * 12 + 12),
        whole.output.data.subarray(o, o + 12),
        1e-6,
        'output',
      );
    }
  });
});

describe('dropout between layers', () => {
  it('applies in training only, never after the top layer, and is reproducible from the seed', () => {
    const x = random(new Rng(14), [2, 4, 3]);
    const mk = (p: number, layers: number) =>
      new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: layers, dropout: p, rng: new Rng(15) });
    const a = mk(0.5, 2).forward(Tape.noGrad(), x).output.toArray();
    const b = mk(0.5, 2).forward(Tape.noGrad(), x).output.toArray();
    const plain = mk(0, 2).forward(Tape.noGrad(), x).output.toArray();
    expect(a).toEqual(b);
    expect(a).not.toEqual(plain);
    const evalLayer = mk(0.5, 2);
    evalLayer.train(false);
    expect(evalLayer.forward(Tape.noGrad(), x).output.toArray()).toEqual(plain);
    // One layer: nothing between layers to drop.
    expect(mk(0.5, 1).forward(Tape.noGrad(), x).output.toArray()).toEqual(
      mk(0, 1).forward(Tape.noGrad(), x).output.toArray(),
    );
  });
});

describe('tape and backends', () => {
  it('records nothing on a no-grad tape and one step on a recording tape', () => {
    const rnn = new RNN({ inputSize: 3, hiddenSize: 4, rng: new Rng(16) });
    const x = random(new Rng(17), [2, 3, 3]);
    const off = Tape.noGrad();
    const r = rnn.forward(off, x);
    expect(off.length).toBe(0);
    expect(r.output.requiresGrad).toBe(false);
    const on = new Tape();
    const r2 = rnn.forward(on, x);
    expect(on.length).toBe(1);
    expect(r2.output.requiresGrad).toBe(true);
    on.backward(r2.output);
    expect(x.grad).toBeNull(); // x did not ask for a gradient
    expect(rnn.cells[0]!.wIh.grad!.some((v) => v !== 0)).toBe(true);
  });

  it('uses the kernels active at call time', () => {
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, rng: new Rng(18) });
    const x = random(new Rng(19), [2, 3, 3]);
    const expected = lstm.forward(Tape.noGrad(), x).output.toArray();
    const counts = { gemm: 0, gemmPacked: 0, lstmStepPacked: 0 };
    const prev = kernels();
    const probe: Kernels = {
      ...prev,
      name: 'probe',
      gemm: (...args) => {
        counts.gemm++;
        prev.gemm(...args);
      },
      gemmPacked: (...args) => {
        counts.gemmPacked++;
        prev.gemmPacked(...args);
      },
      lstmStepPacked: (...args) => {
        counts.lstmStepPacked++;
        prev.lstmStepPacked(...args);
      },
    };
    useKernels(probe);
    let out: number[];
    try {
      out = lstm.forward(Tape.noGrad(), x).output.toArray();
    } finally {
      useKernels(prev);
    }
    expect(out).toEqual(expected);
    expect(counts.gemm).toBe(0);
    // one input projection of all steps on W_ih packed once, then per step one fused recurrent product + cell
    // on W_hh packed once
    expect(counts.gemmPacked).toBe(1);
    expect(counts.lstmStepPacked).toBe(3);
  });
});

describe('typed errors', () => {
  const x = Tensor.zeros([2, 3, 3]);

  it('bad options are OptionErrors naming the option', () => {
    const base = { inputSize: 3, hiddenSize: 4, rng: new Rng(1) };
    const bad: [Partial<RecurrentOptions> & { nonlinearity?: string }, RegExp][] = [
      [{ hiddenSize: 0 }, /hiddenSize: expected a positive integer, got 0/],
      [{ inputSize: -1 }, /inputSize/],
      [{ numLayers: 1.5 }, /numLayers/],
      [{ dropout: 1.5 }, /dropout: expected a probability in \[0, 1\), got 1.5/],
      [{ dropout: -0.1 }, /dropout/],
      [{ dropout: Number.NaN }, /dropout/],
      [{ rng: undefined as unknown as Rng }, /rng/],
      [{ nonlinearity: 'sigmoid' }, /nonlinearity/],
    ];
    for (const [o, msg] of bad) {
      expect(() => new RNN({ ...base, ...o } as RecurrentOptions)).toThrow(OptionError);
      expect(() => new RNN({ ...base, ...o } as RecurrentOptions)).toThrow(msg);
    }
    expect(() => new LSTM({ ...base, hiddenSize: 0 })).toThrow(/LSTM hiddenSize/);
  });

  it('wrong input width, rank or size is a ShapeError', () => {
    const gru = new GRU({ inputSize: 3, hiddenSize: 4, rng: new Rng(1) });
    expect(() => gru.forward(Tape.noGrad(), Tensor.zeros([2, 3, 5]))).toThrow(ShapeError);
    expect(() => gru.forward(Tape.noGrad(), Tensor.zeros([2, 3, 5]))).toThrow(
      /expected \[\*, \*, 3\], got \[2, 3, 5\]/,
    );
    expect(() => gru.forward(Tape.noGrad(), Tensor.zeros([6, 3]))).toThrow(ShapeError);
    expect(() => gru.forward(Tape.noGrad(), Tensor.zeros([2, 0, 3]))).toThrow(ShapeError);
    expect(() => gru.step(Tensor.zeros([1, 4]))).toThrow(ShapeError);
  });

  it('a wrong state is a ShapeError', () => {
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, rng: new Rng(1) });
    const h = Tensor.zeros([2, 2, 4]);
    expect(() => lstm.forward(Tape.noGrad(), x, { state: { h: Tensor.zeros([1, 2, 4]), c: h } })).toThrow(
      /state\.h .*expected \[2, 2, 4\], got \[1, 2, 4\]/,
    );
    expect(() => lstm.forward(Tape.noGrad(), x, { state: { h } })).toThrow(ShapeError);
    expect(() => lstm.forward(Tape.noGrad(), x, { state: { h, c: Tensor.zeros([2, 3, 4]) } })).toThrow(
      ShapeError,
    );
    const gru = new GRU({ inputSize: 3, hiddenSize: 4, numLayers: 2, rng: new Rng(1) });
    expect(() => gru.forward(Tape.noGrad(), x, { state: { h, c: h } })).toThrow(/only LSTM/);
    expect(() => gru.forward(Tape.noGrad(), x, { state: { h: Tensor.zeros([2, 2, 5]) } })).toThrow(
      ShapeError,
    );
  });

  it('lengths of the wrong count or out of [1, T] are ShapeErrors', () => {
    const rnn = new RNN({ inputSize: 3, hiddenSize: 4, rng: new Rng(1) });
    const f = (l: number[]) => () => rnn.forward(Tape.noGrad(), x, { lengths: Int32Array.from(l) });
    expect(f([3])).toThrow(/lengths: expected 2 entries/);
    expect(f([3, 0])).toThrow(/lengths\[1\]: expected an integer in \[1, 3\]/);
    expect(f([4, 1])).toThrow(ShapeError);
    expect(f([-1, 2])).toThrow(ShapeError);
  });

  it('step() on a bidirectional layer is an OptionError', () => {
    const gru = new GRU({ inputSize: 3, hiddenSize: 4, bidirectional: true, rng: new Rng(1) });
    expect(() => gru.step(Tensor.zeros([1, 3]))).toThrow(OptionError);
  });
});
