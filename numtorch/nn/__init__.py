"""``numtorch.nn``: Module, Parameter, layers, losses, ``functional``, ``init`` and ``utils``.

import numtorch.nn as nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(784, 10)

    def forward(self, x):
        return self.fc(x)
"""

from __future__ import annotations

from . import functional, init, modules, parallel, parameter, utils  # noqa: F401
from .modules import *  # noqa: F401,F403
from .modules import __all__ as _modules_all
from .parallel import DataParallel
from .parameter import Buffer, Parameter, UninitializedBuffer, UninitializedParameter  # noqa

__all__ = _modules_all + [
    "Parameter",
    "UninitializedParameter",
    "UninitializedBuffer",
    "Buffer",
    "DataParallel",
    "functional",
    "init",
    "parallel",
    "utils",
]


def __getattr__(name):
    if name == "attention":  # loaded on first use: torch.nn.attention.sdpa_kernel(...)
        import importlib

        return importlib.import_module(f"{__name__}.attention")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
