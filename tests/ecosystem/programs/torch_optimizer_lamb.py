"""torch-optimizer: Lamb, and Lookahead wrapping it, on a small regression."""

import torch
import torch_optimizer as optim
from torch import nn

torch.manual_seed(0)
x, y = torch.randn(32, 3), torch.randn(32, 1)
for wrap in (False, True):
    model = nn.Linear(3, 1)
    opt = optim.Lamb(model.parameters(), lr=0.05)
    if wrap:
        opt = optim.Lookahead(opt, k=3, alpha=0.5)
    for _ in range(6):
        loss = nn.functional.mse_loss(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    print("lookahead" if wrap else "lamb", loss.item(), model.weight.data)
