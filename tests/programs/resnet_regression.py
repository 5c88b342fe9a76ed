"""Residual MLP regression with BatchNorm1d, Dropout, gradient accumulation, OneCycleLR and
ReduceLROnPlateau."""

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(77)


class ResidualBlock(nn.Module):
    def __init__(self, dim, p=0.1):
        super().__init__()
        self.fc1 = nn.Linear(dim, dim)
        self.bn = nn.BatchNorm1d(dim)
        self.fc2 = nn.Linear(dim, dim)
        self.drop = nn.Dropout(p)

    def forward(self, x):
        h = self.drop(F.silu(self.bn(self.fc1(x))))
        return x + self.fc2(h)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.inp = nn.Linear(5, 12)
        self.blocks = nn.Sequential(*[ResidualBlock(12) for _ in range(2)])
        self.out = nn.Linear(12, 1)

    def forward(self, x):
        return self.out(self.blocks(F.relu(self.inp(x)))).squeeze(-1)


X = torch.randn(128, 5)
target = X[:, 0] * 2 - X[:, 1] ** 2 + 0.3 * X[:, 2:].sum(1)
model = Net()
print(model.blocks[0])
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True)
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.02, total_steps=24)
accum = 2
lrs = []
for epoch in range(3):
    model.train()
    optimizer.zero_grad()
    for i, (xb, yb) in enumerate(zip(X.split(16), target.split(16))):
        loss = F.mse_loss(model(xb), yb) / accum
        loss.backward()
        if (i + 1) % accum == 0:
            nn.utils.clip_grad_value_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            lrs.append(scheduler.get_last_lr()[0])
            optimizer.zero_grad()
    model.eval()
    with torch.no_grad():
        full = F.mse_loss(model(X), target)
    print(f"epoch {epoch}: eval mse {full.item():.5f}")
print("lrs:", [round(lr, 5) for lr in lrs[:6]], "...", round(lrs[-1], 7))
print("bn stats:", model.blocks[1].bn.running_mean[:4], model.blocks[1].bn.running_var[:4])

plateau_opt = torch.optim.SGD(model.parameters(), lr=0.1)
plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(
    plateau_opt, mode="min", factor=0.5, patience=1
)
for val_loss in [1.0, 0.9, 0.95, 0.96, 0.97, 0.5]:
    plateau.step(val_loss)
    print("plateau lr:", plateau_opt.param_groups[0]["lr"])
print("prediction:", model(X[:4]).detach())
print("huber:", F.huber_loss(model(X), target, delta=0.5).item())
print("l1:", F.l1_loss(model(X), target, reduction="sum").item())
