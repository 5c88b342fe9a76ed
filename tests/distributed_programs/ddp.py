"""Run under ``mpiexec -n N``: DistributedDataParallel against single-process training.

N ranks at batch 16 each must end with the parameters of one process trained on the
concatenated batch of 16 N, for 20 SGD steps from the same seed. Also: no_sync, unused
parameters, comm hooks, SyncBatchNorm and the rank-0-saves checkpoint pattern.
"""

import os
import sys
import tempfile

import numtorch as torch
import numtorch.distributed as dist
from numtorch import nn
from numtorch.distributed.algorithms.ddp_comm_hooks import default_hooks
from numtorch.nn.parallel import DistributedDataParallel as DDP

BATCH = 16


def net(dtype, norm=False, seed=0):
    torch.manual_seed(seed)
    layers = [nn.Linear(8, 16), nn.Sigmoid(), nn.Linear(16, 4)]
    if norm:
        layers.insert(1, nn.BatchNorm1d(16))
    return nn.Sequential(*layers).to(dtype)


def batches(steps, size, dtype):
    g = torch.Generator().manual_seed(1234)
    for _ in range(steps):
        x = torch.randn(BATCH * size, 8, generator=g, dtype=dtype) * 2 + 0.5
        yield x, torch.randn(BATCH * size, 4, generator=g, dtype=dtype)


def max_difference(a, b):
    sa, sb = a.state_dict(), b.state_dict()
    assert list(sa) == list(sb)
    return max(float((sa[k].double() - sb[k].double()).abs().max()) for k in sa)


def train_pair(rank, size, dtype, steps=20, norm=False, **ddp_args):
    """(DDP replica, single-process reference) after ``steps`` steps of the same training."""
    local = net(dtype, norm, seed=rank)  # DDP must replace these weights by rank 0's
    if norm:
        local = nn.SyncBatchNorm.convert_sync_batchnorm(local)
    model, ref = DDP(local, **ddp_args), net(dtype, norm)
    ref.load_state_dict(model.module.state_dict())
    opt = torch.optim.SGD(model.parameters(), lr=0.3, momentum=0.9)
    ref_opt = torch.optim.SGD(ref.parameters(), lr=0.3, momentum=0.9)
    mine = slice(BATCH * rank, BATCH * (rank + 1))
    for x, y in batches(steps, size, dtype):
        opt.zero_grad()
        nn.functional.mse_loss(model(x[mine]), y[mine]).backward()
        opt.step()
        ref_opt.zero_grad()
        nn.functional.mse_loss(ref(x), y).backward()
        ref_opt.step()
    return model, ref


def same_as_one_process(rank, size):
    for dtype, tol in ((torch.float64, 1e-12), (torch.float32, 1e-6)):
        model, ref = train_pair(rank, size, dtype, bucket_cap_mb=0.0005)
        assert len(model.reducer.buckets) > 1
        assert max_difference(model.module, ref) <= tol, (dtype, max_difference(model.module, ref))
    model, ref = train_pair(rank, size, torch.float64, steps=5, norm=True)
    assert max_difference(model.module, ref) <= 1e-12, max_difference(model.module, ref)


def no_sync_accumulates(rank, size):
    model = DDP(net(torch.float64))
    x, y = next(batches(1, size, torch.float64))
    mine = slice(BATCH * rank, BATCH * (rank + 1))
    with model.no_sync():
        nn.functional.mse_loss(model(x[mine]), y[mine]).backward()
    local = model.module[0].weight.grad.clone()
    nn.functional.mse_loss(model(x[mine]), y[mine]).backward()
    ref = net(torch.float64)
    ref.load_state_dict(model.module.state_dict())
    for part in range(size):
        piece = slice(BATCH * part, BATCH * (part + 1))
        nn.functional.mse_loss(ref(x[piece]), y[piece]).backward()
    assert float((model.module[0].weight.grad - 2 * ref[0].weight.grad / size).abs().max()) < 1e-12
    assert float((local - model.module[0].weight.grad).abs().max()) > 0


class Branchy(nn.Module):
    def __init__(self):
        super().__init__()
        self.a, self.b, self.never = nn.Linear(3, 2), nn.Linear(3, 2), nn.Linear(3, 2)

    def forward(self, x, use_b):
        return self.a(x) + (self.b(x) if use_b else 0)


def unused_parameters(rank, size):
    model = DDP(Branchy().double(), find_unused_parameters=True)
    x = torch.ones(4, 3, dtype=torch.float64) * (rank + 1)
    model(x, use_b=rank == 0).sum().backward()
    assert model.module.never.weight.grad is None
    b_grad = model.module.b.weight.grad  # only rank 0 used b; the average counts zeros elsewhere
    assert b_grad is not None and float((b_grad - 4.0 / size).abs().max()) < 1e-12, b_grad
    strict = DDP(Branchy().double())
    strict(x, use_b=True).sum().backward()  # `never` gets no gradient: reduction unfinished
    try:
        strict(x, use_b=True)
    except RuntimeError as e:
        assert "Expected to have finished reduction in the prior iteration" in str(e)
    else:
        raise AssertionError("an unused parameter went unnoticed")


def comm_hook(rank, size):
    model = DDP(net(torch.float32))
    model.register_comm_hook(None, default_hooks.fp16_compress_hook)
    ref = DDP(net(torch.float32))
    x, y = next(batches(1, size, torch.float32))
    mine = slice(BATCH * rank, BATCH * (rank + 1))
    for m in (model, ref):
        nn.functional.mse_loss(m(x[mine]), y[mine]).backward()
    got, want = model.module[0].weight.grad, ref.module[0].weight.grad
    assert float((got - want).abs().max()) < 1e-3 and got.dtype == torch.float32
    try:
        model.register_comm_hook(None, default_hooks.allreduce_hook)
    except RuntimeError as e:
        assert "can only be called once" in str(e)
    else:
        raise AssertionError("second comm hook accepted")


def checkpoint(rank, size):
    model = DDP(net(torch.float32, seed=rank))
    assert list(model.state_dict())[0] == "module.0.weight"
    path = os.path.join(tempfile.gettempdir(), f"numtorch-ddp-{os.getppid()}.pt")
    if rank == 0:
        torch.save(model.state_dict(), path)
    dist.barrier()
    fresh = DDP(net(torch.float32, seed=rank + 7))
    fresh.load_state_dict(torch.load(path, map_location={"cpu": "cpu"}))
    dist.barrier()
    if rank == 0:
        os.remove(path)
    assert max_difference(fresh, model) == 0.0


def main():
    dist.init_process_group("gloo")
    rank, size = dist.get_rank(), dist.get_world_size()
    for part in (same_as_one_process, no_sync_accumulates, unused_parameters, comm_hook):
        part(rank, size)
    checkpoint(rank, size)
    dist.destroy_process_group()
    print(f"rank {rank} of {size}: ok", file=sys.stderr)


if __name__ == "__main__":
    main()
