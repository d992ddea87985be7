/**
 * PyTorch state-dict interop, both ways, against real torch (Debian's python3-torch at /usr/bin/python3):
 * (a) we write a layer's state dict -> Python builds `torch.nn.LSTM/GRU/RNN` (and Embedding, Linear),
 *     `load_state_dict(strict=True)`, runs the same input -> outputs and final states equal ours to 1e-5;
 * (b) Python writes the state dict of a torch-initialised module (safetensors via json + struct, since the
 *     `safetensors` package may be missing) and its outputs -> we `loadPytorchStateDict` and run -> equal.
 * One Python process serves every case of the file. Without torch the tests fail, naming what to install.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BaseModule,
  decodeSafetensors,
  Embedding,
  encodePytorchStateDict,
  FormatError,
  GRU,
  Linear,
  LSTM,
  loadPytorchStateDict,
  type RecurrentLayer,
  type RecurrentOptions,
  type RecurrentState,
  RNN,
  Rng,
  readSafetensorsFileSync,
  type SafetensorsEntry,
  Tape,
  Tensor,
  toPytorchStateDict,
  writeSafetensorsFileSync,
} from '../src/index.ts';

const PYTHON = '/usr/bin/python3';
const TOL = 1e-5;
const dir = mkdtempSync(join(tmpdir(), 'recurrent-pytorch-interop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Kind = 'lstm' | 'gru' | 'rnn_tanh' | 'rnn_relu';

interface LayerCase {
  id: string;
  kind: Kind;
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  bidirectional: boolean;
  batch: number;
  steps: number;
  /** Valid steps per row (variable-length case), or null for full rows. */
  lengths: number[] | null;
}

const CASES: LayerCase[] = [];
for (const kind of ['lstm', 'gru', 'rnn_tanh', 'rnn_relu'] as const) {
  for (const numLayers of [1, 2]) {
    for (const bidirectional of [false, true]) {
      CASES.push({
        id: `${kind}-l${numLayers}-${bidirectional ? 'bi' : 'uni'}`,
        kind,
        inputSize: 5,
        hiddenSize: 6,
        numLayers,
        bidirectional,
        batch: 3,
        steps: 7,
        lengths: null,
      });
    }
  }
  // PyTorch's packed sequences (pack_padded_sequence) against our `lengths`.
  CASES.push({
    id: `${kind}-l2-bi-lengths`,
    kind,
    inputSize: 4,
    hiddenSize: 5,
    numLayers: 2,
    bidirectional: true,
    batch: 4,
    steps: 6,
    lengths: [6, 2, 4, 1],
  });
}

function makeLayer(c: LayerCase, rng: Rng): RecurrentLayer {
  const o: RecurrentOptions = {
    inputSize: c.inputSize,
    hiddenSize: c.hiddenSize,
    numLayers: c.numLayers,
    bidirectional: c.bidirectional,
    rng,
  };
  if (c.kind === 'lstm') return new LSTM(o);
  if (c.kind === 'gru') return new GRU(o);
  return new RNN({ ...o, nonlinearity: c.kind === 'rnn_relu' ? 'relu' : 'tanh' });
}

function random(rng: Rng, shape: number[], scale = 1): Tensor {
  const t = Tensor.zeros(shape);
  for (let i = 0; i < t.size; i++) t.data[i] = rng.range(-scale, scale);
  return t;
}

/** Embedding -> LSTM -> Linear, the composite case (dotted names, integer input). */
class Tiny extends BaseModule {
  readonly embedding: Embedding;
  readonly rnn: LSTM;
  readonly decoder: Linear;
  constructor(rng: Rng) {
    super();
    this.embedding = this.child('embedding', new Embedding({ numEmbeddings: 11, embeddingDim: 4, rng }));
    this.rnn = this.child('rnn', new LSTM({ inputSize: 4, hiddenSize: 5, numLayers: 2, rng }));
    this.decoder = this.child('decoder', new Linear({ inFeatures: 5, outFeatures: 11, rng }));
  }
  forward(ids: Int32Array, batch: number, steps: number): Tensor {
    const tape = Tape.noGrad();
    const e = this.embedding.forward(tape, ids, [batch, steps]);
    return this.decoder.forward(tape, this.rnn.forward(tape, e).output);
  }
}

const TINY_IDS = Int32Array.from([1, 5, 10, 0, 3, 3, 7, 2, 9, 4, 6, 8]); // [2, 6]

