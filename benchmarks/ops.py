"""Per-op time: numtorch against PyTorch and raw NumPy, in one run.

    python benchmarks/ops.py [--repeat 7]

For each op, on a 3-element and a 1000x1000 float32 tensor: microseconds per call for the
forward alone and for forward + backward (``y.backward(g)`` with a precomputed ``g``); medians
of repeated timing runs, numtorch's and PyTorch's runs taken in turn so that a busy moment of
the machine falls on both. Both run with their default thread counts (printed).
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


def _loops(fn):
    """The loop count that makes one timing run take ~0.1 s."""
    n, _ = timeit.Timer(fn).autorange()
    return max(1, n // 2)


def _time_in_turn(fns, repeat):
    """Median seconds per call of each function, their timing runs interleaved."""
    timers = [(timeit.Timer(fn), _loops(fn)) for fn in fns]
    runs = [[] for _ in fns]
    for _ in range(repeat):
        for (timer, n), times in zip(timers, runs):
            times.append(timer.timeit(n) / n)
    return [statistics.median(times) for times in runs]


def _inputs(module, shape, requires_grad):
    rng = np.random.default_rng(0)
    a = rng.standard_normal(shape).astype("float32")
    b = rng.standard_normal(shape).astype("float32")
    ta = module.tensor(a, requires_grad=requires_grad)
    tb = module.tensor(b, requires_grad=requires_grad)
    return ta, tb, a, b


def measure(name, shape, repeat):
    op, np_op = OPS[name]
    fwd, step = {}, {}
    for label, module in (("numtorch", numtorch), ("torch", torch)):
        if module is None:
            continue
        ta, tb, *_ = _inputs(module, shape, False)
        fwd[label] = lambda m=module, a=ta, b=tb: op(m, a, b)
        ga, gb, *_ = _inputs(module, shape, True)
        g = module.ones_like(op(module, ga, gb))
        step[label] = lambda m=module, a=ga, b=gb, g=g: op(m, a, b).backward(g)
    _, _, a, b = _inputs(numtorch, shape, False)
    fwd["numpy"] = lambda: np_op(a, b)
    row = dict(zip((k + " fwd" for k in fwd), _time_in_turn(list(fwd.values()), repeat)))
    row.update(zip((k + " fwd+bwd" for k in step), _time_in_turn(list(step.values()), repeat)))
    return row


def _warm_up(seconds=3.0):
    """Run tiny forward+backward steps first: PyTorch's first second of backward calls is
    several times slower than its steady state, which would land on whichever op came first."""
    for module in (numtorch, torch):
        if module is None:
            continue
        a = module.ones(3, requires_grad=True)
        g = module.ones(3)
        end = timeit.default_timer() + seconds
        while timeit.default_timer() < end:
            (a * a).backward(g)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--ops", default=",".join(OPS))
    args = parser.parse_args(argv)
    print(f"numtorch {numtorch.version.numtorch}, {numtorch.get_num_threads()} threads", end="")
    if torch is not None:
        print(f"; torch {torch.__version__}, {torch.get_num_threads()} threads", end="")
    print()
    cols = ["numtorch fwd", "torch fwd", "numpy fwd", "numtorch fwd+bwd", "torch fwd+bwd"]
    _warm_up()
    print(f"{'op':8} {'size':>9} " + " ".join(f"{c:>16}" for c in cols) + f" {'ratio fwd+bwd':>14}")
    for name in args.ops.split(","):
        for shape, label in (((3,), "3"), ((1000, 1000), "1000x1000")):
            try:
                row = measure(name, shape, args.repeat)
            except (AttributeError, TypeError, RuntimeError) as e:
                print(f"{name:8} {label:>9}  skipped: {e}")
                continue
            cells = " ".join(f"{row[c] * 1e6:16.1f}" if c in row else f"{'-':>16}" for c in cols)
            ratio = (
                row["numtorch fwd+bwd"] / row["torch fwd+bwd"]
                if "torch fwd+bwd" in row
                else float("nan")
            )
            print(f"{name:8} {label:>9} {cells} {ratio:14.2f}")


if __name__ == "__main__":
    main()
