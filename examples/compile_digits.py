"""Train the demo's network on the 8x8 digits twice, eagerly and with `torch.compile` on the
training step: the loss curves and final weights are identical, the compiled run is faster.

The first call of the compiled step (one per batch shape) runs eagerly and is recorded; every
later call replays that recording on plain arrays. Timings go to stderr.

    python examples/compile_digits.py
"""

import gzip
import os
import sys
import time

import numpy as np

import numtorch as torch  # numtorch's compiler (PyTorch's needs minutes of C++ builds here)
from numtorch import nn
from numtorch.utils.data import DataLoader, TensorDataset

HERE = os.path.dirname(os.path.abspath(__file__))
DIGITS = os.path.join(HERE, "..", "numtorch", "cli", "digits", "digits.csv.gz")


def load():
    with gzip.open(DIGITS, "rt") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.float32)
    images, labels = table[:, :64] / 16.0, table[:, 64].astype(np.int64)
    return torch.from_numpy(images), torch.from_numpy(labels)


def train(x, y, compiled, epochs=10):
    torch.manual_seed(0)
    train_set = TensorDataset(x[:1437], nn.functional.one_hot(y[:1437], 10).float())
    loader = DataLoader(train_set, batch_size=16, shuffle=True)
    model = nn.Sequential(
        nn.Linear(64, 32, bias=False), nn.Sigmoid(), nn.Linear(32, 10, bias=False), nn.Sigmoid()
    )
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0, momentum=0.9)
    loss_fn = nn.MSELoss()

    def train_step(images, targets):
        optimizer.zero_grad()
        loss = loss_fn(model(images), targets)
        loss.backward()
        optimizer.step()
        return loss

    step = torch.compile(train_step) if compiled else train_step
    curve, start = [], time.perf_counter()
    for _ in range(epochs):
        total = 0.0
        for images, targets in loader:
            total += step(images, targets).item() * len(images)
        curve.append(total / len(train_set))
    return curve, time.perf_counter() - start, model


def main():
    x, y = load()
    eager, eager_s, eager_model = train(x, y, compiled=False)
    compiled, compiled_s, compiled_model = train(x, y, compiled=True)
    for epoch, (a, b) in enumerate(zip(eager, compiled), 1):
        print(f"epoch {epoch}: loss eager {a:.6f}  compiled {b:.6f}")
    same = all(
        np.array_equal(p.detach().numpy(), q.detach().numpy())
        for p, q in zip(eager_model.parameters(), compiled_model.parameters())
    )
    print(f"identical loss curves: {eager == compiled}, identical weights: {same}")
    print(
        f"eager {eager_s:.2f} s, compiled {compiled_s:.2f} s: {eager_s / compiled_s:.1f}x faster",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
