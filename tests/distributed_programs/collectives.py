"""Run under ``mpiexec -n N``: every collective, reduction op and dtype against NumPy.

Each rank's input is a function of its rank alone, so every rank computes every rank's input
and the expected result locally. Exits non-zero (an AssertionError) on the first mismatch.
"""

import datetime
import sys

import numpy as np

import numtorch as torch
import numtorch.distributed as dist

DTYPES = ["float32", "float64", "float16", "int8", "uint8", "int32", "int64", "bool"]
OPS = {
    "SUM": lambda a: np.sum(a, axis=0),
    "PRODUCT": lambda a: np.prod(a, axis=0),
    "MIN": lambda a: np.min(a, axis=0),
    "MAX": lambda a: np.max(a, axis=0),
}


def data(rank, dtype, shape=(2, 3)):
    values = np.random.default_rng(rank).integers(1, 4, size=shape)
    return values.astype(dtype) if dtype != "bool" else values > 2


def check(got, want, what):
    got = got.numpy() if hasattr(got, "numpy") else got
    assert got.dtype == np.asarray(want).dtype, (what, got.dtype, np.asarray(want).dtype)
    assert np.array_equal(got, want), (what, got, want)


def reductions(rank, size):
    everyone = lambda dtype: np.stack([data(r, dtype) for r in range(size)])  # noqa: E731
    for dtype in DTYPES:
        for name, fn in OPS.items():
            if dtype == "bool" and name == "PRODUCT":
                continue
            want = fn(everyone(dtype)).astype(np.dtype(dtype))
            t = torch.from_numpy(data(rank, dtype).copy())
            dist.all_reduce(t, op=getattr(dist.ReduceOp, name))
            check(t, want, f"all_reduce {name} {dtype}")
            t = torch.from_numpy(data(rank, dtype).copy())
            dist.reduce(t, dst=size - 1, op=getattr(dist.ReduceOp, name))
            check(t, want if rank == size - 1 else data(rank, dtype), f"reduce {name} {dtype}")
        for op, fn in (("SUM", np.sum), ("MAX", np.max)):
            out = torch.zeros(2, 3, dtype=getattr(torch, dtype))
            inputs = [torch.from_numpy(data(rank * size + j, dtype)) for j in range(size)]
            dist.reduce_scatter(out, inputs, op=getattr(dist.ReduceOp, op))
            mine = np.stack([data(r * size + rank, dtype) for r in range(size)])
            check(out, fn(mine, axis=0).astype(np.dtype(dtype)), f"reduce_scatter {op} {dtype}")
    bitwise = {"BAND": np.bitwise_and, "BOR": np.bitwise_or, "BXOR": np.bitwise_xor}
    for dtype in ("uint8", "int32", "int64"):
        for name, fn in bitwise.items():
            t = torch.from_numpy(data(rank, dtype).copy())
            dist.all_reduce(t, op=getattr(dist.ReduceOp, name))
            check(t, fn.reduce(everyone(dtype), axis=0), f"all_reduce {name} {dtype}")
    t = torch.from_numpy(data(rank, "float64"))
    dist.all_reduce(t, op=dist.ReduceOp.AVG)
    check(t, everyone("float64").mean(axis=0), "all_reduce AVG")
    out = torch.zeros(3, dtype=torch.float32)
    dist.reduce_scatter_tensor(out, torch.arange(3.0 * size) * (rank + 1))
    ranks_sum = size * (size + 1) / 2
    check(out, (np.arange(3.0 * size) * ranks_sum)[3 * rank : 3 * rank + 3].astype("f4"), "rst")


def movement(rank, size):
    for dtype in DTYPES:
        mine = data(rank, dtype)
        t = torch.from_numpy(mine.copy())
        dist.broadcast(t, src=1)
        check(t, data(1, dtype), f"broadcast {dtype}")
        outs = [torch.zeros(2, 3, dtype=getattr(torch, dtype)) for _ in range(size)]
        dist.all_gather(outs, torch.from_numpy(mine))
        for r, o in enumerate(outs):
            check(o, data(r, dtype), f"all_gather {dtype}")
        flat = torch.zeros(2 * size, 3, dtype=getattr(torch, dtype))
        dist.all_gather_into_tensor(flat, torch.from_numpy(mine))
        check(flat, np.concatenate([data(r, dtype) for r in range(size)]), "all_gather_into")
        outs = [torch.zeros(2, 3, dtype=getattr(torch, dtype)) for _ in range(size)]
        dist.gather(torch.from_numpy(mine), outs if rank == 0 else None, dst=0)
        if rank == 0:
            for r, o in enumerate(outs):
                check(o, data(r, dtype), f"gather {dtype}")
        got = torch.zeros(2, 3, dtype=getattr(torch, dtype))
        pieces = [torch.from_numpy(data(10 + r, dtype)) for r in range(size)]
        dist.scatter(got, pieces if rank == size - 1 else None, src=size - 1)
        check(got, data(10 + rank, dtype), f"scatter {dtype}")


