"""Waiting on MPI requests with the group's timeout, and ``Work``, what ``async_op=True`` returns.

Every collective is started non-blocking and waited on here, so a rank whose peer died, hung or
called a different collective raises after the group's ``timeout`` instead of hanging. Such a
rank must not then hang in MPI's own shutdown (which waits for the lost peer too): the first
timeout arranges for the process to abort the MPI job when it exits.
"""

from __future__ import annotations

import atexit
import os
import sys
import time

from . import _mpi

__all__ = ["Work", "wait_requests"]

_ABORT_AT_EXIT = []

# Poll, yielding the core between polls, for this long: MPI moves data only while both sides
# poll, so on a loaded machine a rank must hand its core to its peer rather than sleep (a sleep
# costs a scheduler tick and convoys the ranks into each other's sleeps). Past this, a peer is
# slow (or gone): sleep between polls and leave the cores to it.
_YIELD_S = 0.05
_MAX_SLEEP_S = 0.001
_FORWARD_S = 0.5


def _abort_job():
    sys.stdout.flush()
    sys.stderr.flush()
    # NOTE: the launcher forwards a rank's output asynchronously and Abort ends the job at once:
    # without a pause the error that explains the abort can be cut off mid-line
    time.sleep(_FORWARD_S)
    _mpi.mpi().COMM_WORLD.Abort(1)


def _timed_out(group, what: str):
    if not _ABORT_AT_EXIT:
        _ABORT_AT_EXIT.append(True)
        atexit.register(_abort_job)
    world = _mpi.mpi().COMM_WORLD.Get_rank()
    raise RuntimeError(
        f"[rank {world}] {what} timed out after {group.timeout:g}s waiting for the other ranks of "
        f"the group (ranks {group.ranks}): one of them died, hangs, or called a different "
        "collective"
    )


def wait_requests(requests: list, group, what: str, statuses=None) -> None:
    """Wait until every MPI request in ``requests`` is complete (filling ``statuses``), or raise
    after the group's timeout."""
    Testall = _mpi.mpi().Request.Testall
    if Testall(requests, statuses):
        return
    start = time.monotonic()
    yield_until, deadline = start + _YIELD_S, start + group.timeout
    pause = 1e-5
    while not Testall(requests, statuses):
        now = time.monotonic()
        if now < yield_until:
            os.sched_yield()
            continue
        if now > deadline:
            _timed_out(group, what)
        time.sleep(pause)
        pause = min(2 * pause, _MAX_SLEEP_S)


class Work:
    """A collective in flight: ``wait()`` finishes it (copying results into the output tensors),
    ``is_completed()`` asks without blocking, ``get_future()`` gives a ``Future`` of
    ``result()``, the output tensors."""

    def __init__(self, requests: list, group, what: str, finish=None, result=()):
        self._requests, self._group, self._what = requests, group, what
        self._finish, self._result, self._done = finish, list(result), False

    def wait(self, timeout=None) -> bool:
        if not self._done:
            wait_requests(self._requests, self._group, self._what)
            self._complete()
        return True

    def _complete(self):
        self._done = True
        if self._finish is not None:
            self._finish()

    def is_completed(self) -> bool:
        if not self._done and _mpi.mpi().Request.Testall(self._requests):
            self._complete()
        return self._done

    def is_success(self) -> bool:
        return self.is_completed()

    def result(self) -> list:
        return self._result

    def get_future(self):
        from ..futures import Future

        future = Future()
        future._waiter = lambda: self.wait() and self._result
        return future
