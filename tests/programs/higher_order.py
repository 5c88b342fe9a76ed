"""Higher-order gradients: forces from a learned potential, trained on the forces."""

import torch
from torch import nn

torch.manual_seed(7)

# Harmonic oscillator: U(x) = 0.5 * k * x^2, so F = -dU/dx = -k x.
k_true = 2.5
positions = torch.linspace(-2, 2, 32).unsqueeze(1)
forces = -k_true * positions

potential = nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 1))
optimizer = torch.optim.Adam(potential.parameters(), lr=0.01)


def predicted_forces(x):
    x = x.clone().requires_grad_(True)
    energy = potential(x).sum()
    (grad,) = torch.autograd.grad(energy, x, create_graph=True)
    return -grad


for step in range(40):
    optimizer.zero_grad()
    loss = (predicted_forces(positions) - forces).pow(2).mean()
    loss.backward()
    optimizer.step()
    if step % 10 == 0:
        print(f"step {step:2d} force loss {loss.item():.6f}")
print("final loss:", round(loss.item(), 5))
print("grad of first layer:", potential[0].weight.grad[:4].squeeze())

# Second and third derivatives of a scalar function.
x = torch.tensor([0.5, 1.0, 2.0], requires_grad=True)
y = x.pow(3) * torch.sin(x)
(dy,) = torch.autograd.grad(y.sum(), x, create_graph=True)
(d2y,) = torch.autograd.grad(dy.sum(), x, create_graph=True)
(d3y,) = torch.autograd.grad(d2y.sum(), x)
print("dy:", dy)
print("d2y:", d2y)
print("d3y:", d3y)

# Hessian-vector product and a gradient penalty.
w = torch.randn(3, requires_grad=True)
f = (w**2).sum() * w.prod() + torch.exp(w).sum()
(g,) = torch.autograd.grad(f, w, create_graph=True)
v = torch.tensor([1.0, 0.0, -1.0])
(hvp,) = torch.autograd.grad(g @ v, w)
print("grad:", g.detach())
print("hvp:", hvp)
H = torch.autograd.functional.hessian(lambda t: (t**2).sum() * t.prod() + torch.exp(t).sum(), w)
print("hessian:\n", H)
print("H @ v matches:", torch.allclose(H @ v, hvp, atol=1e-5))

inp = torch.randn(4, 1, requires_grad=True)
out = potential(inp)
(gi,) = torch.autograd.grad(out.sum(), inp, create_graph=True)
penalty = ((gi.norm(2, dim=1) - 1) ** 2).mean()
penalty.backward()
print("penalty:", penalty.item())
print("input grad after penalty:", inp.grad.squeeze())
