"""The GPU check: numtorch on CuPy against PyTorch CUDA, on a machine with an NVIDIA GPU.

    python benchmarks/gpu_check.py [--quick]

Needs CuPy (``pip install -e ".[cuda13]"`` or ``".[cuda12]"``), PyTorch with CUDA and the test
extra. It is meant to fit one run of 10 minutes (the tests are cut off at 4) and prints one
table:

1. the ``gpu``-marked tests (tests/test_gpu_ops.py, tests/test_gpu_sweep.py: every primitive,
   tests/test_cuda_device.py, tests/test_autocast.py): ops, modules and optimizers on "cuda"
   against the same on the CPU, values and gradients, and autocast's CUDA dtypes;
2. training steps of the seed network (784-128-10), LeNet-5 and a 2-layer LSTM (hidden 128,
   50 steps) at batch 64, 512 and 4096, warm, synchronised;
3. an 8192x8192 matmul in float32 and bfloat16.

Each library is timed in a process of its own (``--worker numtorch`` / ``--worker torch``, one
after the other), never both in one process.

Without a GPU it makes a dry run of the same steps, so that the script itself is checked before
a GPU is at hand: numtorch on the stand-in GPU of tests/cuda_standin.py, PyTorch on the CPU,
batch 64 only, the matmul at 256x256. Its figures are not GPU timings and get no ratio.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "benchmarks")]

from lenet_lstm import LSTMNet, lenet  # noqa: E402


def _by_path(name: str, path: str):
    """A module loaded from its file, so that no package (numtorch's included) is imported."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_CASES = os.path.join(ROOT, "numtorch", "cli", "bench_cases.py")
make_network = _by_path("bench_cases", _CASES).make_network

BATCHES = (64, 512, 4096)
NETWORKS = ("seed 784-128-10", "LeNet-5", "LSTM 2x128")


def run_tests() -> tuple[str, str]:
    cmd = [sys.executable, "-m", "pytest", "-q", "-m", "gpu", "-p", "no:cacheprovider"]
    cmd += ["tests/test_gpu_ops.py", "tests/test_gpu_sweep.py", "tests/test_cuda_device.py"]
    cmd += ["tests/test_autocast.py"]  # the no-GPU checks skip
    try:
        out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=240)
    except subprocess.TimeoutExpired:  # CuPy compiles each kernel on first use
        return "gpu tests", "cut off after 240 s"
    lines = out.stdout.strip().splitlines()
    failed = [ln for ln in lines if ln.startswith("FAILED")]
    for ln in failed:
        print(ln)
    return "gpu tests", lines[-1] if lines else out.stderr[-200:]


def _timed(step, sync, budget=2.0, most=50) -> float:
    """Milliseconds per call: three warm-up calls, then calls until ``budget`` seconds."""
    for _ in range(3):
        step()
    sync()
    n, start = 0, time.perf_counter()
    while n < most and (n < 3 or time.perf_counter() - start < budget):
        step()
        n += 1
    sync()
    return (time.perf_counter() - start) / n * 1e3


def _model(T, name, batch):
    rng = np.random.default_rng(batch)
    if name == "seed 784-128-10":
        net = make_network(T.nn, 784, 128, 10)
        x, y = rng.random((batch, 784), dtype=np.float32), rng.random((batch, 10), np.float32)
        return net, x, y, T.nn.MSELoss()
    if name == "LeNet-5":
        net, shape = lenet(T.nn), (batch, 1, 28, 28)
    else:
        net, shape = LSTMNet(T.nn), (50, batch, 28)
    x, y = rng.standard_normal(shape, dtype=np.float32), rng.integers(0, 10, batch)
    return net, x, y, T.nn.CrossEntropyLoss()


def _to(net, device):
    if hasattr(net, "to"):
        return net.to(device)
    net.lstm.to(device)
    net.head.to(device)
    return net