/** Everything the single Python process needs: cases, file names, and the composite model. */
const PY = `
import json, struct, sys, torch
DT = {"F32": torch.float32, "F64": torch.float64, "I32": torch.int32, "I64": torch.int64}
NAME = {v: k for k, v in DT.items()}

def read_st(path):
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    header.pop("__metadata__", None)
    data = raw[8 + n:]
    out = {}
    for name, info in header.items():
        b, e = info["data_offsets"]
        out[name] = torch.frombuffer(bytearray(data[b:e]), dtype=DT[info["dtype"]]).reshape(info["shape"]).clone()
    return out

def write_st(path, tensors):
    header, blobs, off = {"__metadata__": {"format": "pt"}}, [], 0
    for name, t in tensors.items():
        b = t.detach().contiguous().numpy().tobytes()
        header[name] = {"dtype": NAME[t.dtype], "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))

def make(c):
    cls = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn_tanh": torch.nn.RNN, "rnn_relu": torch.nn.RNN}[c["kind"]]
    kw = {"nonlinearity": "relu" if c["kind"] == "rnn_relu" else "tanh"} if c["kind"].startswith("rnn") else {}
    return cls(c["inputSize"], c["hiddenSize"], num_layers=c["numLayers"], bidirectional=c["bidirectional"], batch_first=True, **kw)

def run(m, c, inp):
    x = inp["x"]
    state = (inp["h0"], inp["c0"]) if c["kind"] == "lstm" else inp["h0"]
    with torch.no_grad():
        if c["lengths"] is None:
            y, s = m(x, state)
        else:
            packed = torch.nn.utils.rnn.pack_padded_sequence(x, torch.tensor(c["lengths"]), batch_first=True, enforce_sorted=False)
            y, s = m(packed, state)
            y, _ = torch.nn.utils.rnn.pad_packed_sequence(y, batch_first=True, total_length=c["steps"])
    out = {"output": y}
    if c["kind"] == "lstm":
        out["h"], out["c"] = s
    else:
        out["h"] = s
    return out

class Tiny(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = torch.nn.Embedding(11, 4)
        self.rnn = torch.nn.LSTM(4, 5, num_layers=2, batch_first=True)
        self.decoder = torch.nn.Linear(5, 11)
    def forward(self, ids):
        return self.decoder(self.rnn(self.embedding(ids))[0])

d = sys.argv[1]
cases = json.load(open(d + "/cases.json"))
for i, c in enumerate(cases):
    inp = read_st(d + "/" + c["id"] + ".input.safetensors")
    # (a) our weights, loaded strictly into torch's own module.
    m = make(c)
    m.load_state_dict(read_st(d + "/" + c["id"] + ".ours.safetensors"), strict=True)
    write_st(d + "/" + c["id"] + ".torch-out.safetensors", run(m, c, inp))
    # (b) torch's own initialisation, for us to import.
    torch.manual_seed(1000 + i)
    m = make(c)
    write_st(d + "/" + c["id"] + ".theirs.safetensors", m.state_dict())
    write_st(d + "/" + c["id"] + ".theirs-out.safetensors", run(m, c, inp))

ids = read_st(d + "/tiny.input.safetensors")["ids"].long()
t = Tiny()
t.load_state_dict(read_st(d + "/tiny.ours.safetensors"), strict=True)
with torch.no_grad():
    write_st(d + "/tiny.torch-out.safetensors", {"logits": t(ids)})
torch.manual_seed(7)
t = Tiny()
write_st(d + "/tiny.theirs.safetensors", t.state_dict())
with torch.no_grad():
    write_st(d + "/tiny.theirs-out.safetensors", {"logits": t(ids)})
print("ok", len(cases))
`;

interface Prepared {
  layer: RecurrentLayer;
  x: Tensor;
  state: RecurrentState;
}
const prepared = new Map<string, Prepared>();
let tiny: Tiny;
let pythonError: Error | null = null;

/** Throws the Python failure (torch missing...) inside the test that needs its results. */
function needPython(): void {
  if (pythonError !== null) throw pythonError;
}

function read(name: string): Map<string, SafetensorsEntry> {
  return readSafetensorsFileSync(join(dir, name)).tensors;
}

