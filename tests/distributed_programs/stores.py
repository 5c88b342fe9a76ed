"""Run with ``numtorch run --nproc-per-node N stores.py``: the ranks meet at a TCPStore served by
rank 0 and at a FileStore, as PyTorch programs do, and exchange values through both."""

import datetime
import os
import sys

import torch.distributed as dist

rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
timeout = datetime.timedelta(seconds=60)
host, port = os.environ["MASTER_ADDR"], int(os.environ["MASTER_PORT"])
tcp = dist.TCPStore(host, port, world, rank == 0, timeout=timeout)
dist.init_process_group("gloo", store=tcp, rank=rank, world_size=world)
files = dist.FileStore(sys.argv[1], world)
for store in (tcp, dist.PrefixStore("run", files)):
    store.set(f"hello/{rank}", f"from {rank}")
    store.wait([f"hello/{r}" for r in range(world)])
    assert [store.get(f"hello/{r}") for r in range(world)] == [
        f"from {r}".encode() for r in range(world)
    ]
    store.add("total", rank + 1)
    dist.barrier()
    assert int(store.get("total")) == world * (world + 1) // 2
    store.queue_push("jobs", str(rank))
    dist.barrier()
    assert store.queue_len("jobs") == world
    dist.barrier()
print(f"rank {rank} of {world}: stores ok", file=sys.stderr, flush=True)
dist.destroy_process_group()
