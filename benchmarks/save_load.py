"""Save and load of a ~100 MB state_dict: numtorch against PyTorch in the same run, median
times over several repeats (the file is in the page cache after the first write, for both).

    python benchmarks/save_load.py [--mb 100] [--repeats 5] [--dir /tmp]

Rows: save (PyTorch's own save; numtorch's save is atomic and fsyncs, PyTorch's does neither,
so a second numtorch row without the fsync shows the format cost alone), load (read into memory),
load with mmap=True, and numtorch loading the file PyTorch wrote.
"""

from __future__ import annotations

import argparse
import collections
import os
import statistics
import tempfile
import time

import numpy as np


def state_dict(lib, mb: int):
    """An MLP-like state_dict: 1024x1024 float32 weights (4 MiB each) with biases, plus
    int64 and float16 buffers, totalling ``mb`` megabytes."""
    rng = np.random.default_rng(0)
    sd = collections.OrderedDict()
    layers = max(1, mb * 2**20 // (1024 * 1024 * 4))
    for i in range(layers):
        sd[f"layers.{i}.weight"] = lib.from_numpy(rng.standard_normal((1024, 1024), np.float32))
        sd[f"layers.{i}.bias"] = lib.from_numpy(rng.standard_normal(1024, np.float32))
    sd["norm.num_batches_tracked"] = lib.tensor(7)
    sd["embed.half"] = lib.from_numpy(rng.standard_normal(4096).astype(np.float16))
    return sd


def timed(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--dir", default=None, help="where to write the files")
    args = parser.parse_args()

    import torch

    import numtorch
    from numtorch.serialization import _save

    sd_t, sd_n = state_dict(torch, args.mb), state_dict(numtorch, args.mb)
    nbytes = sum(t.numel() * t.element_size() for t in sd_t.values())
    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        pt, nt = os.path.join(folder, "torch.pt"), os.path.join(folder, "numtorch.pt")
        rows = [
            (
                "save",
                timed(lambda: torch.save(sd_t, pt), args.repeats),
                timed(lambda: numtorch.save(sd_n, nt), args.repeats),
            )
        ]
        fsync = os.fsync
        _save.os.fsync = lambda fd: None
        try:
            rows.append(
                ("save, no fsync", rows[0][1], timed(lambda: numtorch.save(sd_n, nt), args.repeats))
            )
        finally:
            _save.os.fsync = fsync
        rows += [
            (
                "load",
                timed(lambda: torch.load(pt), args.repeats),
                timed(lambda: numtorch.load(nt), args.repeats),
            ),
            (
                "load mmap=True",
                timed(lambda: torch.load(pt, mmap=True), args.repeats),
                timed(lambda: numtorch.load(nt, mmap=True), args.repeats),
            ),
            (
                "load torch's file",
                timed(lambda: torch.load(pt), args.repeats),
                timed(lambda: numtorch.load(pt), args.repeats),
            ),
        ]
    print(
        f"state_dict: {len(sd_t)} tensors, {nbytes / 2**20:.1f} MiB; median of "
        f"{args.repeats}; torch {torch.__version__}, {torch.get_num_threads()} threads"
    )
    print(f"{'':20} {'torch (ms)':>11} {'numtorch (ms)':>14} {'numtorch/torch':>15}")
    for name, t, n in rows:
        print(f"{name:20} {t * 1e3:11.2f} {n * 1e3:14.2f} {n / t:15.2f}")


if __name__ == "__main__":
    main()
