"""PyTorch under a wall-clock budget: how far the SAME kind of character LM gets on this machine in N
minutes, as a reference for `recurrent train-lm --minutes N`. Reads the directory budget.ts wrote
(init weights, train/valid/test ids, run.json); uses parity.py's model, batching and evaluation.

The learning rate follows a cosine from lr to lr/10 over the elapsed fraction of the budget (a schedule
over planned steps cannot finish when the host's speed is unknown), so the run always ends annealed.

Usage: python3 budget.py DIR MINUTES  (prints one JSON line; progress on stderr)
"""
import json
import math
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

from parity import LanguageModel, detach, evaluate, read_safetensors


def main():
    d, minutes = sys.argv[1], float(sys.argv[2])
    torch.set_num_threads(1)
    torch.manual_seed(0)
    run = json.load(open(f"{d}/run.json"))
    model = LanguageModel(run["config"])
    model.load_state_dict(read_safetensors(f"{d}/init.safetensors"), strict=True)
    train_ids = np.fromfile(f"{d}/train.i32", dtype="<i4")
    B, T, lr = run["batchSize"], run["seqLen"], run["lr"]
    stream_len = (len(train_ids) - 1) // B
    per_epoch = stream_len // T
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    budget = minutes * 60
    state, losses, step = None, [], 0
    t0 = time.time()
    model.train()
    while True:
        frac = (time.time() - t0) / budget
        if frac >= 1:
            break
        for g in opt.param_groups:
            g["lr"] = lr / 10 + (lr - lr / 10) * 0.5 * (1 + math.cos(math.pi * frac))
        i = step % per_epoch
        if i == 0:
            state = None
        idx = (np.arange(B) * stream_len + i * T)[:, None] + np.arange(T)[None, :]
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
        step += 1
        if step % 500 == 0:
            print(f"step {step}: loss {np.mean(losses[-100:]):.3f} ({time.time() - t0:.0f} s)", file=sys.stderr, flush=True)
    train_s = time.time() - t0
    out = {"steps": step, "trainSeconds": train_s, "characters": step * B * T, "finalLoss": float(np.mean(losses[-50:]))}
    for split in ("valid", "test"):
        ids = np.fromfile(f"{d}/{split}.i32", dtype="<i4")
        out[split] = evaluate(model, ids, run[f"{split}Characters"])
    print(json.dumps(out))


if __name__ == "__main__":
    main()
