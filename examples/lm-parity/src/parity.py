"""PyTorch side of the parity run: the same model, initial weights, batches, optimizer, clipping and
evaluation as recurrent's `trainLanguageModel` + `evaluateIds`, read from the directory main.ts wrote.

Usage: python3 parity.py DIR  (prints one JSON line: validation metrics and timings)
"""
import json
import math
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        assert info["dtype"] == "F32", name
        begin, end = info["data_offsets"]
        arr = np.frombuffer(data[base + begin : base + end], dtype="<f4").reshape(info["shape"])
        out[name] = torch.from_numpy(arr.copy())
    return out


class LanguageModel(nn.Module):
    """Embedding -> LSTM/GRU -> Linear, parameter names as in recurrent's LanguageModel."""

    def __init__(self, c):
        super().__init__()
        self.embedding = nn.Embedding(c["vocabSize"], c["embeddingDim"])
        rnn = nn.LSTM if c["cell"] == "lstm" else nn.GRU
        self.rnn = rnn(c["embeddingDim"], c["hiddenSize"], c["numLayers"], batch_first=True)
        self.decoder = nn.Linear(c["hiddenSize"], c["vocabSize"])

    def forward(self, ids, state=None):
        out, state = self.rnn(self.embedding(ids), state)
        return self.decoder(out), state


def detach(state):
    if state is None:
        return None
    return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()


def evaluate(model, ids, characters, streams=16, seq_len=128, context=256):
    """recurrent's evaluateIds: ids[1:] predicted in `streams` contiguous pieces, each read with
    `context` unscored tokens before it, state carried across windows."""
    n = len(ids) - 1
    s_count = min(streams, n)
    per = -(-n // s_count)
    first = [s * per for s in range(s_count)]
    feed = [max(0, f - context) for f in first]
    end = [min(n, f + per) for f in first]
    steps = max(e - f for e, f in zip(end, feed))
    nats = 0.0
    state = None
    model.eval()
    with torch.no_grad():
        for t0 in range(0, steps, seq_len):
            t_len = min(seq_len, steps - t0)
            inputs = np.zeros((s_count, t_len), dtype=np.int64)
            targets = np.full((s_count, t_len), -100, dtype=np.int64)
            for s in range(s_count):
                for t in range(t_len):
                    p = feed[s] + t0 + t
                    if p < end[s]:
                        inputs[s, t] = ids[p]
                        if p >= first[s]:
                            targets[s, t] = ids[p + 1]
            logits, state = model(torch.from_numpy(inputs), state)
            nats += F.cross_entropy(
                logits.reshape(-1, logits.shape[-1]), torch.from_numpy(targets).reshape(-1), ignore_index=-100, reduction="sum"
            ).item()
    return {
        "bitsPerChar": nats / math.log(2) / characters,
        "perplexity": math.exp(nats / n),
        "nats": nats,
        "tokens": n,
        "characters": characters,
    }


def main():
    d = sys.argv[1]
    torch.set_num_threads(1)
    torch.manual_seed(0)
    run = json.load(open(f"{d}/run.json"))
    c = run["config"]
    model = LanguageModel(c)
    init = read_safetensors(f"{d}/init.safetensors")
    model.load_state_dict(init, strict=True)
    train_ids = np.fromfile(f"{d}/train.i32", dtype="<i4")
    valid_ids = np.fromfile(f"{d}/valid.i32", dtype="<i4")
    B, T = run["batchSize"], run["seqLen"]
    stream_len = (len(train_ids) - 1) // B
    per_epoch = stream_len // T
    opt = torch.optim.Adam(model.parameters(), lr=run["lr"])
    state = None
    losses = []
    t_start = time.time()
    model.train()
    for step in range(run["steps"]):
        i = step % per_epoch
        if i == 0:
            state = None  # a new epoch restarts every stream
        starts = np.arange(B) * stream_len + i * T
        idx = starts[:, None] + np.arange(T)[None, :]
        x = torch.from_numpy(train_ids[idx].astype(np.int64))
        y = torch.from_numpy(train_ids[idx + 1].astype(np.int64))
        opt.zero_grad()
        logits, state = model(x, state)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), run["clipNorm"])
        opt.step()
        state = detach(state)
        losses.append(loss.item())
    train_s = time.time() - t_start
    valid = evaluate(model, valid_ids, run["validCharacters"])
    print(json.dumps({"valid": valid, "trainSeconds": train_s, "finalLoss": float(np.mean(losses[-50:])), "losses": losses}))


if __name__ == "__main__":
    main()
