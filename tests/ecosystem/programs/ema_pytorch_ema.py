"""ema-pytorch: an exponential moving average of a model's weights during training."""

import torch
from ema_pytorch import EMA
from torch import nn

torch.manual_seed(0)
net = nn.Linear(4, 2)
ema = EMA(net, beta=0.9, update_after_step=0, update_every=1)
opt = torch.optim.SGD(net.parameters(), lr=0.1)
for _ in range(5):
    loss = net(torch.randn(8, 4)).pow(2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    ema.update()
print(ema.ema_model.weight)
print(ema(torch.ones(1, 4)))
