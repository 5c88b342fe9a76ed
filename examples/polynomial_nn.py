"""Fit a cubic to exp(x) with ``nn`` and ``optim``: a linear layer over the powers of x.

The model is ``nn.Linear(3, 1)`` applied to (x, x^2, x^3): its bias is the constant term and its
weights the other three coefficients. ``nn.MSELoss`` is the loss and ``optim.SGD`` with
momentum does the update; ``optimizer.zero_grad()`` replaces the manual clearing.
"""

import torch
from torch import nn, optim

torch.manual_seed(0)
x = torch.linspace(-1, 1, 500)
y = torch.exp(x).unsqueeze(1)
features = torch.stack([x, x**2, x**3], dim=1)  # shape (500, 3)

model = nn.Sequential(nn.Linear(3, 1))
loss_fn = nn.MSELoss()
optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
print(model)

for step in range(500):
    loss = loss_fn(model(features), y)
    if step % 100 == 0:
        print(f"step {step:4d}  loss {loss.item():.4e}")
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

print(f"final loss {loss.item():.4e}")
layer = model[0]
a = layer.bias.item()
b, c, d = layer.weight.squeeze(0).tolist()
print(f"y = {a:.4f} + {b:.4f} x + {c:.4f} x^2 + {d:.4f} x^3")
print("parameters:", [tuple(p.shape) for p in model.parameters()])
