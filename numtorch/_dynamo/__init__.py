"""``torch._dynamo``: the names libraries reach for (``OptimizedModule``, ``disable``,
``is_compiling``, ``reset``, ``config``); the compiler itself is ``numtorch.compiler``."""

from __future__ import annotations

from ..compiler import disable, is_compiling, list_backends, reset
from ..compiler._module import OptimizedModule
from . import config, exc

__all__ = ["OptimizedModule", "config", "disable", "exc", "is_compiling", "list_backends", "reset"]
