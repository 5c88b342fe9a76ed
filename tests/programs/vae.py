"""A variational autoencoder: reparameterisation trick, KL term, sampling from the prior."""

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(16)


class VAE(nn.Module):
    def __init__(self, d_in=20, d_hidden=16, d_latent=2):
        super().__init__()
        self.enc = nn.Linear(d_in, d_hidden)
        self.mu = nn.Linear(d_hidden, d_latent)
        self.logvar = nn.Linear(d_hidden, d_latent)
        self.dec1 = nn.Linear(d_latent, d_hidden)
        self.dec2 = nn.Linear(d_hidden, d_in)

    def encode(self, x):
        h = F.relu(self.enc(x))
        return self.mu(h), self.logvar(h)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        eps = torch.randn_like(std)
        return mu + eps * std

    def decode(self, z):
        return torch.sigmoid(self.dec2(F.relu(self.dec1(z))))

    def forward(self, x):
        mu, logvar = self.encode(x)
        return self.decode(self.reparameterize(mu, logvar)), mu, logvar


def vae_loss(recon, x, mu, logvar):
    bce = F.binary_cross_entropy(recon, x, reduction="sum")
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kld, bce, kld


prototypes = (torch.rand(3, 20) > 0.5).float()
data = prototypes[torch.randint(0, 3, (90,))]
flip = torch.rand_like(data) < 0.05
data = torch.where(flip, 1 - data, data)
model = VAE()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)

for epoch in range(12):
    perm = torch.randperm(len(data))
    total = 0.0
    for i in range(0, len(data), 30):
        batch = data[perm[i : i + 30]]
        recon, mu, logvar = model(batch)
        loss, bce, kld = vae_loss(recon, batch, mu, logvar)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item()
    if epoch % 4 == 3:
        print(
            f"epoch {epoch + 1}: loss/sample {total / len(data):.4f} "
            f"(bce {bce.item():.2f}, kld {kld.item():.2f})"
        )

model.eval()
with torch.no_grad():
    mu, logvar = model.encode(prototypes)
    print("latent means of prototypes:", mu)
    print("latent std:", torch.exp(0.5 * logvar))
    z = torch.randn(4, 2)
    samples = model.decode(z)
    print("samples from prior:", (samples > 0.5).int())
    recon = model.decode(mu)
    print("prototype reconstruction error:", (recon.round() != prototypes).sum(1))
