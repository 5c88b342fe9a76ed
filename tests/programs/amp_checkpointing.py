"""Device-agnostic training boilerplate that leaves mixed precision off on the CPU
(autocast + GradScaler with enabled=False) and trades compute for memory with activation
checkpointing."""

import torch
import torch.nn as nn
from torch.utils.checkpoint import checkpoint

torch.manual_seed(61)
device = "cuda" if torch.cuda.is_available() else "cpu"
use_amp = device == "cuda"


class Deep(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList([nn.Sequential(nn.Linear(16, 16), nn.GELU()) for _ in range(4)])
        self.head = nn.Linear(16, 1)

    def forward(self, x, use_checkpoint=False):
        for block in self.blocks:
            x = checkpoint(block, x, use_reentrant=False) if use_checkpoint else block(x)
        return self.head(x)


model = Deep().to(device)
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
scaler = torch.amp.GradScaler(device, enabled=use_amp)
print("scaler enabled:", scaler.is_enabled(), "scale:", scaler.get_scale())
x, y = torch.randn(32, 16, device=device), torch.randn(32, 1, device=device)

for step in range(3):
    optimizer.zero_grad()
    with torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=use_amp):
        loss = nn.functional.mse_loss(model(x, use_checkpoint=True), y)
    print("autocast dtype kept:", loss.dtype)
    scaler.scale(loss).backward()
    scaler.unscale_(optimizer)
    nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    scaler.step(optimizer)
    scaler.update()
    print(f"step {step} loss {loss.item():.6f}")

model.zero_grad()
nn.functional.mse_loss(model(x, use_checkpoint=True), y).backward()
with_ckpt = [p.grad.clone() for p in model.parameters()]
model.zero_grad()
nn.functional.mse_loss(model(x), y).backward()
print(
    "checkpoint grads match:",
    all(torch.allclose(a, p.grad) for a, p in zip(with_ckpt, model.parameters())),
)
print("state:", sorted(scaler.state_dict()))