function f32(m: Map<string, SafetensorsEntry>, key: string): Float32Array {
  const e = m.get(key);
  if (e === undefined || e.dtype !== 'F32') throw new Error(`no F32 tensor "${key}" in the Python output`);
  return e.data;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

function runOurs(p: Prepared, c: LayerCase) {
  const opts =
    c.lengths === null ? { state: p.state } : { state: p.state, lengths: Int32Array.from(c.lengths) };
  return p.layer.forward(Tape.noGrad(), p.x, opts);
}

function expectSameOutputs(
  c: LayerCase,
  ours: ReturnType<typeof runOurs>,
  torchOut: Map<string, SafetensorsEntry>,
): void {
  expect(maxAbsDiff(ours.output.data, f32(torchOut, 'output')), `${c.id} output`).toBeLessThan(TOL);
  expect(maxAbsDiff(ours.state.h.data, f32(torchOut, 'h')), `${c.id} h_n`).toBeLessThan(TOL);
  if (c.kind === 'lstm')
    expect(maxAbsDiff(ours.state.c!.data, f32(torchOut, 'c')), `${c.id} c_n`).toBeLessThan(TOL);
}

beforeAll(() => {
  const rng = new Rng(2024);
  for (const c of CASES) {
    const layer = makeLayer(c, rng);
    const x = random(rng, [c.batch, c.steps, c.inputSize]);
    const sShape = [c.numLayers * (c.bidirectional ? 2 : 1), c.batch, c.hiddenSize];
    const state: RecurrentState =
      c.kind === 'lstm'
        ? { h: random(rng, sShape, 0.5), c: random(rng, sShape, 0.5) }
        : { h: random(rng, sShape, 0.5) };
    if (c.lengths !== null) {
      // PyTorch never reads padding; make sure we do not either.
      for (let b = 0; b < c.batch; b++)
        x.data.fill(Number.NaN, (b * c.steps + c.lengths[b]!) * c.inputSize, (b + 1) * c.steps * c.inputSize);
    }
    prepared.set(c.id, { layer, x, state });
    writeFileSync(join(dir, `${c.id}.ours.safetensors`), encodePytorchStateDict(layer));
    const inputs: [string, Tensor][] = [
      [
        'x',
        c.lengths === null
          ? x
          : Tensor.from(
              x.data.map((v) => (Number.isNaN(v) ? 0 : v)),
              x.shape,
            ),
      ],
      ['h0', state.h],
    ];
    if (state.c) inputs.push(['c0', state.c]);
    writeSafetensorsFileSync(join(dir, `${c.id}.input.safetensors`), inputs);
  }
  tiny = new Tiny(rng);
  writeFileSync(join(dir, 'tiny.ours.safetensors'), encodePytorchStateDict(tiny));
  writeSafetensorsFileSync(join(dir, 'tiny.input.safetensors'), [
    ['ids', { dtype: 'I32', shape: [2, 6], data: TINY_IDS }],
  ]);
  writeFileSync(join(dir, 'cases.json'), JSON.stringify(CASES));

  const r = spawnSync(PYTHON, ['-c', PY, dir], { encoding: 'utf8', timeout: 300_000 });
  if (r.error || r.status !== 0) {
    pythonError = new Error(
      `PyTorch interop needs ${PYTHON} with torch (Debian: apt-get install python3-torch); the Python side failed: ${r.error?.message ?? r.stderr.trim().split('\n').slice(-3).join(' | ')}`,
    );
  }
});

describe('PyTorch loads our state dicts (strict) and computes the same outputs', () => {
  for (const c of CASES) {
    it(`${c.id}`, () => {
      needPython();
      const p = prepared.get(c.id)!;
      expectSameOutputs(c, runOurs(p, c), read(`${c.id}.torch-out.safetensors`));
    });
  }

  it('Embedding -> 2-layer LSTM -> Linear under dotted names', () => {
    needPython();
    const ours = tiny.forward(TINY_IDS, 2, 6);
    expect(maxAbsDiff(ours.data, f32(read('tiny.torch-out.safetensors'), 'logits'))).toBeLessThan(TOL);
  });
});

describe('we import state dicts that PyTorch wrote and compute the same outputs', () => {
  for (const [i, c] of CASES.entries()) {
    it(`${c.id}`, () => {
      needPython();
      const layer = makeLayer(c, new Rng(i));
      const before = layer.cells[0]!.wIh.data.slice();
      loadPytorchStateDict(layer, read(`${c.id}.theirs.safetensors`), {
        source: `${c.id}.theirs.safetensors`,
      });
      expect(maxAbsDiff(before, layer.cells[0]!.wIh.data)).toBeGreaterThan(0); // really replaced
      const p = prepared.get(c.id)!;
      expectSameOutputs(c, runOurs({ ...p, layer }, c), read(`${c.id}.theirs-out.safetensors`));
    });
  }

  it('Embedding -> 2-layer LSTM -> Linear under dotted names', () => {
    needPython();
    const m = new Tiny(new Rng(5));
    loadPytorchStateDict(m, read('tiny.theirs.safetensors'));
    const ours = m.forward(TINY_IDS, 2, 6);
    expect(maxAbsDiff(ours.data, f32(read('tiny.theirs-out.safetensors'), 'logits'))).toBeLessThan(TOL);
  });
});

describe('strict loading', () => {
  const lstm = () => new LSTM({ inputSize: 3, hiddenSize: 2, numLayers: 2, rng: new Rng(1) });
  const dictOf = (m: BaseModule): Map<string, SafetensorsEntry> =>
    decodeSafetensors(encodePytorchStateDict(m)).tensors;

  it('names every key PyTorch expects, in its order', () => {
    expect([...toPytorchStateDict(lstm()).keys()]).toEqual([
      'weight_ih_l0',
      'weight_hh_l0',
      'bias_ih_l0',
      'bias_hh_l0',
      'weight_ih_l1',
      'weight_hh_l1',
      'bias_ih_l1',
      'bias_hh_l1',
    ]);
    expect(decodeSafetensors(encodePytorchStateDict(lstm())).metadata).toEqual({ format: 'pt' });
  });

  it('rejects a missing key, an unexpected key, a wrong shape or dtype, and changes nothing', () => {
    const target = lstm();
    const original = [...target.parameters()].map(([, p]) => p.data.slice());
    const good = dictOf(new LSTM({ inputSize: 3, hiddenSize: 2, numLayers: 2, rng: new Rng(9) }));

    const missing = new Map(good);
    missing.delete('bias_hh_l1');
    expect(() => loadPytorchStateDict(target, missing)).toThrow(
      /key "bias_hh_l1": expected a tensor \[8\], got missing/,
    );

    const extra = new Map(good);
    extra.set('weight_ih_l2', good.get('weight_ih_l1')!);
    expect(() => loadPytorchStateDict(target, extra)).toThrow(/unexpected key "weight_ih_l2"/);

    const shaped = new Map(good);
    shaped.set('weight_hh_l0', { dtype: 'F32', shape: [2, 8], data: new Float32Array(16) });
    expect(() => loadPytorchStateDict(target, shaped)).toThrow(
      /"weight_hh_l0" shape: expected \[8, 2\], got \[2, 8\]/,
    );

    const typed = new Map(good);
    typed.set('bias_ih_l0', { dtype: 'I32', shape: [8], data: new Int32Array(8) });
    expect(() => loadPytorchStateDict(target, typed)).toThrow(FormatError);

    for (const [i, [, p]] of [...target.parameters()].entries()) expect(p.data).toEqual(original[i]);
    loadPytorchStateDict(target, good);
    expect(target.cells[1]!.bHh!.data).toEqual(good.get('bias_hh_l1')!.data as Float32Array);
  });

  it('renames and aliases (a tied weight is written twice and must come back equal)', () => {
    class Tied extends BaseModule {
      readonly emb = this.child('emb', new Embedding({ numEmbeddings: 4, embeddingDim: 3, rng: new Rng(2) }));
    }
    const m = new Tied();
    const names = { rename: { 'emb.weight': 'encoder.weight' }, aliases: { 'decoder.weight': 'emb.weight' } };
    const sd = decodeSafetensors(encodePytorchStateDict(m, names)).tensors;
    expect([...sd.keys()]).toEqual(['encoder.weight', 'decoder.weight']);
    const back = new Tied();
    loadPytorchStateDict(back, sd, { names });
    expect(back.emb.weight.data).toEqual(m.emb.weight.data);
    const untied = new Map(sd);
    untied.set('decoder.weight', { dtype: 'F32', shape: [4, 3], data: new Float32Array(12) });
    expect(() => loadPytorchStateDict(back, untied, { names })).toThrow(/tied/);
    const dropped = new Map(sd);
    dropped.delete('decoder.weight');
    expect(() => loadPytorchStateDict(back, dropped, { names })).not.toThrow();
  });
});
