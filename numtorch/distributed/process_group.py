"""Process groups: ``init_process_group``, ``new_group`` and the questions about them.

A group is an MPI communicator. The world is the MPI job this process belongs to (started by
``numtorch run --nproc-per-node``, ``mpiexec`` or ``torch.multiprocessing.spawn``); the
``init_method`` and ``rank``/``world_size`` a program passes are checked against that job, and a
program that numbers its ranks differently from MPI gets its own numbering (the communicator is
split in the program's order). ``gloo``, ``nccl`` and ``mpi`` all name the same MPI engine.
"""

from __future__ import annotations

import datetime
import enum
import os
import urllib.parse

from . import _mpi

__all__ = [
    "Backend",
    "GroupMember",
    "ProcessGroup",
    "ReduceOp",
    "default_pg_timeout",
    "destroy_process_group",
    "get_backend",
    "get_global_rank",
    "get_group_rank",
    "get_process_group_ranks",
    "get_rank",
    "get_world_size",
    "group",
    "init_process_group",
    "is_initialized",
    "is_mpi_available",
    "is_gloo_available",
    "is_nccl_available",
    "new_group",
]

default_pg_timeout = datetime.timedelta(minutes=30)

_NOT_INITIALIZED = (
    "Default process group has not been initialized, please make sure to call init_process_group."
)


class Backend(str):
    """A backend's name: ``Backend("GLOO") == "gloo"``. All of them run on MPI here."""

    UNDEFINED = "undefined"
    GLOO = "gloo"
    NCCL = "nccl"
    MPI = "mpi"

    def __new__(cls, name: str):
        if not isinstance(name, str):
            raise ValueError("Backend constructor parameter must be string-ish")
        value = getattr(Backend, name.upper(), Backend.UNDEFINED)
        return name.lower() if value == Backend.UNDEFINED else value


_BACKENDS = (Backend.GLOO, Backend.NCCL, Backend.MPI)


class RedOpType(enum.Enum):
    SUM = 0
    AVG = 1
    PRODUCT = 2
    MIN = 3
    MAX = 4
    BAND = 5
    BOR = 6
    BXOR = 7
    PREMUL_SUM = 8

    def __repr__(self):
        return f"<RedOpType.{self.name}: {self.value}>"

    def __str__(self):
        return f"RedOpType.{self.name}"


class ReduceOp:
    """``ReduceOp.SUM`` ...: how ``all_reduce`` and ``reduce`` combine the ranks' tensors."""

    RedOpType = RedOpType
    SUM = RedOpType.SUM
    AVG = RedOpType.AVG
    PRODUCT = RedOpType.PRODUCT
    MIN = RedOpType.MIN
    MAX = RedOpType.MAX
    BAND = RedOpType.BAND
    BOR = RedOpType.BOR
    BXOR = RedOpType.BXOR
    PREMUL_SUM = RedOpType.PREMUL_SUM


class ProcessGroup:
    """A set of ranks that run collectives together: an MPI communicator, the global ranks it
    holds (in group-rank order), its backend's name and its timeout in seconds."""

    def __init__(self, comm, ranks: list, backend: str, timeout: float):
        self.comm, self.ranks, self.backend, self.timeout = comm, ranks, backend, timeout

    def rank(self) -> int:
        return self.comm.Get_rank()

    def size(self) -> int:
        return self.comm.Get_size()

    def name(self) -> str:
        return self.backend

    def __repr__(self):
        return f"ProcessGroup(ranks={self.ranks}, backend={self.backend!r})"


class GroupMember:
    """``GroupMember.WORLD`` is the default group once initialised; ``NON_GROUP_MEMBER`` is what
    ``new_group`` returns to ranks outside the new group."""

    WORLD = None
    NON_GROUP_MEMBER = -100


group = GroupMember


def is_initialized() -> bool:
    return GroupMember.WORLD is not None


def is_mpi_available() -> bool:
    return _mpi.available()


is_gloo_available = is_nccl_available = is_mpi_available


def _seconds(timeout) -> float:
    if timeout is None:
        return default_pg_timeout.total_seconds()
    if isinstance(timeout, datetime.timedelta):
        return timeout.total_seconds()
    raise TypeError(f"Expected timeout argument to be of type datetime.timedelta, got {timeout!r}")


def _backend(backend) -> str:
    if backend is None:
        return Backend.GLOO
    names = [part.split(":")[-1] for part in str(backend).split(",")]
    for name in names:
        if Backend(name) not in _BACKENDS:
            raise ValueError(
                f"Unknown backend type {name}: numtorch's process groups run on MPI and accept "
                "'gloo', 'nccl' or 'mpi'"
            )
    return Backend(names[0])


def _requested(init_method, rank: int, world_size: int) -> tuple:
    """The (rank, world_size) the program asks for: arguments first, then the init_method's
    query (``tcp://h:p?rank=0&world_size=2``), then ``RANK``/``WORLD_SIZE`` for env://."""
    query = urllib.parse.parse_qs(urllib.parse.urlparse(init_method or "").query)
    if rank == -1 and "rank" in query:
        rank = int(query["rank"][0])
    if world_size == -1 and "world_size" in query:
        world_size = int(query["world_size"][0])
    if init_method is None or init_method.startswith("env://"):
        rank = int(os.environ.get("RANK", rank)) if rank == -1 else rank
        world_size = (
            int(os.environ.get("WORLD_SIZE", world_size)) if world_size == -1 else world_size
        )
    return rank, world_size


