"""Learning-rate schedules as training scripts combine them: linear warmup then cosine decay,
multi-step, lambda, cyclic and warm restarts, stepped once per batch or per epoch."""

import math

import torch
import torch.nn as nn
from torch.optim import lr_scheduler

torch.manual_seed(1)
model = nn.Linear(2, 1)


def run(make, steps=12, base_lr=0.1):
    opt = torch.optim.SGD(model.parameters(), lr=base_lr, momentum=0.9)
    sched = make(opt)
    lrs = []
    for _ in range(steps):
        opt.step()
        sched.step()
        lrs.append(round(opt.param_groups[0]["lr"], 6))
    return lrs, sched


warmup_cosine, s = run(
    lambda o: lr_scheduler.SequentialLR(
        o,
        [
            lr_scheduler.LinearLR(o, start_factor=0.1, total_iters=4),
            lr_scheduler.CosineAnnealingLR(o, T_max=8),
        ],
        milestones=[4],
    )
)
print("warmup+cosine:", warmup_cosine)
print("multistep:", run(lambda o: lr_scheduler.MultiStepLR(o, milestones=[3, 7], gamma=0.1))[0])


def transformer_schedule(step, d_model=64, warmup=4):
    step = max(step, 1)
    return d_model**-0.5 * min(step**-0.5, step * warmup**-1.5)


print("lambda:", run(lambda o: lr_scheduler.LambdaLR(o, transformer_schedule), base_lr=1.0)[0])
print(
    "cyclic:", run(lambda o: lr_scheduler.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=3))[0]
)
print("restarts:", run(lambda o: lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=4, T_mult=2))[0])
print("polynomial:", run(lambda o: lr_scheduler.PolynomialLR(o, total_iters=10, power=2.0))[0])
print("constant:", run(lambda o: lr_scheduler.ConstantLR(o, factor=0.5, total_iters=3))[0])
lrs, chained = run(
    lambda o: lr_scheduler.ChainedScheduler(
        [lr_scheduler.ExponentialLR(o, gamma=0.9), lr_scheduler.StepLR(o, step_size=5, gamma=0.5)]
    )
)
print("chained:", lrs)
print(
    "onecycle:", run(lambda o: lr_scheduler.OneCycleLR(o, max_lr=1.0, total_steps=12), steps=11)[0]
)
print(
    "last lr:", s.get_last_lr(), math.isclose(warmup_cosine[-1], s.get_last_lr()[0], rel_tol=1e-5)
)
print(
    "state keys:",
    sorted(lr_scheduler.StepLR(torch.optim.SGD(model.parameters(), lr=1), 2).state_dict()),
)
