"""Run with ``numtorch run --nproc-per-node 2 failures.py kill|hang|late``: rank 1 dies (SIGKILL)
or hangs at step 3 of DDP training, or never builds its DDP model (late); rank 0 must not wait
forever (the group timeout is 3 s)."""

import datetime
import os
import signal
import sys
import time

import torch
import torch.distributed as dist
from torch import nn

dist.init_process_group("gloo", timeout=datetime.timedelta(seconds=3))
if sys.argv[1] == "late" and dist.get_rank() == 1:
    time.sleep(120)
model = nn.parallel.DistributedDataParallel(nn.Linear(4, 2))
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for step in range(10):
    if step == 3 and dist.get_rank() == 1:
        if sys.argv[1] == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(120)
    opt.zero_grad()
    model(torch.randn(8, 4)).sum().backward()
    opt.step()
    print(f"rank {dist.get_rank()} step {step}", flush=True)
