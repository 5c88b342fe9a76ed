"""rand/randn(1_000_000) median time: numtorch against PyTorch, measured in one run.

Run: ``python benchmarks/random_speed.py`` (PyTorch must be installed for the comparison).
"""

from __future__ import annotations

import functools
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

import numtorch.random as nr  # noqa: E402
from numtorch.ops import sampling  # noqa: E402

N = 1_000_000
REPEATS = 21


def median_ms_in_turn(*fns) -> list[float]:
    """Median milliseconds per call of each function, their runs taken in turn so that a busy
    moment of the machine falls on all of them."""
    for fn in fns:
        fn()  # warm-up: first calls pay for imports and lazy checks
    times = [[] for _ in fns]
    for _ in range(REPEATS):
        for fn, ts in zip(fns, times):
            start = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - start)
    return [statistics.median(ts) * 1e3 for ts in times]


def main() -> None:
    import torch

    torch.manual_seed(0)
    nr.manual_seed(0)
    print(
        f"capability: torch {torch.backends.cpu.get_cpu_capability()}, "
        f"numtorch {nr.CPU_CAPABILITY}; torch threads {torch.get_num_threads()}"
    )
    for name in ("rand", "randn"):
        ours, theirs = median_ms_in_turn(
            functools.partial(getattr(sampling, name), N),
            functools.partial(getattr(torch, name), N),
        )
        print(
            f"{name}({N}): numtorch {ours:7.2f} ms  torch {theirs:7.2f} ms  "
            f"ratio {ours / theirs:5.2f}x"
        )


if __name__ == "__main__":
    main()
