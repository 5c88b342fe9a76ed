"""Save and load of a ~100 MiB state_dict (median of 5 in each child; the file is in the page
cache after the first write, for both libraries).

    python benchmarks/save_load.py [--rounds 5] [--only load]

Rows: save; save without fsync (numtorch's save is atomic and fsyncs, PyTorch's does neither:
this row shows the format's cost alone); load (read into memory); load with mmap=True. Each
library times in child processes of its own, the libraries taking turns (see
numtorch/cli/harness.py).
"""

from __future__ import annotations

import collections
import os
import statistics
import sys
import tempfile
import time

import numpy as np

MB = 100


def state_dict(T):
    """1024x1024 float32 weights (4 MiB each) with biases, plus int64 and float16 buffers."""
    rng = np.random.default_rng(0)
    sd = collections.OrderedDict()
    for i in range(MB // 4):
        sd[f"layers.{i}.weight"] = T.from_numpy(rng.standard_normal((1024, 1024), np.float32))
        sd[f"layers.{i}.bias"] = T.from_numpy(rng.standard_normal(1024, np.float32))
    sd["norm.num_batches_tracked"] = T.tensor(7)
    sd["embed.half"] = T.from_numpy(rng.standard_normal(4096).astype(np.float16))
    return sd


def _median(fn, repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def seconds(T, case: str):
    if T is None or (case == "save without fsync" and T.__name__ != "numtorch"):
        return None
    sd = state_dict(T)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.pt")
        T.save(sd, path)
        if case == "save":
            return _median(lambda: T.save(sd, path))
        if case == "save without fsync":
            from numtorch.serialization import _save

            _save.os.fsync = lambda fd: None  # this child process only
            return _median(lambda: T.save(sd, path))
        return _median(lambda: T.load(path, mmap=case == "load mmap=True"))


WORKLOADS = [
    {
        "name": f"{{case}}, {MB} MiB state_dict",
        "make": seconds,
        "grid": {"case": ["save", "save without fsync", "load", "load mmap=True"]},
        "threads": "max",
    }
]

if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from numtorch.cli.harness import script_main

    sys.exit(script_main(__file__))
