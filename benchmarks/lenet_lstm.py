"""LeNet-5 (batch 64, 1x28x28) and 2-layer LSTM (hidden 128, sequence 50, batch 32) training
steps: numtorch against PyTorch in the same run, median times.

    python benchmarks/lenet_lstm.py [--repeats 20] [--threads 1]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np


def lenet(nn):
    return nn.Sequential(
        nn.Conv2d(1, 6, 5),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(256, 120),
        nn.ReLU(),
        nn.Linear(120, 84),
        nn.ReLU(),
        nn.Linear(84, 10),
    )


class LSTMNet:
    """Two-layer LSTM over 50 steps of 28 features, classifying from the last output."""

    def __init__(self, nn):
        self.lstm = nn.LSTM(28, 128, 2)
        self.head = nn.Linear(128, 10)

    def parameters(self):
        return list(self.lstm.parameters()) + list(self.head.parameters())

    def __call__(self, x):
        out, _ = self.lstm(x)
        return self.head(out[-1])


def make_step(lib, model, x, y):
    opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = lib.nn.functional.cross_entropy

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return step


def median_ms(step, repeats):
    for _ in range(3):
        step()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        step()
        times.append(time.perf_counter() - t)
    return 1000 * statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()

    import torch

    import numtorch
    import numtorch.nn  # noqa: F401
    import numtorch.optim  # noqa: F401

    if args.threads:
        torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    cases = {
        "LeNet-5 (batch 64, 1x28x28)": (
            lenet,
            rng.standard_normal((64, 1, 28, 28)),
            rng.integers(0, 10, 64),
        ),
        "LSTM 2x128 (seq 50, batch 32)": (
            LSTMNet,
            rng.standard_normal((50, 32, 28)),
            rng.integers(0, 10, 32),
        ),
    }
    print(f"{'model':32} {'numtorch ms':>12} {'torch ms':>10} {'ratio':>7}")
    for name, (build, x, y) in cases.items():
        ms = {}
        for lib in (numtorch, torch):
            lib.manual_seed(0)
            model = build(lib.nn)
            xt = lib.tensor(x.astype(np.float32))
            yt = lib.tensor(y.astype(np.int64))
            ms[lib.__name__] = median_ms(make_step(lib, model, xt, yt), args.repeats)
        ratio = ms["numtorch"] / ms["torch"]
        print(f"{name:32} {ms['numtorch']:12.2f} {ms['torch']:10.2f} {ratio:7.2f}x")


if __name__ == "__main__":
    main()
