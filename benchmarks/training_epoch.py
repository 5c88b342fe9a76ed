"""One training epoch of the seed network: numtorch against PyTorch, in one run.

    python benchmarks/training_epoch.py [--samples 10000] [--repeat 5] [--loss mse|ce]

The seed network (784-128-10 with sigmoids), trained with Adam on random data through a
shuffling DataLoader of batch 64: every epoch runs the DataLoader, forward, loss, backward and
the optimizer step. The two libraries alternate epochs; medians are reported, and the ratio is
numtorch's time over PyTorch's (below 1 means numtorch is faster). PyTorch runs with its default
thread count, which is printed.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import numtorch
import numtorch.nn  # noqa: F401 - numtorch.nn, as torch.nn

try:
    import torch
except ImportError:  # numtorch's time alone
    torch = None


def make_epoch(lib, x, y, loss_name: str):
    """A function running one epoch of the seed network in ``lib`` (numtorch or torch)."""
    lib.random.manual_seed(0)
    nn = lib.nn
    model = nn.Sequential(nn.Linear(784, 128), nn.Sigmoid(), nn.Linear(128, 10), nn.Sigmoid())
    opt = lib.optim.Adam(model.parameters(), lr=1e-3)
    data = lib.utils.data
    loader = data.DataLoader(
        data.TensorDataset(lib.tensor(x), lib.tensor(y)), batch_size=64, shuffle=True
    )
    loss_fn = nn.MSELoss() if loss_name == "mse" else nn.CrossEntropyLoss()
    eye = lib.eye(10)

    def epoch() -> float:
        total = 0.0
        for xb, yb in loader:
            opt.zero_grad()
            out = model(xb)
            loss = loss_fn(out, eye[yb]) if loss_name == "mse" else loss_fn(out, yb)
            loss.backward()
            opt.step()
            total += loss.item()
        return total

    return epoch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--loss", choices=["mse", "ce"], default="mse")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    x = rng.random((args.samples, 784), dtype=np.float32)
    y = rng.integers(0, 10, args.samples)
    runs = {"numtorch": make_epoch(numtorch, x, y, args.loss)}
    if torch is not None:
        runs["torch"] = make_epoch(torch, x, y, args.loss)
        print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    times: dict[str, list[float]] = {name: [] for name in runs}
    for fn in runs.values():  # warm-up epoch
        fn()
    for _ in range(args.repeat):
        for name, fn in runs.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    batches = -(-args.samples // 64)
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"{name:9s} epoch {med * 1e3:8.1f} ms  ({med / batches * 1e6:6.0f} us per batch)")
    if torch is not None:
        ratio = statistics.median(times["numtorch"]) / statistics.median(times["torch"])
        print(f"ratio numtorch/torch: {ratio:.2f}")


if __name__ == "__main__":
    main()
