"""Three scientific-computing snippets: a physics-informed network for u'' = -u, k-means with
cdist, and Gaussian-process regression with a Cholesky solve."""

import math

import torch
import torch.nn as nn

torch.manual_seed(12)

# PINN: u'' + u = 0 with u(0) = 0, u'(0) = 1, so u = sin(t).
net = nn.Sequential(nn.Linear(1, 20), nn.Tanh(), nn.Linear(20, 20), nn.Tanh(), nn.Linear(20, 1))
opt = torch.optim.Adam(net.parameters(), lr=5e-3)
t = torch.linspace(0, math.pi, 40).unsqueeze(1).requires_grad_(True)
t0 = torch.zeros(1, 1, requires_grad=True)
for step in range(60):
    u = net(t)
    du = torch.autograd.grad(u.sum(), t, create_graph=True)[0]
    d2u = torch.autograd.grad(du.sum(), t, create_graph=True)[0]
    u0 = net(t0)
    du0 = torch.autograd.grad(u0.sum(), t0, create_graph=True)[0]
    loss = (d2u + u).pow(2).mean() + u0.pow(2).sum() + (du0 - 1).pow(2).sum()
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 20 == 0:
        print(f"pinn step {step} loss {loss.item():.5f}")
with torch.no_grad():
    print("u(pi/2):", net(torch.tensor([[math.pi / 2]])).item())

# k-means
points = torch.cat([torch.randn(20, 2) + torch.tensor([3.0, 0.0]), torch.randn(20, 2) - 2])
centroids = points[torch.randperm(40)[:2]].clone()
for _ in range(5):
    assign = torch.cdist(points, centroids).argmin(dim=1)
    sums = torch.zeros_like(centroids).index_add_(0, assign, points)
    counts = torch.bincount(assign, minlength=2).clamp(min=1).unsqueeze(1)
    centroids = sums / counts
print("centroids:", centroids[centroids[:, 0].argsort()])
print("cluster sizes:", torch.bincount(assign).sort().values)

# Gaussian process regression with an RBF kernel.
X = torch.linspace(-3, 3, 8, dtype=torch.float64).unsqueeze(1)
y = torch.sin(X).squeeze(1)
Xs = torch.tensor([[-1.5], [0.25], [2.0]], dtype=torch.float64)


def rbf(a, b, ls=1.0):
    return torch.exp(-0.5 * torch.cdist(a, b).pow(2) / ls**2)


K = rbf(X, X) + 1e-4 * torch.eye(8, dtype=torch.float64)
L = torch.linalg.cholesky(K)
alpha = torch.cholesky_solve(y.unsqueeze(1), L)
mean = rbf(Xs, X) @ alpha
v = torch.linalg.solve_triangular(L, rbf(X, Xs), upper=False)
var = rbf(Xs, Xs).diagonal() - v.pow(2).sum(0)
print("gp mean:", mean.squeeze(1), "true:", torch.sin(Xs).squeeze(1))
print("gp std:", var.clamp(min=0).sqrt())
print(
    "log marginal likelihood:",
    (-0.5 * y @ alpha.squeeze(1) - L.diagonal().log().sum() - 4 * math.log(2 * math.pi)).item(),
)
