"""The GPU check: numtorch on CuPy against PyTorch CUDA, on a machine with an NVIDIA GPU.

    python benchmarks/gpu_check.py [--quick]

Needs CuPy (``pip install -e ".[cuda13]"`` or ``".[cuda12]"``), PyTorch with CUDA and the test
extra. It is meant to fit one run of 10 minutes (the tests are cut off at 4) and prints one
table:

1. the ``gpu``-marked tests (tests/test_gpu_ops.py, tests/test_cuda_device.py): ops, modules
   and optimizers on "cuda" against the same on the CPU, values and gradients;
2. training steps of the seed network (784-128-10), LeNet-5 and a 2-layer LSTM (hidden 128,
   50 steps) at batch 64, 512 and 4096, numtorch and PyTorch side by side, warm, synchronised;
3. an 8192x8192 matmul in float32 and bfloat16.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "benchmarks")]

import torch  # noqa: E402
from lenet_lstm import LSTMNet, lenet  # noqa: E402

import numtorch  # noqa: E402
from numtorch.cli.bench_cases import make_network  # noqa: E402

BATCHES = (64, 512, 4096)


def run_tests() -> tuple[str, str]:
    cmd = [sys.executable, "-m", "pytest", "-q", "-m", "gpu", "-p", "no:cacheprovider"]
    cmd += ["tests/test_gpu_ops.py", "tests/test_cuda_device.py"]  # the no-GPU checks skip
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


def _to_cuda(net):
    if hasattr(net, "to"):
        return net.to("cuda")
    net.lstm.to("cuda")
    net.head.to("cuda")
    return net


def train_ms(T, name, batch) -> float:
    T.manual_seed(0)
    net, x, y, loss_fn = _model(T, name, batch)
    net = _to_cuda(net)
    x, y = T.tensor(x, device="cuda"), T.tensor(y, device="cuda")
    opt = T.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)

    def step():
        opt.zero_grad()
        loss_fn(net(x), y).backward()
        opt.step()

    return _timed(step, T.cuda.synchronize)


def matmul_ms(T, dtype_name) -> float:
    dtype = getattr(T, dtype_name)
    a = T.randn(8192, 8192, device="cuda").to(dtype)
    b = T.randn(8192, 8192, device="cuda").to(dtype)
    return _timed(lambda: a @ b, T.cuda.synchronize, budget=1.0, most=20)


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="batch 64 only, no tests")
    args = parser.parse_args()
    print(
        f"{time.strftime('%Y-%m-%d')}  {numtorch.cuda.get_device_name()}  "
        f"(PyTorch {torch.__version__}, CUDA {torch.version.cuda})"
    )
    rows = [] if args.quick else [(*run_tests(), "", "")]
    for name in ("seed 784-128-10", "LeNet-5", "LSTM 2x128"):
        for batch in BATCHES[:1] if args.quick else BATCHES:
            nt, pt = _cell(train_ms, numtorch, name, batch), _cell(train_ms, torch, name, batch)
            rows.append((f"{name} step, batch {batch}", nt, pt, _ratio(nt, pt)))
    for dt in ("float32", "bfloat16"):
        nt, pt = _cell(matmul_ms, numtorch, dt), _cell(matmul_ms, torch, dt)
        rows.append((f"matmul 8192x8192 {dt}", nt, pt, _ratio(nt, pt)))
    print("| case | numtorch ms | PyTorch ms | ratio |\n|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
