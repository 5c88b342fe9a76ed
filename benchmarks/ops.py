"""Per-op time: numtorch against PyTorch and raw NumPy, in one run.

    python benchmarks/ops.py [--repeat 7]

For each op, on a 3-element and a 1000x1000 float32 tensor: microseconds per call for the
forward alone and for forward + backward (``y.backward(g)`` with a precomputed ``g``); medians
of repeated timing runs. PyTorch runs with its default thread count, which is printed.
"""

from __future__ import annotations

import argparse
import statistics
import timeit

import numpy as np

import numtorch

try:
    import torch
except ImportError:  # the comparison column stays empty
    torch = None

OPS = {
    "add": (lambda m, a, b: a + b, lambda a, b: a + b),
    "mul": (lambda m, a, b: a * b, lambda a, b: a * b),
    "matmul": (lambda m, a, b: a @ b, lambda a, b: a @ b),
    "sum": (lambda m, a, b: a.sum(), lambda a, b: a.sum()),
    "exp": (lambda m, a, b: m.exp(a), lambda a, b: np.exp(a)),
    "index": (lambda m, a, b: a[1:], lambda a, b: a[1:]),
}


def _time(fn, repeat):
    """Median seconds per call, with the loop count chosen so one run takes ~0.1 s."""
    timer = timeit.Timer(fn)
    n, _ = timer.autorange()
    n = max(1, n // 2)
    return statistics.median(t / n for t in timer.repeat(repeat, n))


def _inputs(module, shape, requires_grad):
    rng = np.random.default_rng(0)
    a = rng.standard_normal(shape).astype("float32")
    b = rng.standard_normal(shape).astype("float32")
    ta = module.tensor(a, requires_grad=requires_grad)
    tb = module.tensor(b, requires_grad=requires_grad)
    return ta, tb, a, b


def measure(name, shape, repeat):
    op, np_op = OPS[name]
    row = {}
    for label, module in (("numtorch", numtorch), ("torch", torch)):
        if module is None:
            continue
        ta, tb, *_ = _inputs(module, shape, False)
        row[label + " fwd"] = _time(lambda m=module, a=ta, b=tb: op(m, a, b), repeat)
        ga, gb, *_ = _inputs(module, shape, True)
        g = module.ones_like(op(module, ga, gb))

        def step(m=module, a=ga, b=gb, g=g):
            op(m, a, b).backward(g)

        row[label + " fwd+bwd"] = _time(step, repeat)
    _, _, a, b = _inputs(numtorch, shape, False)
    row["numpy fwd"] = _time(lambda: np_op(a, b), repeat)
    return row


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--ops", default=",".join(OPS))
    args = parser.parse_args(argv)
    if torch is not None:
        print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    cols = ["numtorch fwd", "torch fwd", "numpy fwd", "numtorch fwd+bwd", "torch fwd+bwd"]
    print(f"{'op':8} {'size':>9} " + " ".join(f"{c:>16}" for c in cols)
          + f" {'ratio fwd+bwd':>14}")
    for name in args.ops.split(","):
        for shape, label in (((3,), "3"), ((1000, 1000), "1000x1000")):
            try:
                row = measure(name, shape, args.repeat)
            except (AttributeError, TypeError, RuntimeError) as e:
                print(f"{name:8} {label:>9}  skipped: {e}")
                continue
            cells = " ".join(
                f"{row[c] * 1e6:16.1f}" if c in row else f"{'-':>16}" for c in cols)
            ratio = (row["numtorch fwd+bwd"] / row["torch fwd+bwd"]
                     if "torch fwd+bwd" in row else float("nan"))
            print(f"{name:8} {label:>9} {cells} {ratio:14.2f}")


if __name__ == "__main__":
    main()