def all_to_all(rank, size):
    send = torch.arange(size * 2.0) + 100 * rank
    out = torch.zeros(size * 2)
    dist.all_to_all_single(out, send)
    want = np.concatenate([np.arange(2 * rank, 2 * rank + 2) + 100 * r for r in range(size)])
    check(out, want.astype("f4"), "all_to_all_single")
    # uneven: rank r sends j + 1 rows to rank j
    send = torch.cat([torch.full((j + 1, 2), float(10 * rank + j)) for j in range(size)])
    out = torch.zeros(size * (rank + 1), 2)
    dist.all_to_all_single(out, send, [rank + 1] * size, [j + 1 for j in range(size)])
    want = np.concatenate([np.full((rank + 1, 2), 10.0 * r + rank) for r in range(size)])
    check(out, want.astype("f4"), "all_to_all_single uneven")
    outs = [torch.zeros(r + 1, dtype=torch.int64) for r in range(size)]
    dist.all_to_all(outs, [torch.full((rank + 1,), rank * 10 + j) for j in range(size)])
    for r, o in enumerate(outs):
        check(o, np.full(r + 1, r * 10 + rank), "all_to_all")


def point_to_point(rank, size):
    right, left = (rank + 1) % size, (rank - 1) % size
    out = torch.zeros(4, dtype=torch.int32)
    sent = dist.isend(torch.full((4,), rank, dtype=torch.int32), dst=right)
    got = dist.irecv(out, src=left)
    got.wait()
    sent.wait()
    check(out, np.full(4, left, dtype=np.int32), "isend/irecv")
    if rank == 0:
        for _ in range(size - 1):
            t = torch.zeros(1)
            src = dist.recv(t)
            check(t, np.array([src], "f4"), "recv any")
    else:
        dist.send(torch.tensor([float(rank)]), dst=0)


def asynchronous(rank, size):
    t = torch.ones(5) * rank
    work = dist.all_reduce(t, async_op=True)
    assert work.wait() and work.is_completed()
    check(t, np.full(5, size * (size - 1) / 2, "f4"), "async all_reduce")
    t = torch.ones(2)
    fut = dist.all_reduce(t, async_op=True).get_future().then(lambda f: f.value()[0] * 2)
    check(fut.wait(), np.full(2, 2.0 * size, "f4"), "future then")
    dist.barrier()
    dist.barrier(async_op=True).wait()


def objects(rank, size):
    got = [None] * size
    dist.all_gather_object(got, {"rank": rank, "pad": "x" * rank})
    assert got == [{"rank": r, "pad": "x" * r} for r in range(size)], got
    items = [rank, None] if rank else ["from zero", {"k": [1, 2]}]
    dist.broadcast_object_list(items, src=0)
    assert items == ["from zero", {"k": [1, 2]}], items
    gathered = [None] * size if rank == 1 else None
    dist.gather_object(("r", rank), gathered, dst=1)
    assert rank != 1 or gathered == [("r", r) for r in range(size)], gathered
    out = [None]
    dist.scatter_object_list(out, [f"to {r}" for r in range(size)] if rank == 0 else None, src=0)
    assert out == [f"to {rank}"], out


def groups(rank, size):
    sub = dist.new_group([0, size - 1])
    if rank in (0, size - 1):
        assert dist.get_world_size(sub) == 2 and dist.get_rank(sub) == (rank > 0)
        t = torch.tensor([float(rank)])
        dist.all_reduce(t, group=sub)
        check(t, np.array([size - 1.0], "f4"), "subgroup all_reduce")
        t = torch.tensor([float(rank)])
        dist.broadcast(t, src=size - 1, group=sub)
        check(t, np.array([size - 1.0], "f4"), "subgroup broadcast")
    else:
        assert sub is dist.GroupMember.NON_GROUP_MEMBER and dist.get_rank(sub) == -1
    assert dist.get_process_group_ranks(dist.group.WORLD) == list(range(size))


def errors(rank, size):
    try:
        dist.all_reduce(torch.ones(2 + rank))
    except RuntimeError as e:
        assert "rank 0: all_reduce(2 elements" in str(e), e
        assert "rank 1: all_reduce(3 elements" in str(e), e
    else:
        raise AssertionError("mismatched all_reduce shapes did not raise")
    try:
        if rank == 0:
            dist.broadcast(torch.ones(2), src=0)
        else:
            dist.all_reduce(torch.ones(2))
    except RuntimeError as e:
        assert "called different collectives" in str(e), e
    else:
        raise AssertionError("mismatched collectives did not raise")
    try:
        dist.init_process_group("gloo")
    except ValueError as e:
        assert "trying to initialize the default process group twice!" in str(e)
    else:
        raise AssertionError("second init did not raise")


def main():
    dist.init_process_group("gloo", timeout=datetime.timedelta(seconds=60))
    rank, size = dist.get_rank(), dist.get_world_size()
    assert dist.is_initialized() and dist.get_backend() == "gloo"
    for part in (reductions, movement, all_to_all, point_to_point, asynchronous, objects, groups):
        part(rank, size)
    errors(rank, size)
    dist.destroy_process_group()
    assert not dist.is_initialized()
    print(f"rank {rank} of {size}: ok", file=sys.stderr)


if __name__ == "__main__":
    main()
