"""``torch.multiprocessing.spawn`` as an MPI job, so that its workers can form a process group.

PyTorch's workers meet through a TCP store at ``init_method``. numtorch's process groups run on
MPI instead, and processes started by Python's ``multiprocessing`` cannot join one MPI job. So
where mpi4py is installed, ``spawn(fn, args, nprocs)`` starts its workers with MPI's dynamic
process creation (``MPI_Comm_spawn``): the ``nprocs`` workers share one MPI world, worker ``r``
is its rank ``r``, and ``init_process_group(..., rank=r, world_size=nprocs)`` inside them finds
that world whatever ``init_method`` says. Each worker re-imports the program's main module as
``multiprocessing``'s spawn start method does, then runs ``fn(r, *args)``.

Arguments holding ``multiprocessing`` objects (queues, pipes, locks) can only reach children
that ``multiprocessing`` starts itself: with those, ``spawn`` uses ``multiprocessing`` as
before. A worker that raises prints its traceback and ends the whole job (the parent too) with a
non-zero status, as MPI ends a job whose process fails.
"""

from __future__ import annotations

import multiprocessing.spawn as _mp_spawn
import os
import pickle
import sys
import time
import traceback

from . import _mpi


def payload(fn, args) -> bytes | None:
    """``(fn, args)`` pickled for MPI workers, or None when they must go through
    ``multiprocessing`` (no mpi4py, or arguments that only travel by inheritance)."""
    if not _mpi.available():
        return None
    try:
        return pickle.dumps((fn, tuple(args)))
    except RuntimeError:  # multiprocessing's "should only be shared ... through inheritance"
        return None


class MPIProcessContext:
    """The workers ``spawn`` started as an MPI job; ``join()`` waits for all of them."""

    def __init__(self, intercomm, nprocs: int):
        self._comm, self._nprocs = intercomm, nprocs
        self._pids = intercomm.gather(None, root=_mpi.mpi().ROOT)
        self._pending = [intercomm.irecv(source=r) for r in range(nprocs)]

    def pids(self) -> list:
        return list(self._pids)

    def join(self, timeout: float | None = None) -> bool:
        """Wait for every worker (or ``timeout`` seconds); True once all have finished."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._pending:
            self._pending = [r for r in self._pending if not r.test()[0]]
            if deadline is not None and time.monotonic() > deadline:
                return False
            time.sleep(0.001)
        if self._comm is not None:
            self._comm.Disconnect()
            self._comm = None
        return True


def start(data: bytes, nprocs: int) -> MPIProcessContext:
    """Start ``nprocs`` workers running the pickled ``(fn, args)`` in ``data``."""
    MPI = _mpi.mpi()
    command = [sys.executable, "-m", __name__]
    intercomm = MPI.COMM_SELF.Spawn(command[0], args=command[1:], maxprocs=nprocs)
    aliased = getattr(sys.modules.get("torch"), "__name__", "") == "numtorch"
    preparation = _mp_spawn.get_preparation_data("SpawnProcess")
    preparation["authkey"] = bytes(preparation["authkey"])  # pickles only as plain bytes
    setup = (preparation, aliased, data)
    intercomm.bcast(setup, root=MPI.ROOT)
    return MPIProcessContext(intercomm, nprocs)


def _worker() -> None:
    MPI = _mpi.mpi()
    parent, rank = MPI.Comm.Get_parent(), MPI.COMM_WORLD.Get_rank()
    preparation, aliased, data = parent.bcast(None, root=0)
    parent.gather(os.getpid(), root=0)
    try:
        if aliased:
            from ..cli.run import install_torch_alias

            install_torch_alias()
        _mp_spawn.prepare(preparation)
        fn, args = pickle.loads(data)
        fn(rank, *args)
    except Exception:
        print(
            f"\n-- Process {rank} terminated with the following error:\n{traceback.format_exc()}",
            file=sys.stderr,
            flush=True,
        )
        sys.stdout.flush()
        os._exit(1)
    parent.send(None, dest=0)
    parent.Disconnect()


if __name__ == "__main__":
    _worker()
