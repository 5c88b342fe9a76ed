"""The same small problem under each optimizer, parameter groups, and an LBFGS closure."""

import torch
import torch.nn as nn

torch.manual_seed(10)
X = torch.randn(40, 3)
y = (X @ torch.tensor([1.0, -2.0, 0.5]) + 0.3).unsqueeze(1)


def make():
    torch.manual_seed(99)
    return nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 1))


optimizers = {
    "SGD": lambda p: torch.optim.SGD(p, lr=0.05),
    "SGD-nesterov": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True),
    "Adam": lambda p: torch.optim.Adam(p, lr=0.02),
    "AdamW": lambda p: torch.optim.AdamW(p, lr=0.02),
    "Adam-amsgrad-wd": lambda p: torch.optim.Adam(p, lr=0.02, weight_decay=0.1, amsgrad=True),
    "RMSprop": lambda p: torch.optim.RMSprop(p, lr=0.01, momentum=0.5, centered=True),
    "Adagrad": lambda p: torch.optim.Adagrad(p, lr=0.1),
    "Adadelta": lambda p: torch.optim.Adadelta(p, lr=1.0),
    "Adamax": lambda p: torch.optim.Adamax(p, lr=0.02),
    "NAdam": lambda p: torch.optim.NAdam(p, lr=0.02),
    "RAdam": lambda p: torch.optim.RAdam(p, lr=0.02),
    "Rprop": lambda p: torch.optim.Rprop(p, lr=0.01),
    "ASGD": lambda p: torch.optim.ASGD(p, lr=0.05),
}
loss_fn = nn.MSELoss()
for name, build in optimizers.items():
    model = make()
    opt = build(model.parameters())
    for _ in range(25):
        opt.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        opt.step()
    print(f"{name:16s} {loss.item():.6f}")

model = make()
lbfgs = torch.optim.LBFGS(model.parameters(), lr=0.5, max_iter=10, history_size=5)


def closure():
    lbfgs.zero_grad()
    loss = loss_fn(model(X), y)
    loss.backward()
    return loss


for i in range(3):
    print("LBFGS step", i, round(lbfgs.step(closure).item(), 6))

model = make()
opt = torch.optim.SGD(
    [{"params": model[0].parameters(), "lr": 0.1}, {"params": model[2].parameters()}],
    lr=0.01,
    momentum=0.9,
)
print(opt)
opt.add_param_group({"params": [nn.Parameter(torch.zeros(2))], "lr": 1.0, "momentum": 0.0})
print("groups:", len(opt.param_groups), [g["lr"] for g in opt.param_groups])
for _ in range(5):
    opt.zero_grad()
    loss_fn(model(X), y).backward()
    opt.step()
print("momentum buffer:", opt.state[model[2].bias]["momentum_buffer"])
opt.zero_grad(set_to_none=False)
print("zeroed grad:", model[2].bias.grad)
sd = opt.state_dict()
print("state_dict groups:", [g["params"] for g in sd["param_groups"]])
