"""LeNet-5 (batch 64, 1x28x28) and 2-layer LSTM (hidden 128, sequence 50, batch 32) training
steps with SGD and cross-entropy.

    python benchmarks/lenet_lstm.py [--threads 1 2] [--rounds 5] [--only LSTM]

Each library times in child processes of its own, the libraries taking turns (see
numtorch/cli/harness.py). No NumPy floor: nobody writes these by hand.
"""

from __future__ import annotations

import os
import sys

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


MODELS = {"LeNet-5": (lenet, (64, 1, 28, 28), 64), "LSTM 2x128": (LSTMNet, (50, 32, 28), 32)}


def step_call(T, model: str):
    if T is None:
        return None
    build, shape, batch = MODELS[model]
    rng = np.random.default_rng(0)
    T.manual_seed(0)
    net = build(T.nn)
    x = T.tensor(rng.standard_normal(shape, dtype=np.float32))
    y = T.tensor(rng.integers(0, 10, batch))
    opt = T.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)

    def step():
        opt.zero_grad()
        loss = T.nn.functional.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        return loss

    return step


WORKLOADS = [
    {
        "name": "{model} training step",
        "make": step_call,
        "grid": {"model": list(MODELS)},
        "compile": True,
    }
]

if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from numtorch.cli.harness import script_main

    sys.exit(script_main(__file__))
