"""rand(1_000_000) and randn(1_000_000): numtorch's PyTorch-exact samplers against PyTorch's.

    python benchmarks/random_speed.py [--threads 1 2] [--rounds 5]

The NumPy floor is NumPy's own generator (a different stream: the price of matching PyTorch's
bit for bit shows against it). Each library times in child processes of its own, the libraries
taking turns (see numtorch/cli/harness.py).
"""

from __future__ import annotations

import os
import sys

N = 1_000_000


def sample_call(T, name: str):
    if T is None:
        import numpy as np

        rng = np.random.default_rng(0)
        return lambda: getattr(rng, "random" if name == "rand" else "standard_normal")(
            N, dtype=np.float32
        )
    T.manual_seed(0)
    return lambda: getattr(T, name)(N)


WORKLOADS = [{"name": f"{{name}}({N:_})", "make": sample_call, "grid": {"name": ["rand", "randn"]}}]

if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from numtorch.cli.harness import script_main

    sys.exit(script_main(__file__))
