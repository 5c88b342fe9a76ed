"""Per-op time, forward and forward+backward, on 3-element and 1000x1000 float32 tensors.

    python benchmarks/ops.py [--threads 1 2] [--rounds 5] [--only exp]

Each library times in child processes of its own, the libraries taking turns (see
numtorch/cli/harness.py); forward+backward is ``op(a, b).backward(g)`` with a precomputed ``g``.
The NumPy floor is the forward alone.
"""

from __future__ import annotations

import importlib.util
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _bench_cases():
    """numtorch bench's workloads, loaded by path: this file's child imports no numtorch."""
    path = os.path.join(ROOT, "numtorch", "cli", "bench_cases.py")
    spec = importlib.util.spec_from_file_location("_bench_cases", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CASES = _bench_cases()
SIZES = {"3": (3,), "1000x1000": (1000, 1000)}

WORKLOADS = [
    {
        "name": "{op}, {size}, " + kind,
        "make": lambda T, op, size, b=backward: CASES.op_call(T, op, b, SIZES[size]),
        "grid": {"op": list(CASES.OPS), "size": list(SIZES)},
    }
    for kind, backward in (("forward", False), ("forward+backward", True))
]

if __name__ == "__main__":
    sys.path.insert(0, ROOT)
    from numtorch.cli.harness import script_main

    sys.exit(script_main(__file__))
