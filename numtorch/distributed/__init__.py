"""``torch.distributed``: process groups and collectives, run on MPI through mpi4py.

Importing this package is cheap and needs no MPI: ``is_available()`` and ``is_initialized()``
answer without starting anything. mpi4py is imported when a process group is created.
Start a job with ``numtorch run --nproc-per-node N prog.py`` (or ``mpiexec -n N``); see the
README's distributed section.
"""

from __future__ import annotations

from . import _mpi
from .collectives import *
from .objects import *
from .process_group import *
from .process_group import ReduceOp, group
from .store import *
from .work import Work


def is_available() -> bool:
    """True where mpi4py is installed (``pip install 'numtorch[mpi]'``)."""
    return _mpi.available()
