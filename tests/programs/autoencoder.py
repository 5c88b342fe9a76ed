"""A dense autoencoder with custom initialisation, BCELoss, cosine annealing and early stop."""

import torch
from torch import nn, optim

torch.manual_seed(8)

data = (torch.rand(96, 12) > 0.6).float()
print("data density:", data.mean().item())


class AutoEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(12, 6), nn.LeakyReLU(0.1), nn.Linear(6, 3))
        self.decoder = nn.Sequential(nn.Linear(3, 6), nn.ELU(), nn.Linear(6, 12), nn.Sigmoid())
        self.apply(self._init)

    @staticmethod
    def _init(m):
        if isinstance(m, nn.Linear):
            nn.init.xavier_uniform_(m.weight)
            nn.init.constant_(m.bias, 0.01)

    def forward(self, x):
        return self.decoder(self.encoder(x))


model = AutoEncoder()
print(model)
print("encoder[0].weight:", model.encoder[0].weight[:2])
w = torch.empty(3, 5)
nn.init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu")
print("kaiming:", w)
nn.init.orthogonal_(w)
print("orthogonal rows:", (w @ w.T).diagonal())

optimizer = optim.Adam(model.parameters(), lr=0.02, amsgrad=True)
scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=30, eta_min=1e-4)
criterion = nn.BCELoss()

best, patience = float("inf"), 0
for epoch in range(30):
    for batch in data.split(32):
        optimizer.zero_grad()
        loss = criterion(model(batch), batch)
        loss.backward()
        optimizer.step()
    scheduler.step()
    with torch.no_grad():
        full = criterion(model(data), data).item()
    if full < best - 1e-3:
        best, patience = full, 0
    else:
        patience += 1
    if epoch % 6 == 0:
        print(f"epoch {epoch:2d} loss {full:.5f} lr {scheduler.get_last_lr()[0]:.6f}")
    if patience >= 5:
        print("early stop at", epoch)
        break

with torch.no_grad():
    codes = model.encoder(data[:4])
    recon = model(data[:4])
print("codes:", codes)
print("reconstruction:", recon[0])
print("binary match:", ((recon > 0.5).float() == data[:4]).float().mean().item())
print("best:", round(best, 4))
