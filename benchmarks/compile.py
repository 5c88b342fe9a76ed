"""torch.compile: the training steps of the demo's network (64-32-10) and the seed article's
(784-128-10), compiled by numtorch and by PyTorch (inductor), beside eager and the NumPy floor.

    python benchmarks/compile.py [--threads 1] [--rounds 5] [--only 784] [--clock cpu]

The rows are ``numtorch bench``'s training steps (numtorch/cli/bench_cases.py): two bias-free
Linear layers with a sigmoid after each, MSELoss and SGD, at batch 1, 64 and 512. Each column
times in child processes of its own, the columns taking turns (see numtorch/cli/harness.py). A
compiled column wraps the step in ``T.compile`` and times its first call apart: the warm-up
(numtorch's recording; PyTorch's tracing and C++ code generation).
"""

from __future__ import annotations

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

COLUMNS = [
    {"name": "numtorch", "module": "numtorch"},
    {"name": "numtorch compiled", "module": "numtorch", "compile": {}},
    {"name": "PyTorch", "module": "torch"},
    {"name": "PyTorch inductor", "module": "torch", "compile": {}},
    {"name": "NumPy floor", "module": None},
]
RATIOS = [
    ("numtorch compiled", "PyTorch"),
    ("numtorch compiled", "NumPy floor"),
    ("PyTorch inductor", "PyTorch"),
]


def table(results: dict, harness) -> str:
    """Markdown: per column the median (min-max), the ratios of ``RATIOS``, and the warm-up of
    both compilers."""
    names = [c["name"] for c in COLUMNS]
    ratios = [f"{a} / {b}" for a, b in RATIOS]
    head = f"| workload | threads | {' | '.join(names + ratios)} | warm-up numtorch / PyTorch |"
    lines = [head, "|---|---:|" + "---:|" * (len(names) + len(ratios) + 1)]
    for (label, threads), by_column in results.items():
        cells = {n: harness._cell(by_column.get(n, []), by_column["unit"]) for n in names}
        out = [cells[n][0] for n in names]
        for a, b in RATIOS:
            mine, theirs = cells[a][1], cells[b][1]
            out.append(f"{mine / theirs:.2f}" if mine and theirs else "-")
        warm = [harness._cell(by_column.get(n, []), "s", "first")[0] for n in names[1::2]]
        lines.append(f"| {label} | {threads} | {' | '.join(out)} | {' / '.join(warm)} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    import argparse

    from numtorch.cli import harness

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    harness.add_arguments(parser)
    args = parser.parse_args(argv)
    cases = os.path.join(ROOT, "numtorch", "cli", "bench_cases.py")
    only = args.only or "training step"
    results = harness.measure(
        [cases], args.threads, args.rounds, args.min_time, only, COLUMNS, args.clock
    )
    clock = "" if args.clock == "wall" else "; CPU time of each child process"
    print(harness.header(args.threads, args.rounds) + clock + "\n\n" + table(results, harness))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, ROOT)
    sys.exit(main())
