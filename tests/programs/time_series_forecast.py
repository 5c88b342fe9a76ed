"""Forecasting a noisy seasonal series: sliding windows with unfold, a Conv1d + GRU model,
standardisation with training statistics, and an autoregressive rollout."""

import math

import torch
import torch.nn as nn

torch.manual_seed(23)
t = torch.arange(300, dtype=torch.float32)
series = torch.sin(2 * math.pi * t / 25) + 0.3 * torch.sin(2 * math.pi * t / 7) + 0.002 * t
series = series + 0.05 * torch.randn_like(series)
train, test = series[:240], series[240:]
mu, sigma = train.mean(), train.std()
print(f"mean {mu:.4f} std {sigma:.4f}")
z = (series - mu) / sigma

window = 24
windows = z[:240].unfold(0, window + 1, 1)
X, Y = windows[:, :-1].unsqueeze(-1), windows[:, -1:]
print("windows:", windows.shape, "X:", X.shape, "Y:", Y.shape)


class Forecaster(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(1, 8, kernel_size=5, padding=2)
        self.gru = nn.GRU(8, 16, batch_first=True)
        self.head = nn.Linear(16, 1)

    def forward(self, x):
        h = torch.relu(self.conv(x.transpose(1, 2))).transpose(1, 2)
        out, _ = self.gru(h)
        return self.head(out[:, -1])


model = Forecaster()
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
for epoch in range(8):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 54):
        idx = perm[i : i + 54]
        loss = nn.functional.mse_loss(model(X[idx]), Y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    if epoch % 2 == 1:
        print(f"epoch {epoch + 1}: train mse {loss.item():.5f}")

model.eval()
history = z[240 - window : 240].clone()
preds = []
with torch.no_grad():
    for _ in range(len(test)):
        nxt = model(history[-window:].view(1, window, 1)).squeeze()
        preds.append(nxt)
        history = torch.cat([history, nxt.view(1)])
forecast = torch.stack(preds) * sigma + mu
mae = (forecast - test).abs().mean()
naive = (series[239:299] - test).abs().mean()
print(f"rollout mae {mae:.4f}  naive mae {naive:.4f}")
print("first forecasts:", forecast[:5])
print("actual:", test[:5])