class Target:
    """Where a worker runs its library: the GPU, or in a dry run the stand-in GPU (numtorch)
    or the CPU (PyTorch)."""

    def __init__(self, T):
        self.gpu = T.cuda.is_available()
        if self.gpu:
            self.device, self.sync, self.size = "cuda", T.cuda.synchronize, 8192
            return
        self.device = "cpu" if T.__name__ == "torch" else "cuda"
        self.sync, self.size = (lambda: None), 256
        if self.device == "cuda":  # numtorch's device plumbing, on NumPy arrays
            sys.path.insert(0, os.path.join(ROOT, "tests"))
            from cuda_standin import BACKEND

            from numtorch import _backend

            _backend.register_backend("cuda", BACKEND)


def train_ms(T, at: Target, name, batch) -> float:
    T.manual_seed(0)
    net, x, y, loss_fn = _model(T, name, batch)
    net = _to(net, at.device)
    x, y = T.tensor(x, device=at.device), T.tensor(y, device=at.device)
    opt = T.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)

    def step():
        opt.zero_grad()
        loss_fn(net(x), y).backward()
        opt.step()

    return _timed(step, at.sync)


def matmul_ms(T, at: Target, dtype_name) -> float:
    dtype = getattr(T, dtype_name)
    a = T.randn(at.size, at.size, device=at.device).to(dtype)
    b = T.randn(at.size, at.size, device=at.device).to(dtype)
    return _timed(lambda: a @ b, at.sync, budget=1.0, most=20)


def _cell(fn, *args) -> str:
    try:
        return f"{fn(*args):.2f}"
    except Exception as e:  # a row that fails says why and the table goes on
        return f"error: {type(e).__name__}: {str(e)[:60]}"


def _ratio(a: str, b: str) -> str:
    try:
        return f"{float(a) / float(b):.2f}x"
    except ValueError:
        return "-"


def _cases(quick: bool) -> list:
    cases = [(name, batch) for name in NETWORKS for batch in (BATCHES[:1] if quick else BATCHES)]
    return cases + [("matmul", dt) for dt in ("float32", "bfloat16")]


def worker(name: str, quick: bool) -> None:
    """Time every case with one library (this process imports no other), printing a JSON line
    about the run and then one per case as it is measured, so a run cut off keeps its rows."""
    T = __import__(name)
    at = Target(T)
    if name == "numtorch":
        about = T.cuda.get_device_name() if at.gpu else "no GPU: a dry run"
    else:
        about = f"PyTorch {T.__version__}, CUDA {T.version.cuda} on {at.device}"
    print(json.dumps({"about": about, "gpu": at.gpu}), flush=True)
    for case, arg in _cases(quick or not at.gpu):  # a dry run checks the steps at batch 64
        if case == "matmul":
            label, cell = f"matmul {at.size}x{at.size} {arg}", _cell(matmul_ms, T, at, arg)
        else:
            label, cell = f"{case} step, batch {arg}", _cell(train_ms, T, at, case, arg)
        print(json.dumps({label: cell}), flush=True)


def _run_worker(name: str, quick: bool, limit: float) -> dict:
    """A worker's rows; one that runs past ``limit`` seconds keeps those it printed."""
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", name]
    cmd += ["--quick"] if quick else []
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=limit)
        out, err = done.stdout, done.stderr
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else e.stdout or ""
        err = f"{name} worker cut off after {limit:.0f} s"
        print(err)
    lines = [json.loads(ln) for ln in out.splitlines() if ln.startswith("{")]
    if not lines:
        raise SystemExit(f"{name} worker printed no row:\n{err[-2000:]}")
    cells = {k: v for line in lines[1:] for k, v in line.items()}
    return {**lines[0], "cells": cells}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="batch 64 only, no tests")
    parser.add_argument("--worker", choices=("numtorch", "torch"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args.worker, args.quick)
    rows = [] if args.quick else [(*run_tests(), "", "")]
    # within one call of 10 minutes: tests 240 s, numtorch 150 s, PyTorch 120 s, starts
    nt, pt = _run_worker("numtorch", args.quick, 150), _run_worker("torch", args.quick, 120)
    print(f"{time.strftime('%Y-%m-%d')}  {nt['about']}  ({pt['about']})")
    for label, mine in nt["cells"].items():
        theirs = pt["cells"].get(label, "-")
        rows.append((label, mine, theirs, _ratio(mine, theirs) if nt["gpu"] else "-"))
    print("| case | numtorch ms | PyTorch ms | ratio |\n|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
