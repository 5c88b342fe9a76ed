"""``torch.multiprocessing``: Python's ``multiprocessing``, plus ``spawn``.

Where mpi4py is installed, ``spawn`` starts its workers as one MPI job, so that they can call
``torch.distributed.init_process_group`` (see ``numtorch.distributed.spawn``).

Tensors cross process boundaries by pickling (their arrays are copied), so numtorch needs none
of PyTorch's shared-memory reductions. ``set_sharing_strategy`` is accepted and recorded,
because data-loading scripts call it, but changes nothing.
"""

from __future__ import annotations

import multiprocessing as _mp
import traceback
from multiprocessing import *  # noqa: F401,F403 - the same names as the standard library's

__all__ = list(_mp.__all__) + [
    "spawn",
    "start_processes",
    "ProcessContext",
    "ProcessRaisedException",
    "ProcessExitedException",
    "get_sharing_strategy",
    "set_sharing_strategy",
    "get_all_sharing_strategies",
]

_STRATEGIES = {"file_descriptor", "file_system"}
_STRATEGY = ["file_descriptor"]


def get_all_sharing_strategies() -> set:
    return set(_STRATEGIES)


def get_sharing_strategy() -> str:
    return _STRATEGY[0]


def set_sharing_strategy(new_strategy: str) -> None:
    if new_strategy not in _STRATEGIES:
        raise AssertionError(f"invalid sharing strategy {new_strategy!r}")
    _STRATEGY[0] = new_strategy


class ProcessRaisedException(Exception):
    """A spawned process raised: ``error_index`` is its rank, the message its traceback."""

    def __init__(self, msg: str, error_index: int, error_pid: int):
        super().__init__(msg)
        self.error_index, self.pid = error_index, error_pid


class ProcessExitedException(Exception):
    """A spawned process ended with a nonzero exit code without raising."""

    def __init__(
        self,
        msg: str,
        error_index: int,
        error_pid: int,
        exit_code: int,
        signal_name: str | None = None,
    ):
        super().__init__(msg)
        self.error_index, self.pid, self.exit_code = error_index, error_pid, exit_code
        self.signal_name = signal_name


def _wrap(fn, rank, args, error_queue):
    try:
        fn(rank, *args)
    except KeyboardInterrupt:
        pass
    except Exception:
        error_queue.put(traceback.format_exc())
        raise SystemExit(1) from None


class ProcessContext:
    """The processes ``spawn`` started; ``join()`` waits and re-raises the first failure."""

    def __init__(self, processes, error_queues):
        self.processes, self.error_queues = processes, error_queues

    def pids(self) -> list:
        return [p.pid for p in self.processes]

    def join(self, timeout: float | None = None) -> bool:
        """Wait for every process (or ``timeout`` seconds); True once all have exited."""
        for rank, process in enumerate(self.processes):
            process.join(timeout)
            if process.exitcode is None:
                return False
            if process.exitcode != 0:
                self._raise(rank, process)
        return True

    def _raise(self, rank, process):
        for other in self.processes:
            if other.is_alive():
                other.terminate()
        queue = self.error_queues[rank]
        if not queue.empty():
            msg = f"\n\n-- Process {rank} terminated with the following error:\n{queue.get()}"
            raise ProcessRaisedException(msg, rank, process.pid)
        raise ProcessExitedException(
            f"process {rank} terminated with exit code {process.exitcode}",
            rank,
            process.pid,
            process.exitcode,
        )


def start_processes(
    fn,
    args=(),
    nprocs: int = 1,
    join: bool = True,
    daemon: bool = False,
    start_method: str = "spawn",
):
    """Run ``fn(rank, *args)`` in ``nprocs`` new processes."""
    data = None
    if start_method == "spawn":
        from .distributed import spawn as mpi_spawn

        data = mpi_spawn.payload(fn, args)
    if data is not None:
        context = mpi_spawn.start(data, nprocs)
        if not join:
            return context
        context.join()
        return None
    ctx = _mp.get_context(start_method)
    processes, queues = [], []
    for rank in range(nprocs):
        queue = ctx.SimpleQueue()
        process = ctx.Process(target=_wrap, args=(fn, rank, args, queue), daemon=daemon)
        process.start()
        processes.append(process)
        queues.append(queue)
    context = ProcessContext(processes, queues)
    if not join:
        return context
    while not context.join():
        pass
    return None


def spawn(
    fn,
    args=(),
    nprocs: int = 1,
    join: bool = True,
    daemon: bool = False,
    start_method: str = "spawn",
):
    """``start_processes`` with the spawn start method (the one PyTorch recommends)."""
    return start_processes(fn, args, nprocs, join, daemon, start_method)
