"""``numtorch bench``: one table, numtorch against PyTorch in the same run.

Rows: import time, per-op overhead on tiny tensors, the seed network's training step at batch
1, 64 and 512 (``nn.Module`` + ``nn.MSELoss`` + ``optim.SGD``), a training epoch with
``DataLoader``, save and load of a 100 MiB checkpoint, and peak memory of training. Every row
gives numtorch, PyTorch (where installed), the raw-NumPy floor where one exists, and the ratio
numtorch/PyTorch (below 1: numtorch is faster or smaller). Both frameworks use the same number
of threads; times are medians of repeated runs.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import sys

_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

# numtorch/PyTorch goals, where the project has set one.
GOALS = {"import": 0.1, "step 1": 0.9, "step 64": 0.7, "step 512": 0.8, "memory": 1.0}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="numtorch bench", description=__doc__.split("\n\n")[1])
    parser.add_argument(
        "--threads",
        type=int,
        default=os.cpu_count() or 1,
        help="threads for NumPy's BLAS and for PyTorch (the same for both)",
    )
    parser.add_argument("--repeat", type=int, default=7, help="timing runs per row (median)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="fewer repeats and no 100 MiB checkpoint: a smoke test, not numbers",
    )
    return parser


def _reexec_with_threads(threads: int, argv: list[str]) -> None:
    """BLAS reads its thread count when NumPy loads: start over with it set, if it is not."""
    if all(os.environ.get(v) == str(threads) for v in _THREAD_VARS):
        return
    env = dict(os.environ, **{v: str(threads) for v in _THREAD_VARS})
    # The numtorch this code came from, also when it runs from a source tree.
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    cmd = [sys.executable, "-m", "numtorch.cli", "bench", *argv]
    os.execve(sys.executable, cmd, env)


def _frameworks():
    import numtorch

    for sub in ("nn", "optim", "utils.data"):
        importlib.import_module("numtorch." + sub)
    try:
        torch = importlib.import_module("torch")
    except ImportError:
        torch = None
    return numtorch, torch


class Table:
    def __init__(self):
        self.rows = []

    def add(self, name, unit, nt, pt=None, floor=None, goal=None):
        self.rows.append((name, unit, nt, pt, floor, goal))
        print(f"  measured: {name}", file=sys.stderr, flush=True)

    def render(self) -> str:
        head = "| benchmark | numtorch | PyTorch | NumPy floor | numtorch/PyTorch | goal |"
        lines = [head, "|---|---:|---:|---:|---:|---:|"]
        for name, unit, nt, pt, floor, goal in self.rows:
            ratio = f"{nt / pt:.2f}" if pt and nt else "-"
            lines.append(
                f"| {name} | {_fmt(nt, unit)} | {_fmt(pt, unit)} | "
                f"{_fmt(floor, unit)} | {ratio} | {f'<= {goal:g}' if goal else ''} |"
            )
        return "\n".join(lines)


def _fmt(value, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "us":
        return f"{value * 1e6:.1f} us"
    if unit == "ms":
        return f"{value * 1e3:.2f} ms"
    if unit == "s":
        return f"{value:.3f} s"
    return f"{value:.0f} MiB"


def _guarded(fn, *args):
    """``fn(*args)``, or None when it fails: the failure is reported and the table goes on."""
    try:
        return fn(*args)
    except Exception as e:  # noqa: BLE001 - reported, and the table goes on
        print(f"  failed: {fn.__name__}{args}: {e!r}", file=sys.stderr)
        return None


def collect(numtorch, torch, repeat: int, quick: bool) -> Table:
    from . import bench_cases as c

    frames = (numtorch, torch, None)  # None: the hand-written NumPy floor
    table = Table()

    def timed(name, unit, make, goal=None, floor=True, min_time=0.05):
        fns = [_guarded(make, T) if T is not None or floor else None for T in frames]
        fns[1] = fns[1] if torch is not None else None
        times = _guarded(c.median_times, fns, repeat, min_time) or [None] * 3
        table.add(name, unit, *times, goal)

    names = ["numtorch", "torch" if torch else None, "numpy"]
    table.add(
        "import", "s", *(_guarded(c.import_times, names, repeat) or [None] * 3), GOALS["import"]
    )
    for op in c.OPS:
        for backward in (False, True):
            kind = "forward+backward" if backward else "forward"
            timed(
                f"{op}, 3 elements, {kind}",
                "us",
                lambda T, op=op, b=backward: c.op_fn(T, op, b and T is not None),
                floor=not backward,
            )
    for batch in (1, 64, 512):
        timed(
            f"seed network training step, batch {batch}",
            "us" if batch < 512 else "ms",
            lambda T, b=batch: c.step_fn(T, b),
            GOALS[f"step {batch}"],
        )
    timed("training epoch, DataLoader, 1,797 digits, batch 64", "ms", c.epoch_fn, min_time=0.2)
    if not quick:
        saves = [_guarded(c.save_load_time, T, 3) or (None, None) for T in frames]
        if torch is None:
            saves[1] = (None, None)
        table.add(f"save {c.CHECKPOINT_MB} MiB checkpoint", "s", *(s[0] for s in saves))
        table.add(f"load {c.CHECKPOINT_MB} MiB checkpoint", "s", *(s[1] for s in saves))
    mems = [_guarded(c.peak_memory, n) if n else None for n in names]
    table.add("peak memory, process training 5 epochs", "MiB", *mems, GOALS["memory"])
    return table


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    _reexec_with_threads(args.threads, argv)
    numtorch, torch = _frameworks()
    if torch is not None:
        torch.set_num_threads(args.threads)
    repeat = 3 if args.quick else args.repeat
    import numpy

    print(
        f"numtorch {numtorch.version.numtorch}, PyTorch "
        f"{torch.__version__ if torch else 'not installed'}, NumPy {numpy.__version__}, "
        f"Python {platform.python_version()}; {platform.machine()}, {os.cpu_count()} cores, "
        f"{args.threads} thread(s) each; medians of {repeat} runs",
        flush=True,
    )
    table = collect(numtorch, torch, repeat, args.quick)
    print(table.render())
    return 0
