/**
 * `recurrent export --pytorch` and `recurrent import --pytorch` against real PyTorch (/usr/bin/python3 with
 * torch): an exported language model loads with `load_state_dict(strict=True)` into the PyTorch module
 * described in language-model's pytorch-names.ts and gives our logits; a state dict PyTorch initialised and
 * wrote is imported into a model file that gives PyTorch's logits. Both to 1e-5, LSTM and GRU, tied weights.
 * One Python process for the file; without torch the tests fail naming what to install.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  decodeSafetensors,
  Rng,
  readSafetensorsFileSync,
  type SafetensorsEntry,
  Tape,
} from '@recurrent/core';
import {
  LanguageModel,
  type LanguageModelConfig,
  loadLanguageModel,
  saveLanguageModel,
} from '@recurrent/language-model';
import { CharTokenizer } from '@recurrent/tokenizers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as exportPytorch from '../src/commands/export.ts';
import * as importPytorch from '../src/commands/import.ts';
import { runCli } from '../src/run-cli.ts';

const PYTHON = '/usr/bin/python3';
const TOL = 1e-5;
const work = mkdtempSync(join(tmpdir(), 'cli-pytorch-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const TEXT = 'the quick brown fox jumps over the lazy dog. ';
const tokenizer = CharTokenizer.train([TEXT]);
const IDS = tokenizer.encode('the lazy fox jumps over'); // one row
const CASES: { id: string; config: LanguageModelConfig }[] = [
  {
    id: 'lstm2',
    config: { vocabSize: tokenizer.vocabSize, cell: 'lstm', embeddingDim: 6, hiddenSize: 8, numLayers: 2 },
  },
  {
    id: 'gru-tied',
    config: {
      vocabSize: tokenizer.vocabSize,
      cell: 'gru',
      embeddingDim: 8,
      hiddenSize: 8,
      numLayers: 1,
      tieWeights: true,
    },
  },
];

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, [exportPytorch, importPytorch], {
    stdout: (s) => (out += s),
    stderr: (s) => (err += s),
  });
  return { code, out, err };
}

function logits(model: LanguageModel): Float32Array {
  model.train(false);
  return model.forward(Tape.noGrad(), IDS, 1, IDS.length).logits.data;
}

function maxAbsDiff(a: Float32Array, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

function f32(file: string, key: string): Float32Array {
  const e = readSafetensorsFileSync(file).tensors.get(key);
  if (e?.dtype !== 'F32') throw new Error(`no F32 "${key}" in ${file}`);
  return e.data;
}

const PY = `
import json, struct, sys, torch
DT = {"F32": torch.float32, "I32": torch.int32}
def read_st(path):
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {})
    assert meta.get("format") == "pt", meta
    data = raw[8 + n:]
    return {k: torch.frombuffer(bytearray(data[v["data_offsets"][0]:v["data_offsets"][1]]), dtype=DT[v["dtype"]]).reshape(v["shape"]).clone() for k, v in header.items()}
def write_st(path, tensors):
    header, blobs, off = {"__metadata__": {"format": "pt"}}, [], 0
    for name, t in tensors.items():
        b = t.detach().contiguous().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode("utf-8")
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))

class LanguageModel(torch.nn.Module):
    def __init__(self, vocab_size, embedding_dim, hidden_size, num_layers, cell="lstm", tie_weights=False):
        super().__init__()
        self.embedding = torch.nn.Embedding(vocab_size, embedding_dim)
        rnn = torch.nn.LSTM if cell == "lstm" else torch.nn.GRU
        self.rnn = rnn(embedding_dim, hidden_size, num_layers, batch_first=True)
        self.decoder = torch.nn.Linear(hidden_size, vocab_size)
        if tie_weights:
            self.decoder.weight = self.embedding.weight
    def forward(self, ids, state=None):
        output, state = self.rnn(self.embedding(ids), state)
        return self.decoder(output), state

d = sys.argv[1]
job = json.load(open(d + "/job.json"))
ids = torch.tensor([job["ids"]])
for i, c in enumerate(job["cases"]):
    cfg = c["config"]
    make = lambda: LanguageModel(cfg["vocabSize"], cfg["embeddingDim"], cfg["hiddenSize"], cfg["numLayers"], cfg["cell"], cfg.get("tieWeights", False))
    m = make()
    m.load_state_dict(read_st(d + "/" + c["id"] + ".pt.safetensors"), strict=True)
    with torch.no_grad():
        write_st(d + "/" + c["id"] + ".torch-logits.safetensors", {"logits": m(ids)[0]})
    torch.manual_seed(100 + i)
    m = make()
    write_st(d + "/" + c["id"] + ".theirs.safetensors", m.state_dict())
    with torch.no_grad():
        write_st(d + "/" + c["id"] + ".theirs-logits.safetensors", {"logits": m(ids)[0]})
print("ok")
`;

const ours = new Map<string, LanguageModel>();
let pythonError: Error | null = null;
const exported = new Map<string, { code: number; out: string; err: string }>();

beforeAll(async () => {
  for (const [i, c] of CASES.entries()) {
    const model = new LanguageModel(c.config, { rng: new Rng(10 + i) });
    ours.set(c.id, model);
    await saveLanguageModel(join(work, `${c.id}.model.safetensors`), { model, tokenizer });
    exported.set(
      c.id,
      await cli(
        'export',
        '--model',
        join(work, `${c.id}.model.safetensors`),
        '--pytorch',
        join(work, `${c.id}.pt.safetensors`),
      ),
    );
  }
  writeFileSync(join(work, 'job.json'), JSON.stringify({ ids: [...IDS], cases: CASES }));
  const r = spawnSync(PYTHON, ['-c', PY, work], { encoding: 'utf8', timeout: 300_000 });
  if (r.error || r.status !== 0) {
    pythonError = new Error(
      `PyTorch interop needs ${PYTHON} with torch (Debian: apt-get install python3-torch); the Python side failed: ${r.error?.message ?? r.stderr.trim().split('\n').slice(-3).join(' | ')}`,
    );
  }
});

describe('recurrent export --pytorch', () => {
  for (const c of CASES) {
    it(`${c.id}: PyTorch loads the state dict strictly and gives our logits`, () => {
      const r = exported.get(c.id)!;
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/^wrote .*pt\.safetensors: PyTorch state dict, \d+ keys/);
      const sidecar = JSON.parse(readFileSync(join(work, `${c.id}.pt.json`), 'utf8'));
      expect(sidecar.config).toMatchObject(c.config);
      expect(sidecar.tokenizer.kind).toBe('char');
      const keys = [...decodeSafetensors(readFileSync(join(work, `${c.id}.pt.safetensors`))).tensors.keys()];
      expect(keys).toContain('decoder.weight'); // also when tied: PyTorch lists the shared matrix twice
      if (pythonError) throw pythonError;
      expect(
        maxAbsDiff(logits(ours.get(c.id)!), f32(join(work, `${c.id}.torch-logits.safetensors`), 'logits')),
      ).toBeLessThan(TOL);
    });
  }
});

describe('recurrent import --pytorch', () => {
  for (const c of CASES) {
    it(`${c.id}: a state dict PyTorch wrote becomes a model file with PyTorch's logits`, async () => {
      if (pythonError) throw pythonError;
      const out = join(work, `${c.id}.imported.safetensors`);
      const r = await cli(
        'import',
        '--pytorch',
        join(work, `${c.id}.theirs.safetensors`),
        '--config',
        join(work, `${c.id}.pt.json`),
        '--out',
        out,
      );
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      const { model, tokenizer: tok } = await loadLanguageModel(out);
      expect(tok.toJSON()).toEqual(tokenizer.toJSON());
      expect(model.config.tieWeights).toBe(c.config.tieWeights ?? false);
      expect(
        maxAbsDiff(logits(model), f32(join(work, `${c.id}.theirs-logits.safetensors`), 'logits')),
      ).toBeLessThan(TOL);
    });
  }

  it('infers the architecture from the tensor shapes when the config gives only the tokenizer', async () => {
    if (pythonError) throw pythonError;
    const cfg = join(work, 'tokenizer-only.json');
    writeFileSync(cfg, JSON.stringify({ tokenizer: tokenizer.toJSON() }));
    const out = join(work, 'inferred.safetensors');
    const r = await cli(
      'import',
      '--pytorch',
      join(work, 'lstm2.theirs.safetensors'),
      '--config',
      cfg,
      '--out',
      out,
    );
    expect(r.err).toBe('');
    expect(r.out).toMatch(/LSTM language model, 2 x 8, embedding 6/);
    const { model } = await loadLanguageModel(out);
    expect(
      maxAbsDiff(logits(model), f32(join(work, 'lstm2.theirs-logits.safetensors'), 'logits')),
    ).toBeLessThan(TOL);
  });
});

describe('export -> import round trip and errors (no Python)', () => {
  it('gives back the same weights bit for bit', async () => {
    const out = join(work, 'roundtrip.safetensors');
    const r = await cli(
      'import',
      '--pytorch',
      join(work, 'gru-tied.pt.safetensors'),
      '--config',
      join(work, 'gru-tied.pt.json'),
      '--out',
      out,
    );
    expect(r.code).toBe(0);
    const { model } = await loadLanguageModel(out);
    const a = [...model.parameters()];
    const b = [...ours.get('gru-tied')!.parameters()];
    expect(a.map(([n]) => n)).toEqual(b.map(([n]) => n));
    for (const [i, [, p]] of a.entries()) expect(p.data).toEqual(b[i]![1].data);
  });

  it('fails with one line naming the key when a tensor is missing, unexpected or misshapen', async () => {
    const base = decodeSafetensors(readFileSync(join(work, 'lstm2.pt.safetensors'))).tensors;
    const { encodeSafetensors } = await import('@recurrent/core');
    const variants: [string, Map<string, SafetensorsEntry>, RegExp][] = [];
    const missing = new Map(base);
    missing.delete('rnn.bias_hh_l1');
    variants.push(['missing', missing, /key "rnn\.bias_hh_l1": expected a tensor \[32\], got missing/]);
    const extra = new Map(base);
    extra.set('rnn.weight_hr_l0', base.get('decoder.bias')!);
    variants.push(['extra', extra, /unexpected key "rnn\.weight_hr_l0"/]);
    const shaped = new Map(base);
    shaped.set('decoder.bias', { dtype: 'F32', shape: [3], data: new Float32Array(3) });
    variants.push(['shape', shaped, /"decoder\.bias" shape: expected \[\d+\], got \[3\]/]);
    for (const [name, tensors, message] of variants) {
      const file = join(work, `bad-${name}.safetensors`);
      writeFileSync(file, encodeSafetensors(tensors, { format: 'pt' }));
      const r = await cli(
        'import',
        '--pytorch',
        file,
        '--config',
        join(work, 'lstm2.pt.json'),
        '--out',
        join(work, `never-${name}.safetensors`),
      );
      expect(r.code, name).toBe(1);
      expect(r.err, name).toMatch(message);
      expect(r.err.trim().split('\n'), name).toHaveLength(1);
    }
    const noFile = await cli(
      'import',
      '--pytorch',
      join(work, 'absent.safetensors'),
      '--config',
      join(work, 'lstm2.pt.json'),
      '--out',
      join(work, 'x.safetensors'),
    );
    expect(noFile.code).toBe(1);
    expect(noFile.err).toMatch(/absent\.safetensors: expected a readable file, got ENOENT/);
  });
});
