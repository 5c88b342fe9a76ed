"""Training steps of the seed article's network (784-128-10) and the demo's (64-32-10).

    python benchmarks/seed_network.py [--threads 1 2] [--rounds 5] [--only 784]

Two bias-free Linear layers with a sigmoid after each, MSELoss and SGD, at batch 1, 64 and 512:
the rows of ``numtorch bench`` (numtorch/cli/bench_cases.py) that train a network, with the
hand-written NumPy step as the floor. Each library times in child processes of its own, the
libraries taking turns (see numtorch/cli/harness.py).
"""

from __future__ import annotations

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

if __name__ == "__main__":
    sys.path.insert(0, ROOT)
    import argparse

    from numtorch.cli import harness

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    harness.add_arguments(parser)
    args = parser.parse_args()
    cases = os.path.join(ROOT, "numtorch", "cli", "bench_cases.py")
    only = args.only or "training step"
    print(harness.run([cases], args.threads, args.rounds, args.min_time, only=only))
