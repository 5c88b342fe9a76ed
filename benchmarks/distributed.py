"""Data-parallel speed: numtorch on MPI against PyTorch on gloo, each in its own processes.

    python benchmarks/distributed.py [--rounds 2] [--quick]

Measures, for each library with 2 ranks on this machine (one BLAS thread per rank):
  * all_reduce of float32 tensors of 4 KB, 1 MB and 64 MB: median time per call and the
    algorithm bandwidth (bytes / time);
  * a DistributedDataParallel training step (forward, backward with the gradient all-reduce,
    SGD step) of the seed network (784-128-10, sigmoids, MSELoss) at per-rank batch 64 and 512;
  * scaling: the same step at 1, 2 and 4 ranks for a fixed global batch of 512.
numtorch's ranks are started by ``mpiexec``, PyTorch's as ``torchrun`` would start them (RANK,
WORLD_SIZE, MASTER_ADDR/PORT; ``init_process_group("gloo")``). The two libraries alternate,
``--rounds`` times, and each figure is the best round's median.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time

SIZES = {"4 KB": 1024, "1 MB": 256 * 1024, "64 MB": 16 * 1024 * 1024}
CALLS = {"4 KB": 400, "1 MB": 60, "64 MB": 6}


def _timed(fn, repeats: int, barrier) -> float:
    """Median seconds per call of ``fn`` (after a warm-up), ranks lined up by ``barrier``."""
    for _ in range(max(2, repeats // 10)):
        fn()
    times = []
    for _ in range(repeats):
        barrier()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _seed_network(lib):
    class network(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.w1 = lib.nn.Linear(784, 128, bias=False)
            self.w2 = lib.nn.Linear(128, 10, bias=False)
            self.sigmoid = lib.nn.Sigmoid()

        def forward(self, x):
            return self.sigmoid(self.w2(self.sigmoid(self.w1(x))))

    return network()


def _ddp_step(lib, batch: int, steps: int) -> float:
    dist = lib.distributed
    lib.manual_seed(0)
    model = lib.nn.parallel.DistributedDataParallel(_seed_network(lib))
    opt = lib.optim.SGD(model.parameters(), lr=0.1)
    x, y = lib.rand(batch, 784), lib.rand(batch, 10)
    loss_fn = lib.nn.MSELoss()

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    return _timed(step, steps, dist.barrier)


def worker(name: str, cases: list, quick: bool) -> None:
    lib = __import__("numtorch" if name == "numtorch" else "torch")
    if name == "torch":
        lib.set_num_threads(1)
    dist = lib.distributed
    dist.init_process_group("gloo")
    results = {}
    for case in cases:
        kind, _, arg = case.partition(":")
        if kind == "all_reduce":
            t = lib.ones(SIZES[arg])
            calls = CALLS[arg] // (4 if quick else 1) or 1
            results[case] = _timed(lambda t=t: dist.all_reduce(t), calls, dist.barrier)
        else:
            batch = int(arg) // (dist.get_world_size() if kind == "scale" else 1)
            results[case] = _ddp_step(lib, batch, 20 if quick else 60)
    if dist.get_rank() == 0:
        print(json.dumps(results))
    dist.destroy_process_group()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _launch(name: str, ranks: int, cases: list, quick: bool) -> dict:
    me = [sys.executable, os.path.abspath(__file__), "--worker", name, "--cases", ",".join(cases)]
    me += ["--quick"] if quick else []
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    if name == "numtorch":
        from numtorch.cli.launch import mpiexec

        out = subprocess.run([mpiexec(), "-n", str(ranks), *me], env=env, capture_output=True)
        outputs = [out]
    else:
        env.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(_free_port()), WORLD_SIZE=str(ranks))
        procs = [
            subprocess.Popen(
                me,
                env=dict(env, RANK=str(r), LOCAL_RANK=str(r)),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )  # fmt: skip
            for r in range(ranks)
        ]
        outputs = [p.communicate() for p in procs]
        outputs = [
            subprocess.CompletedProcess(me, p.returncode, *o) for p, o in zip(procs, outputs)
        ]
    for out in outputs:
        if out.returncode:
            raise SystemExit(f"{name} worker failed:\n{out.stderr.decode()}")
    return json.loads(outputs[0].stdout.decode().strip().splitlines()[-1])


def _collect(name, ranks, cases, quick, into) -> None:
    got = _launch(name, ranks, cases, quick)
    for case, seconds in got.items():
        into.setdefault((name, ranks, case), []).append(seconds)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker")
    parser.add_argument("--cases", default="")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.worker:
        return worker(args.worker, args.cases.split(","), args.quick)
    two = [f"all_reduce:{s}" for s in SIZES] + ["ddp:64", "ddp:512", "scale:512"]
    runs = [(2, two), (1, ["scale:512"]), (4, ["scale:512"])]
    seen = {}
    for _ in range(args.rounds):
        for ranks, cases in runs:
            for name in ("numtorch", "torch"):
                _collect(name, ranks, cases, args.quick, seen)
    _report(seen)


def _report(seen: dict) -> None:
    best = {key: min(values) for key, values in seen.items()}
    print(f"{'case (2 ranks unless said)':<34}{'numtorch':>22}{'PyTorch':>22}{'ratio':>8}")
    for case in [f"all_reduce:{s}" for s in SIZES]:
        n, t = best[("numtorch", 2, case)], best[("torch", 2, case)]
        size = case.split(":")[1]
        nbytes = SIZES[size] * 4
        cells = [f"{x * 1e3:.3f} ms, {nbytes / x / 1e9:.2f} GB/s" for x in (n, t)]
        print(f"{'all_reduce ' + size:<34}{cells[0]:>22}{cells[1]:>22}{n / t:>7.2f}x")
    rows = [(2, "ddp:64", "DDP step, batch 64/rank"), (2, "ddp:512", "DDP step, batch 512/rank")]
    rows += [(r, "scale:512", f"DDP step, global 512, {r} rank(s)") for r in (1, 2, 4)]
    for ranks, case, label in rows:
        n, t = best[("numtorch", ranks, case)], best[("torch", ranks, case)]
        print(f"{label:<34}{n * 1e3:>19.2f} ms{t * 1e3:>19.2f} ms{n / t:>7.2f}x")
    print("ratio: numtorch's time / PyTorch's (below 1: numtorch is faster)")


if __name__ == "__main__":
    main()
