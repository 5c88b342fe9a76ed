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


def _guarded(fn):
    """Run one measurement; a failure leaves its cell empty and says why, instead of losing
    the whole table."""

    def run(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as e:  # noqa: BLE001 - reported, and the table goes on
            print(f"  failed: {fn.__name__}{args[1:] if args else ''}: {e!r}", file=sys.stderr)
            return None

    return run


def collect(numtorch, torch, repeat: int, quick: bool) -> Table:
    from . import bench_cases

    class c:  # the cases, each guarded
        OPS, CHECKPOINT_MB = bench_cases.OPS, bench_cases.CHECKPOINT_MB
        import_time = staticmethod(_guarded(bench_cases.import_time))
        op_time = staticmethod(_guarded(bench_cases.op_time))
        step_time = staticmethod(_guarded(bench_cases.step_time))
        epoch_time = staticmethod(_guarded(bench_cases.epoch_time))
        peak_memory = staticmethod(_guarded(bench_cases.peak_memory))

        @staticmethod
        def save_load_time(T, n):
            return _guarded(bench_cases.save_load_time)(T, n) or (None, None)

    frames = (numtorch, torch)
    table = Table()
    table.add(
        "import",
        "s",
        c.import_time("numtorch", repeat),
        c.import_time("torch", repeat) if torch else None,
        c.import_time("numpy", repeat),
        GOALS["import"],
    )
    for op in c.OPS:
        for backward in (False, True):
            times = [c.op_time(T, op, backward, repeat) if T else None for T in frames]
            floor = None if backward else c.op_time(None, op, False, repeat)
            kind = "forward+backward" if backward else "forward"
            table.add(f"{op}, 3 elements, {kind}", "us", times[0], times[1], floor)
    for batch in (1, 64, 512):
        times = [c.step_time(T, batch, repeat) if T else None for T in frames]
        table.add(
            f"seed network training step, batch {batch}",
            "us" if batch < 512 else "ms",
            times[0],
            times[1],
            c.step_time(None, batch, repeat),
            GOALS[f"step {batch}"],
        )
    times = [c.epoch_time(T, max(3, repeat // 2)) if T else None for T in frames]
    table.add(
        "training epoch, DataLoader, 1,797 digits, batch 64",
        "ms",
        times[0],
        times[1],
        c.epoch_time(None, max(3, repeat // 2)),
    )
    if not quick:
        n = 3
        saves = [c.save_load_time(T, n) if T else (None, None) for T in frames]
        floor = c.save_load_time(None, n)
        table.add(f"save {c.CHECKPOINT_MB} MiB checkpoint", "s", saves[0][0], saves[1][0], floor[0])
        table.add(f"load {c.CHECKPOINT_MB} MiB checkpoint", "s", saves[0][1], saves[1][1], floor[1])
    table.add(
        "peak memory, process training 5 epochs",
        "MiB",
        c.peak_memory("numtorch"),
        c.peak_memory("torch") if torch else None,
        c.peak_memory("numpy"),
        GOALS["memory"],
    )
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
        f"numtorch {numtorch.__version__}, PyTorch "
        f"{torch.__version__ if torch else 'not installed'}, NumPy {numpy.__version__}, "
        f"Python {platform.python_version()}; {platform.machine()}, {os.cpu_count()} cores, "
        f"{args.threads} thread(s) each; medians of {repeat} runs",
        flush=True,
    )
    table = collect(numtorch, torch, repeat, args.quick)
    print(table.render())
    return 0
