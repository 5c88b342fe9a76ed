"""The one door to mpi4py: imported on first use, so ``import torch.distributed`` stays cheap and
works where mpi4py is not installed (``is_available()`` then says False)."""

from __future__ import annotations

import importlib.util

_MPI = []


def available() -> bool:
    return bool(_MPI) or importlib.util.find_spec("mpi4py") is not None


def mpi():
    """mpi4py's ``MPI`` module (initialising MPI on first call)."""
    if not _MPI:
        try:
            import mpi4py
        except ModuleNotFoundError:
            raise RuntimeError(
                "torch.distributed in numtorch runs on MPI and needs mpi4py: "
                "pip install 'numtorch[mpi]' (mpi4py and the mpich wheel)"
            ) from None
        # NOTE: numtorch threads never call MPI, but a program's own threads may (DataLoader
        # workers are processes); 'serialized' is the level MPICH gives without a slowdown.
        mpi4py.rc.thread_level = "serialized"
        from mpi4py import MPI

        _MPI.append(MPI)
    return _MPI[0]


def reduce_op(op):
    """The MPI reduction for a ``ReduceOp`` (AVG is SUM followed by a division)."""
    MPI = mpi()
    return {
        "SUM": MPI.SUM,
        "AVG": MPI.SUM,
        "PRODUCT": MPI.PROD,
        "MIN": MPI.MIN,
        "MAX": MPI.MAX,
        "BAND": MPI.BAND,
        "BOR": MPI.BOR,
        "BXOR": MPI.BXOR,
    }[op.name]
