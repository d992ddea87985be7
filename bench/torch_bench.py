#!/usr/bin/env python3
"""PyTorch contender for `pnpm bench`: the same line protocol as bench/src/protocol.ts.

Reads one JSON request per stdin line and answers `@@bench <json>` on stdout. Threads are set by the
parent through the environment: OPENBLAS_NUM_THREADS (BLAS threads) and this script's --threads for
torch's intra-op pool (the fair 2-core setting is OpenBLAS 2, torch 1; see shared/PERFORMANCE.md).
When `import torch` fails, `info` answers available: false and every other op an error.
"""
import argparse
import json
import os
import resource
import sys
import time

MARK = "@@bench "

parser = argparse.ArgumentParser()
parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads")
args = parser.parse_args()

try:
    import torch
    import torch.nn as nn

    torch.set_num_threads(args.threads)
    torch.manual_seed(1234)
    TORCH_ERROR = None
except Exception as e:  # ImportError, or a broken install
    torch = None
    TORCH_ERROR = f"{type(e).__name__}: {e}"


def reply(obj):
    sys.stdout.write(MARK + json.dumps(obj) + "\n")
    sys.stdout.flush()


def rss_bytes():
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def peak_rss_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def blas_name():
    """The BLAS actually loaded (Debian's torch links the generic libblas.so.3, an alternatives link)."""
    torch.mm(torch.ones(2, 2), torch.ones(2, 2))
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "blas" in line.lower() and "/" in line}
    except OSError:
        return "unknown BLAS"
    names = " ".join(os.path.realpath(p) for p in libs).lower()
    for key, label in (("openblas", "OpenBLAS"), ("mkl", "MKL"), ("blis", "BLIS"), ("libblas", "reference BLAS")):
        if key in names:
            return label
    return "unknown BLAS"


def info(_req):
    if torch is None:
        return {"available": False, "reason": f"not installed ({TORCH_ERROR})", "version": "torch", "threads": 0}
    blas_threads = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    return {
        "available": True,
        "version": f"torch {torch.__version__} + {blas_name()}",
        "threads": max(args.threads, int(blas_threads) if blas_threads.isdigit() else 1),
        "notes": f"OPENBLAS_NUM_THREADS={blas_threads}, torch.set_num_threads({args.threads})",
    }


GEMM = {}


def gemm(req):
    form, m, n, k = req["form"], req["m"], req["n"], req["k"]
    key = (form, m, n, k)
    if key not in GEMM:
        # Stored in the layout the form names; the transposes are views, as in the layers' own matmuls.
        a = torch.rand(k, m) - 0.5 if form == "tn" else torch.rand(m, k) - 0.5
        b = torch.rand(n, k) - 0.5 if form == "nt" else torch.rand(k, n) - 0.5
        c = torch.empty(m, n)
        at = a.t() if form == "tn" else a
        bt = b.t() if form == "nt" else b
        torch.mm(at, bt, out=c)  # warm-up
        GEMM.clear()
        GEMM[key] = (at, bt, c)
    at, bt, c = GEMM[key]
    calls = 0
    c0 = time.process_time()
    t0 = time.perf_counter()
    while True:
        torch.mm(at, bt, out=c)
        calls += 1
        el = time.perf_counter() - t0
        if el >= req["minSeconds"]:
            return {"calls": calls, "seconds": el, "cpuSeconds": time.process_time() - c0}


WORK = {}


def setup(req):
    task, cell, c = req["task"], req["cell"], req["config"]
    cls = nn.LSTM if cell == "lstm" else nn.GRU
    layer = cls(c["input"], c["hidden"], batch_first=True)
    layer.train(task == "train")
    x = torch.rand(c["batch"], c["seq"], c["input"]) - 0.5
    target = torch.rand(c["batch"], c["seq"], c["hidden"]) - 0.5
    opt = None
    if task == "train":
        opt = (
            torch.optim.Adam(layer.parameters(), lr=1e-3)
            if c["optimizer"] == "adam"
            else torch.optim.SGD(layer.parameters(), lr=0.01)
        )
    WORK[(task, cell)] = (layer, x, target, opt, c["batch"] * c["seq"])
    return None


PEAK = {"rss": 0}


def run(req):
    layer, x, target, opt, tokens = WORK[(req["task"], req["cell"])]
    seconds, cpu = [], []
    for _ in range(req["steps"]):
        c0 = time.process_time()
        t0 = time.perf_counter()
        if opt is not None:
            out, _state = layer(x)
            loss = torch.nn.functional.mse_loss(out, target)
            opt.zero_grad(set_to_none=False)
            loss.backward()
            opt.step()
        else:
            with torch.no_grad():
                layer(x)
        seconds.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    mem = {"rss": rss_bytes()}
    PEAK["rss"] = max(PEAK["rss"], peak_rss_bytes(), mem["rss"])
    return {"seconds": seconds, "cpuSeconds": cpu, "tokens": tokens, "memory": mem, "peak": dict(PEAK)}


SAMPLER = {}


def sample_setup(req):
    c = req["config"]
    SAMPLER.clear()
    SAMPLER.update(
        emb=nn.Embedding(c["vocab"], c["embed"]),
        lstm=nn.LSTM(c["embed"], c["hidden"], batch_first=True).eval(),
        head=nn.Linear(c["hidden"], c["vocab"]),
        state=None,
        id=torch.zeros(1, 1, dtype=torch.long),
        gen=torch.Generator().manual_seed(99),
    )
    return None


def sample(req):
    s = SAMPLER
    emb, lstm, head, gen = s["emb"], s["lstm"], s["head"], s["gen"]
    state, ids = s["state"], s["id"]
    chars = req["chars"]
    c0 = time.process_time()
    t0 = time.perf_counter()
    with torch.no_grad():
        for _ in range(chars):
            out, state = lstm(emb(ids), state)  # [1, 1, H]
            probs = torch.softmax(head(out[:, -1]), dim=-1)  # [1, V]
            ids = torch.multinomial(probs, 1, generator=gen)  # [1, 1]
    el = time.perf_counter() - t0
    s["state"], s["id"] = state, ids
    return {"chars": chars, "seconds": el, "cpuSeconds": time.process_time() - c0}


def memory(_req):
    return {"rss": rss_bytes()}


HANDLERS = {"info": info, "gemm": gemm, "setup": setup, "run": run, "sampleSetup": sample_setup,
            "sample": sample, "memory": memory}

for line in sys.stdin:
    line = line.strip()
    if not line:
        continue
    try:
        req = json.loads(line)
    except ValueError as e:
        reply({"ok": False, "error": f"bad request line: {e}"})
        continue
    op = req.get("op")
    if op == "quit":
        reply({"ok": True, "result": None})
        break
    h = HANDLERS.get(op)
    if h is None:
        reply({"ok": False, "error": f"op {op} not supported"})
    elif torch is None and op != "info":
        reply({"ok": False, "error": f"torch not available: {TORCH_ERROR}"})
    else:
        try:
            reply({"ok": True, "result": h(req)})
        except Exception as e:
            reply({"ok": False, "error": f"{type(e).__name__}: {e}"})
