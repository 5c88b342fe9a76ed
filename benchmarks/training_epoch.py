"""One training epoch of the seed network (784-128-10 with sigmoids) on 10,000 random samples.

    python benchmarks/training_epoch.py [--threads 1 2] [--rounds 5] [--only ce]

Adam, a shuffling DataLoader of batch 64, with MSE against one-hot targets or cross-entropy:
every epoch runs the DataLoader, forward, loss, backward and the optimizer step. Each library
times in child processes of its own, the libraries taking turns (see numtorch/cli/harness.py).
"""

from __future__ import annotations

import os
import sys

import numpy as np

SAMPLES = 10_000


def epoch_call(T, loss: str):
    if T is None:
        return None
    rng = np.random.default_rng(0)
    x = rng.random((SAMPLES, 784), dtype=np.float32)
    y = rng.integers(0, 10, SAMPLES)
    T.manual_seed(0)
    nn = T.nn
    model = nn.Sequential(nn.Linear(784, 128), nn.Sigmoid(), nn.Linear(128, 10), nn.Sigmoid())
    opt = T.optim.Adam(model.parameters(), lr=1e-3)
    data = T.utils.data
    loader = data.DataLoader(
        data.TensorDataset(T.tensor(x), T.tensor(y)), batch_size=64, shuffle=True
    )
    loss_fn = nn.MSELoss() if loss == "MSE" else nn.CrossEntropyLoss()
    eye = T.eye(10)

    def epoch() -> float:
        total = 0.0
        for xb, yb in loader:
            opt.zero_grad()
            out = model(xb)
            value = loss_fn(out, eye[yb]) if loss == "MSE" else loss_fn(out, yb)
            value.backward()
            opt.step()
            total += value.item()
        return total

    return epoch


WORKLOADS = [
    {
        "name": "epoch of 10,000 samples, Adam, {loss}",
        "make": epoch_call,
        "grid": {"loss": ["MSE", "cross-entropy"]},
    }
]

if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from numtorch.cli.harness import script_main

    sys.exit(script_main(__file__))