def _world_comm(rank: int, world_size: int):
    """The MPI communicator of the job, with ranks in the program's numbering."""
    MPI = _mpi.mpi()
    world = MPI.COMM_WORLD
    size = world.Get_size()
    if world_size not in (-1, size):
        raise RuntimeError(
            f"init_process_group: world_size={world_size}, but this process belongs to an MPI "
            f"job of {size} process(es). numtorch's process groups run on MPI: start the program "
            f"with `numtorch run --nproc-per-node {world_size} prog.py` (or `mpiexec -n "
            f"{world_size}`), or start its workers with torch.multiprocessing.spawn"
        )
    wanted = world.allgather(world.Get_rank() if rank == -1 else rank)
    if sorted(wanted) != list(range(size)):
        raise RuntimeError(
            f"init_process_group: the ranks asked for, {wanted}, are not 0..{size - 1}"
        )
    return world.Split(0, wanted[world.Get_rank()])


def init_process_group(
    backend=None,
    init_method: str | None = None,
    timeout: datetime.timedelta | None = None,
    world_size: int = -1,
    rank: int = -1,
    store=None,
    group_name: str = "",
    pg_options=None,
    device_id=None,
) -> None:
    """Join this process to the default group: every rank of the job must call it."""
    if GroupMember.WORLD is not None:
        raise ValueError("trying to initialize the default process group twice!")
    name, seconds = _backend(backend), _seconds(timeout)
    if store is not None:  # MPI finds the ranks; the store stays the program's own
        if world_size <= 0:
            raise ValueError("world_size must be positive if using store")
        if rank < 0:
            raise ValueError("rank must be non-negative if using store")
    rank, world_size = _requested(init_method, rank, world_size)
    comm = _world_comm(rank, world_size)
    GroupMember.WORLD = ProcessGroup(comm, list(range(comm.Get_size())), name, seconds)


def destroy_process_group(group: ProcessGroup | None = None) -> None:
    """Release ``group`` (by default the world, after which ``is_initialized()`` is False)."""
    pg = _resolve(group)
    if pg is GroupMember.NON_GROUP_MEMBER:
        return
    pg.comm.Free()
    if pg is GroupMember.WORLD:
        GroupMember.WORLD = None


def new_group(ranks=None, timeout=None, backend=None, pg_options=None, **kwargs):
    """A group of ``ranks`` (global ranks; all of the world by default). Every rank of the world
    calls it, as in PyTorch; ranks outside get ``GroupMember.NON_GROUP_MEMBER``."""
    world = _resolve(None)
    ranks = list(range(world.size())) if ranks is None else sorted(int(r) for r in ranks)
    bad = [r for r in ranks if not 0 <= r < world.size()]
    if bad or len(set(ranks)) != len(ranks):
        raise ValueError(f"new_group: ranks {ranks} are not distinct ranks of the world")
    me = world.rank()
    MPI = _mpi.mpi()
    color = 0 if me in ranks else MPI.UNDEFINED
    comm = world.comm.Split(color, ranks.index(me) if me in ranks else 0)
    if me not in ranks:
        return GroupMember.NON_GROUP_MEMBER
    name = world.backend if backend is None else _backend(backend)
    seconds = world.timeout if timeout is None else _seconds(timeout)
    return ProcessGroup(comm, ranks, name, seconds)


def _resolve(group) -> ProcessGroup:
    """``group``, or the world when None; raises PyTorch's error before initialisation."""
    if GroupMember.WORLD is None:
        raise ValueError(_NOT_INITIALIZED)
    return GroupMember.WORLD if group is None else group


def _member(group) -> ProcessGroup | None:
    """The group to run a collective on, or None on a rank outside it (PyTorch skips those)."""
    pg = _resolve(group)
    return None if pg is GroupMember.NON_GROUP_MEMBER else pg


def get_rank(group: ProcessGroup | None = None) -> int:
    """This process's rank in ``group`` (-1 outside it)."""
    pg = _member(group)
    return -1 if pg is None else pg.rank()


def get_world_size(group: ProcessGroup | None = None) -> int:
    """How many ranks ``group`` holds (-1 on a rank outside it)."""
    pg = _member(group)
    return -1 if pg is None else pg.size()


def get_backend(group: ProcessGroup | None = None) -> str:
    pg = _member(group)
    if pg is None:
        raise ValueError("Invalid process group specified")
    return pg.backend


def get_process_group_ranks(group: ProcessGroup) -> list:
    """The global ranks ``group`` holds, in group-rank order."""
    return list(_resolve(group).ranks)


def get_global_rank(group: ProcessGroup, group_rank: int) -> int:
    return _resolve(group).ranks[group_rank]


def get_group_rank(group: ProcessGroup, global_rank: int) -> int:
    ranks = _resolve(group).ranks
    if global_rank not in ranks:
        raise ValueError(f"Global rank {global_rank} is not part of group {group}")
    return ranks.index(global_rank)
