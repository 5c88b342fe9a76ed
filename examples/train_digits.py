"""Train the seed's two-layer sigmoid network on the 8x8 handwritten digits.

A plain PyTorch program: `python examples/train_digits.py` runs it on PyTorch,
`numtorch run examples/train_digits.py` on numtorch, and both print the same loss curve.
"""

import gzip
import os

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

HERE = os.path.dirname(os.path.abspath(__file__))
DIGITS = os.path.join(HERE, "..", "numtorch", "cli", "digits", "digits.csv.gz")


class network(nn.Module):
    def __init__(self, input_size, hidden_size, output_size):
        super().__init__()
        self.w1 = nn.Linear(input_size, hidden_size, bias=False)
        self.w2 = nn.Linear(hidden_size, output_size, bias=False)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x):
        i2h = self.sigmoid(self.w1(x))
        return self.sigmoid(self.w2(i2h))


def load():
    with gzip.open(DIGITS, "rt") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.float32)
    images, labels = table[:, :64] / 16.0, table[:, 64].astype(np.int64)
    return torch.from_numpy(images), torch.from_numpy(labels)


def main():
    torch.manual_seed(0)
    x, y = load()
    train = TensorDataset(x[:1437], nn.functional.one_hot(y[:1437], 10).float())
    loader = DataLoader(train, batch_size=16, shuffle=True)
    model = network(64, 32, 10)
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0, momentum=0.9)
    loss_fn = nn.MSELoss()
    for epoch in range(1, 11):
        total = 0.0
        for images, targets in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(images), targets)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(images)
        print(f"epoch {epoch}: loss {total / len(train):.4f}")
    with torch.no_grad():
        predicted = model(x[1437:]).argmax(dim=1)
    print(f"test accuracy: {(predicted == y[1437:]).float().mean().item():.3f}")


if __name__ == "__main__":
    main()
