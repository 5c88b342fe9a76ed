"""``torch.multiprocessing.spawn`` whose worker fails: ``raise`` (worker 1 raises, worker 0
waits in a collective for it; the parent catches PyTorch's ProcessRaisedException and goes
on) or ``orphan`` (the workers print their pids and sleep; the test kills this parent)."""

import datetime
import os
import sys
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp


def fails(rank):
    dist.init_process_group(
        "gloo", init_method="tcp://127.0.0.1:29532", rank=rank, world_size=2,
        timeout=datetime.timedelta(seconds=60),
    )  # fmt: skip
    if rank == 1:
        raise ValueError("worker one fails")
    dist.all_reduce(torch.ones(1))


def sleeps(rank):
    print(f"worker {os.getpid()}", flush=True)
    time.sleep(120)


if __name__ == "__main__":
    if sys.argv[1] == "raise":
        try:
            mp.spawn(fails, nprocs=2)
        except mp.ProcessRaisedException as err:
            print(f"caught {err.error_index}: {str(err).strip().splitlines()[-1]}", flush=True)
    else:
        print(f"parent {os.getpid()}", flush=True)
        mp.spawn(sleeps, nprocs=2)
