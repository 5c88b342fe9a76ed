"""A GAN on 2-D points: two networks, two optimizers, detach, BCELoss with label tensors."""

import torch
import torch.nn as nn

torch.manual_seed(31)
latent = 4


def real_batch(n):
    angle = torch.rand(n) * 2 * torch.pi
    return torch.stack([angle.cos(), angle.sin()], dim=1) * 2 + 0.05 * torch.randn(n, 2)


G = nn.Sequential(nn.Linear(latent, 16), nn.ReLU(), nn.Linear(16, 2))
D = nn.Sequential(nn.Linear(2, 16), nn.LeakyReLU(0.2), nn.Linear(16, 1), nn.Sigmoid())
opt_g = torch.optim.Adam(G.parameters(), lr=2e-3, betas=(0.5, 0.999))
opt_d = torch.optim.Adam(D.parameters(), lr=2e-3, betas=(0.5, 0.999))
bce = nn.BCELoss()
print(G, D, sep="\n")

for step in range(20):
    real = real_batch(32)
    z = torch.randn(32, latent)
    fake = G(z)
    ones, zeros = torch.ones(32, 1), torch.zeros(32, 1)

    opt_d.zero_grad()
    d_loss = bce(D(real), ones) + bce(D(fake.detach()), zeros)
    d_loss.backward()
    opt_d.step()

    opt_g.zero_grad()
    g_loss = bce(D(fake), ones)
    g_loss.backward()
    opt_g.step()
    if step % 5 == 0:
        print(f"step {step:2d}  D {d_loss.item():.4f}  G {g_loss.item():.4f}")

with torch.no_grad():
    samples = G(torch.randn(5, latent))
    scores = D(samples)
print("samples:", samples)
print("radius:", samples.norm(dim=1))
print("D scores:", scores.squeeze())
print("D grads exist:", all(p.grad is not None for p in D.parameters()))
print("G last grad:", G[2].bias.grad)
print("fake requires grad:", fake.requires_grad, fake.detach().requires_grad)
