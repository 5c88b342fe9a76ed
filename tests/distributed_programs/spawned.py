"""A PyTorch program that starts its own workers: ``torch.multiprocessing.spawn`` plus
``init_process_group`` at a tcp:// address, then one all_reduce and a DDP step."""

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch import nn


def work(rank, world_size, scale):
    dist.init_process_group(
        "gloo", init_method="tcp://127.0.0.1:29531", rank=rank, world_size=world_size
    )
    t = torch.ones(3) * (rank + 1) * scale
    dist.all_reduce(t)
    model = nn.parallel.DistributedDataParallel(nn.Linear(2, 1, bias=False))
    model(torch.ones(1, 2) * rank).sum().backward()
    print(f"rank {rank}: {t.tolist()} grad {model.module.weight.grad.tolist()}", flush=True)
    dist.destroy_process_group()


if __name__ == "__main__":
    mp.spawn(work, args=(2, 10.0), nprocs=2)
    print("parent: workers done")
