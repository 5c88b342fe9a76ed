"""torch.compile: a training step of the seed's network, each library in its own process.

    python benchmarks/compile.py [--rounds 5] [--repeats 300] [--threads 1] [--batches 1 64 512]

Rows: the demo's network (64-32-10) and the seed article's (784-128-10), two bias-free Linear
layers with sigmoids, MSELoss, SGD, at each batch. Columns, each timed in a child process of
its own (the children alternate, round after round, so that all see the same machine load):
numtorch eager, numtorch compiled, PyTorch eager, PyTorch compiled (inductor), and the NumPy
floor (the same step written by hand). Each child warms up, then reports the median of
``--repeats`` steps; the table shows the median over rounds and the spread (min-max). Warm-up is
the first call of the compiled step (recording, or PyTorch's tracing and code generation).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

NETS = {"64-32-10": (64, 32, 10), "784-128-10": (784, 128, 10)}
LIBS = ("numtorch", "numtorch.compile", "torch", "torch.compile", "numpy")


def child(lib: str, net: str, batch: int, repeats: int) -> dict:
    """Time one library's step in this process; returns the figures as a dict."""
    from numtorch.cli.bench_cases import _batch, numpy_step_fn, train_step_fn

    sizes = NETS[net]
    x, y = _batch(batch, sizes)
    if lib == "numpy":
        step = numpy_step_fn(x, y, sizes[1])
    else:
        T = __import__(lib.split(".")[0])
        if T.__name__ == "torch":
            T.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
        step = train_step_fn(T, x, y, sizes[1])
        if lib.endswith(".compile"):
            step = T.compile(step)
    start = time.perf_counter()
    step()
    warmup = time.perf_counter() - start
    for _ in range(max(20, repeats // 10)):
        step()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return {"us": statistics.median(times) * 1e6, "warmup_s": warmup}


def run_child(lib, net, batch, repeats, threads) -> dict:
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(threads)
    cmd = [sys.executable, __file__, "--child", lib, "--net", net, "--batch", str(batch)]
    cmd += ["--repeats", str(repeats)]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _cell(values) -> str:
    return f"{statistics.median(values):.0f} ({min(values):.0f}-{max(values):.0f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=300)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 64, 512])
    parser.add_argument("--nets", nargs="+", default=list(NETS), choices=list(NETS))
    parser.add_argument("--libs", nargs="+", default=list(LIBS), choices=list(LIBS))
    parser.add_argument("--child", choices=LIBS)
    parser.add_argument("--net", choices=list(NETS))
    parser.add_argument("--batch", type=int)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.net, args.batch, args.repeats)))
        return
    print(
        f"us per training step, median over {args.rounds} rounds (min-max); "
        f"{args.threads} thread(s)"
    )
    print(
        "| network | batch | " + " | ".join(args.libs) + " | compiled / torch eager | "
        "compiled / NumPy | warm-up numtorch / torch (s) |"
    )
    print("|---" * (len(args.libs) + 5) + "|")
    for net in args.nets:
        for batch in args.batches:
            figures = {lib: [] for lib in args.libs}
            for _ in range(args.rounds):
                for lib in args.libs:
                    figures[lib].append(run_child(lib, net, batch, args.repeats, args.threads))
            print(_row(net, batch, args.libs, figures), flush=True)


def _row(net, batch, libs, figures) -> str:
    us = {lib: [f["us"] for f in figures[lib]] for lib in libs}
    cells = [_cell(us[lib]) for lib in libs]
    med = {lib: statistics.median(v) for lib, v in us.items()}
    ratio = lambda a, b: f"{med[a] / med[b]:.2f}" if a in med and b in med else "-"  # noqa: E731
    warm = [
        f"{statistics.median(f['warmup_s'] for f in figures[lib]):.2f}" if lib in figures else "-"
        for lib in ("numtorch.compile", "torch.compile")
    ]
    return (
        f"| {net} | {batch} | " + " | ".join(cells) + f" | {ratio('numtorch.compile', 'torch')} | "
        f"{ratio('numtorch.compile', 'numpy')} | {' / '.join(warm)} |"
    )


if __name__ == "__main__":
    main()
