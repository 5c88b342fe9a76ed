"""``numtorch bench``: numtorch, PyTorch and a hand-written NumPy floor, side by side.

Rows: import time, per-op overhead on 3-element tensors, training steps of the demo's network
(64-32-10) and of the seed article's network (784-128-10) at batch 1, 64 and 512, a training
epoch with DataLoader, saving and loading a 100 MiB checkpoint, and peak memory of training.
Every figure comes from a child process that holds one library alone; the libraries' children
take turns, and each cell gives the median and (min-max) over the rounds. A ratio below 1 means
numtorch is faster or smaller. What each row does: numtorch/cli/bench_cases.py; how figures are
taken: numtorch/cli/harness.py.
"""

from __future__ import annotations

import argparse
import os
import sys

from . import harness


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="numtorch bench",
        description=__doc__.split("\n\n")[1].replace("``", ""),
    )
    harness.add_arguments(parser)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="2 rounds of short loops, one thread count: a smoke test, not numbers",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    rounds, min_time, threads = args.rounds, args.min_time, args.threads
    if args.quick:
        rounds, min_time, threads = 2, 0.02, [max(threads)]
    cases = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench_cases.py")
    print(
        harness.run(
            [cases], threads, rounds, min_time, imports=True, only=args.only, clock=args.clock
        )
    )
    sys.stdout.flush()
    return 0
