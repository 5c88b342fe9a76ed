"""Save a model and its optimizer with ``torch.save``, load them back, and carry on training.

A checkpoint is a dictionary of state dicts. Loading it into freshly built objects gives a model
that predicts exactly what the saved one did, and an optimizer that resumes where it stopped:
one more step from the original and from the reloaded copy lands on the same weights.
"""

import os
import tempfile

import torch
from torch import nn, optim


def make_model():
    return nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1))


torch.manual_seed(0)
inputs = torch.randn(64, 4)
targets = inputs.sum(dim=1, keepdim=True).sin()

model = make_model()
optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
loss_fn = nn.MSELoss()


def train_step(model, optimizer):
    optimizer.zero_grad()
    loss = loss_fn(model(inputs), targets)
    loss.backward()
    optimizer.step()
    return loss.item()


for _ in range(100):
    loss = train_step(model, optimizer)
print(f"loss after 100 steps {loss:.6f}")

with tempfile.TemporaryDirectory() as folder:
    path = os.path.join(folder, "checkpoint.pt")
    torch.save(
        {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "step": 100}, path
    )
    print("saved", sorted(model.state_dict().keys()))
    checkpoint = torch.load(path)

restored = make_model()
restored.load_state_dict(checkpoint["model"])
restored_optimizer = optim.SGD(restored.parameters(), lr=0.05, momentum=0.9)
restored_optimizer.load_state_dict(checkpoint["optimizer"])
print("step in checkpoint:", checkpoint["step"])

with torch.no_grad():
    same = torch.equal(model(inputs), restored(inputs))
print("same predictions after reload:", same)

original_loss = train_step(model, optimizer)
restored_loss = train_step(restored, restored_optimizer)
print(f"next step: original {original_loss:.6f}  restored {restored_loss:.6f}")
print(
    "same weights after one more step:",
    all(torch.equal(p, q) for p, q in zip(model.parameters(), restored.parameters())),
)
print(restored[0].weight[:2])
