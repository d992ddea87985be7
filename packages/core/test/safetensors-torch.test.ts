/**
 * Interoperability with PyTorch: a file we write is read by a minimal safetensors reader in Python
 * (json + struct + torch.frombuffer, since Debian's python3-torch ships without the `safetensors`
 * package), and a file that Python writes from torch tensors is read by us.
 * Needs `/usr/bin/python3` with torch (Debian: `apt-get install python3-torch`).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSafetensorsFileSync, Tensor, writeSafetensorsFileSync } from '../src/index.ts';

const PYTHON = '/usr/bin/python3';
const dir = mkdtempSync(join(tmpdir(), 'recurrent-safetensors-torch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const READER = `
import json, struct, sys, torch
DT = {"F32": torch.float32, "F64": torch.float64, "I32": torch.int32, "I64": torch.int64, "U8": torch.uint8}
raw = open(sys.argv[1], "rb").read()
(n,) = struct.unpack("<Q", raw[:8])
header = json.loads(raw[8:8 + n].decode("utf-8"))
data = raw[8 + n:]
out = {"metadata": header.pop("__metadata__", {}), "tensors": {}}
for name, info in header.items():
    b, e = info["data_offsets"]
    dt = DT[info["dtype"]]
    t = torch.frombuffer(bytearray(data[b:e]), dtype=dt) if e > b else torch.empty(0, dtype=dt)
    t = t.reshape(info["shape"])
    vals = t.reshape(-1).tolist()
    if dt == torch.int64:
        vals = [str(v) for v in vals]
    out["tensors"][name] = {"dtype": str(t.dtype), "shape": list(t.shape), "values": vals}
print(json.dumps(out))
`;

const WRITER = `
import json, struct, sys, torch
g = torch.Generator().manual_seed(3)
tensors = {
    "w": torch.randn(3, 4, generator=g, dtype=torch.float32),
    "d": torch.randn(5, generator=g, dtype=torch.float64),
    "ids": torch.tensor([[1, -2], [2**31 - 1, -2**31]], dtype=torch.int32),
    "big": torch.tensor([2**62 + 1, -7], dtype=torch.int64),
    "mask": torch.tensor([0, 1, 255], dtype=torch.uint8),
}
header, blobs, off = {"__metadata__": {"format": "pt", "note": "from python"}}, [], 0
for name, t in tensors.items():
    b = t.contiguous().numpy().tobytes()
    dt = {torch.float32: "F32", torch.float64: "F64", torch.int32: "I32", torch.int64: "I64", torch.uint8: "U8"}[t.dtype]
    header[name] = {"dtype": dt, "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
    blobs.append(b)
    off += len(b)
h = json.dumps(header).encode("utf-8")
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
expect = {k: [str(v) if t.dtype == torch.int64 else v for v in t.reshape(-1).tolist()] for k, t in tensors.items()}
print(json.dumps(expect))
`;

function python(script: string, arg: string): string {
  const r = spawnSync(PYTHON, ['-c', script, arg], { encoding: 'utf8', timeout: 120_000 });
  if (r.error || r.status !== 0) {
    throw new Error(
      `${PYTHON} with torch is needed for this test (Debian: apt-get install python3-torch): ${r.error?.message ?? r.stderr}`,
    );
  }
  return r.stdout;
}

describe('safetensors interoperability with PyTorch', () => {
  it('PyTorch reads the tensors and metadata we write', () => {
    const file = join(dir, 'ours.safetensors');
    const w = Tensor.from([0.1, -2.5, 3.25, 1e-20, -0, 7], [2, 3]);
    writeSafetensorsFileSync(
      file,
      [
        ['encoder.weight_ih_l0', w],
        ['bias', Tensor.from([1, 2, 3, 4], [4])],
        ['ids', { dtype: 'I64', shape: [2], data: BigInt64Array.from([2n ** 60n + 3n, -1n]) }],
        ['empty', Tensor.zeros([0, 3])],
      ],
      { config: JSON.stringify({ hidden: 3 }), tokenizer: '{"kind":"char","chars":"é✓"}' },
    );
    const got = JSON.parse(python(READER, file)) as {
      metadata: Record<string, string>;
      tensors: Record<string, { dtype: string; shape: number[]; values: (number | string)[] }>;
    };
    expect(got.metadata).toEqual({ config: '{"hidden":3}', tokenizer: '{"kind":"char","chars":"é✓"}' });
    expect(got.tensors['encoder.weight_ih_l0']).toEqual({
      dtype: 'torch.float32',
      shape: [2, 3],
      values: Array.from(w.data),
    });
    expect(got.tensors.bias!.values).toEqual([1, 2, 3, 4]);
    expect(got.tensors.ids).toEqual({
      dtype: 'torch.int64',
      shape: [2],
      values: [String(2n ** 60n + 3n), '-1'],
    });
    expect(got.tensors.empty).toEqual({ dtype: 'torch.float32', shape: [0, 3], values: [] });
  });

  it('we read what PyTorch writes, every dtype', () => {
    const file = join(dir, 'theirs.safetensors');
    const expected = JSON.parse(python(WRITER, file)) as Record<string, (number | string)[]>;
    const f = readSafetensorsFileSync(file);
    expect(f.metadata).toEqual({ format: 'pt', note: 'from python' });
    expect(f.tensors.get('w')!.shape).toEqual([3, 4]);
    expect(f.tensors.get('ids')!.shape).toEqual([2, 2]);
    for (const [name, values] of Object.entries(expected)) {
      const e = f.tensors.get(name)!;
      const ours = e.dtype === 'I64' ? Array.from(e.data, String) : Array.from(e.data as ArrayLike<number>);
      expect(ours, name).toEqual(values);
    }
  });
});
