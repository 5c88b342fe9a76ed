"""``torch._dynamo``: the names libraries reach for (``OptimizedModule``, ``disable``,
``is_compiling``, ``reset``, ``config``); the compiler itself is ``numtorch.compiler``."""

from __future__ import annotations

from .._tensor import Tensor
from ..compiler import allow_in_graph, disable, is_compiling, list_backends, reset
from ..compiler._module import OptimizedModule
from . import config, exc

__all__ = [
    "OptimizedModule",
    "allow_in_graph",
    "assume_constant_result",
    "config",
    "disable",
    "exc",
    "is_compiling",
    "list_backends",
    "mark_static_address",
    "reset",
]


def assume_constant_result(fn):
    """``fn`` as it is: called eagerly (and while numtorch records), it runs each time."""
    return fn


def mark_static_address(t, guard: bool = False) -> None:
    """A hint for CUDA graphs that ``t`` keeps its address across compiled calls. numtorch
    replays no CUDA graphs and its replay reads each input where it lies, so the hint changes
    nothing; a non-tensor is refused as in PyTorch."""
    if not isinstance(t, Tensor):
        raise TypeError(f"mark_static_address expects a tensor but received {type(t)}")
