"""``torch.multiprocessing.spawn`` as an MPI job, so that its workers can form a process group.

PyTorch's workers meet through a TCP store at ``init_method``. numtorch's process groups run on
MPI instead, and processes started by Python's ``multiprocessing`` cannot join one MPI job. So
where mpi4py is installed, ``spawn(fn, args, nprocs)`` runs its workers as an MPI job of their
own: ``mpiexec -n nprocs`` in a new session, worker ``r`` being MPI rank ``r``, so that
``init_process_group(..., rank=r, world_size=nprocs)`` inside them finds that world whatever
``init_method`` says. Each worker re-imports the program's main module as ``multiprocessing``'s
spawn start method does, then runs ``fn(r, *args)``. The parent itself never joins MPI.

A worker that raises writes its traceback for the parent and exits; MPI then stops the other
workers (only they: the job runs in its own session), and the parent's ``join`` raises
``ProcessRaisedException``, as PyTorch's does. Workers end themselves when the parent dies.

Arguments holding ``multiprocessing`` objects (queues, pipes, locks) can only reach children
that ``multiprocessing`` starts itself: with those, ``spawn`` uses ``multiprocessing`` as
before.
"""

from __future__ import annotations

import atexit
import multiprocessing.spawn as _mp_spawn
import os
import pickle
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
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

    def __init__(self, job: subprocess.Popen, folder: str, nprocs: int):
        self._job, self._folder, self._nprocs = job, folder, nprocs
        atexit.register(self._stop)

    def pids(self) -> list:
        """The workers' process ids (None for a worker that has not started yet)."""
        return [_read(os.path.join(self._folder, f"pid.{r}")) for r in range(self._nprocs)]

    def join(self, timeout: float | None = None) -> bool:
        """Wait for every worker (or ``timeout`` seconds); True once all have finished. A worker
        that raised makes this raise ``ProcessRaisedException`` with its traceback."""
        try:
            code = self._job.wait(timeout)
        except subprocess.TimeoutExpired:
            return False
        try:
            if code != 0:
                self._raise(code)
        finally:
            self._stop()
        return True

    def _raise(self, code: int):
        from ..multiprocessing import ProcessExitedException, ProcessRaisedException

        pids = self.pids()
        for rank in range(self._nprocs):
            error = _read(os.path.join(self._folder, f"error.{rank}"), text=True)
            if error is not None:
                msg = f"\n\n-- Process {rank} terminated with the following error:\n{error}"
                raise ProcessRaisedException(msg, rank, pids[rank])
        # no traceback: a worker was killed; mpiexec's report above names its rank
        how = f"signal {signal.Signals(-code).name}" if code < 0 else f"exit code {code}"
        raise ProcessExitedException(f"a spawned process terminated with {how}", -1, None, code)

    def _stop(self):
        """End the job if it still runs (the parent exits or stops waiting) and tidy up."""
        if self._job.poll() is None:
            os.killpg(self._job.pid, signal.SIGTERM)
            self._job.wait()
        shutil.rmtree(self._folder, ignore_errors=True)


def _read(path: str, text: bool = False):
    try:
        with open(path) as f:
            content = f.read()
    except FileNotFoundError:
        return None
    return content if text else int(content)


def start(data: bytes, nprocs: int) -> MPIProcessContext:
    """Start ``nprocs`` workers running the pickled ``(fn, args)`` in ``data``."""
    from ..cli.launch import mpiexec

    folder = tempfile.mkdtemp(prefix="numtorch-spawn-")  # private to this user (0700)
    aliased = getattr(sys.modules.get("torch"), "__name__", "") == "numtorch"
    preparation = _mp_spawn.get_preparation_data("SpawnProcess")
    preparation["authkey"] = bytes(preparation["authkey"])  # pickles only as plain bytes
    with open(os.path.join(folder, "setup"), "wb") as f:
        pickle.dump((preparation, aliased, os.getpid(), data), f)
    home = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    path = os.environ.get("PYTHONPATH")
    env = dict(os.environ, PYTHONPATH=home + (os.pathsep + path if path else ""))
    command = [mpiexec(), "-n", str(nprocs), sys.executable, "-m", __name__, folder]
    job = subprocess.Popen(command, env=env, start_new_session=True)
    return MPIProcessContext(job, folder, nprocs)


def _watch_parent(pid: int) -> None:
    """End this worker (and so, through MPI, the job) once the parent is gone."""
    while True:
        time.sleep(0.5)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            os._exit(1)


def _worker(folder: str) -> None:
    rank = int(os.environ.get("PMI_RANK") or _mpi.mpi().COMM_WORLD.Get_rank())
    with open(os.path.join(folder, f"pid.{rank}"), "w") as f:
        f.write(str(os.getpid()))
    with open(os.path.join(folder, "setup"), "rb") as f:
        preparation, aliased, parent, data = pickle.load(f)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    try:
        if aliased:
            from ..cli.run import install_torch_alias

            install_torch_alias()
        _mp_spawn.prepare(preparation)
        fn, args = pickle.loads(data)
        fn(rank, *args)
    except Exception:
        sys.stdout.flush()
        error = os.path.join(folder, f"error.{rank}")
        with open(error + ".part", "w") as f:
            f.write(traceback.format_exc())
        os.replace(error + ".part", error)
        os._exit(1)


if __name__ == "__main__":
    _worker(sys.argv[1])
