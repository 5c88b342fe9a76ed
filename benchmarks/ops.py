"""Per-op time, forward and forward+backward, on 3-element and 1000x1000 float32 tensors.

    python benchmarks/ops.py [--threads 1 2] [--rounds 5] [--only exp]

Each library times in child processes of its own, the libraries taking turns (see
numtorch/cli/harness.py); forward+backward is ``op(a, b).backward(g)`` with a precomputed ``g``.
The NumPy floor is the forward alone.
"""

from __future__ import annotations

import os
import sys

import numpy as np

OPS = {
    "add": (lambda a, b: a + b, np.add),
    "mul": (lambda a, b: a * b, np.multiply),
    "matmul": (lambda a, b: a @ b, np.matmul),
    "sum": (lambda a, b: a.sum(), lambda a, b: a.sum()),
    "exp": (lambda a, b: a.exp(), lambda a, b: np.exp(a)),
    "sigmoid": (lambda a, b: a.sigmoid(), lambda a, b: 1 / (1 + np.exp(-a))),
    "index": (lambda a, b: a[::2], lambda a, b: a[::2]),
}
SIZES = {"3": (3,), "1000x1000": (1000, 1000)}


def op_call(T, op: str, size: str, backward: bool):
    rng = np.random.default_rng(0)
    a_np = rng.standard_normal(SIZES[size], dtype=np.float32)
    b_np = rng.standard_normal(SIZES[size], dtype=np.float32)
    fn, np_fn = OPS[op]
    if T is None:
        return None if backward else (lambda: np_fn(a_np, b_np))
    a = T.tensor(a_np, requires_grad=backward)
    b = T.tensor(b_np, requires_grad=backward)
    if not backward:
        return lambda: fn(a, b)
    g = T.ones_like(fn(a, b))
    return lambda: fn(a, b).backward(g)


WORKLOADS = [
    {
        "name": "{op}, {size}, " + kind,
        "make": lambda T, op, size, b=backward: op_call(T, op, size, b),
        "grid": {"op": list(OPS), "size": list(SIZES)},
    }
    for kind, backward in (("forward", False), ("forward+backward", True))
]

if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from numtorch.cli.harness import script_main

    sys.exit(script_main(__file__))
