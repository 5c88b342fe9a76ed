"""numtorch's operations, one family per module.

Each family module lists what it exports at ``numtorch.*`` in ``__all__`` and the Tensor
methods it provides in ``METHODS``; this file attaches the methods to Tensor. To add a family,
add its module name to ``FAMILIES``.
"""

from __future__ import annotations

import importlib

from .._aliases import with_numpy_aliases
from .._tensor import Tensor

FAMILIES = [
    "arithmetic",
    "operators",
    "logic",
    "creation",
    "new_methods",
    "convert",
    "inplace",
    "shape",
    "reduction",
    "blas",
    "sampling",
    "sampling_inplace",
]
FAMILIES += ["unary", "pointwise", "minmax", "scan", "rounding"]
FAMILIES += ["strided", "join", "reorder", "indexing", "masking", "scatter", "scatter_reduce"]
FAMILIES += ["complex", "sorting", "sets", "special.functions"]
FAMILIES += ["products", "grids", "diagonals", "distance", "calculus", "statistics"]
FAMILIES += ["numeric", "views", "nn.torch_level", "inplace_forms", "attributes"]
FAMILIES += ["fft.windows", "fft.stft", "foreach"]

_DIRECT = {"add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "rsub"}
_DIRECT |= {"floor_divide", "pow", "float_power"}

__all__ = []
for _name in FAMILIES:
    _module = importlib.import_module(f"{__name__}.{_name}")
    for _export in _module.__all__:
        # the binary operators keep their direct path: they refuse a non-Tensor with a
        # TypeError of their own; the private _foreach_* functions take lists
        _checked = None if _export in _DIRECT or _export[0] == "_" else _export
        globals()[_export] = with_numpy_aliases(getattr(_module, _export), _checked)
    __all__ += _module.__all__
    for _method, _fn in getattr(_module, "METHODS", {}).items():
        # operators keep their direct path: no alias can reach them
        setattr(Tensor, _method, _fn if _method[:2] == "__" else with_numpy_aliases(_fn))
for _method in ("size", "stride"):  # Tensor's own methods with a dim
    setattr(Tensor, _method, with_numpy_aliases(getattr(Tensor, _method)))
del _name, _module, _export, _checked, _method, _fn


def __getattr__(namespace: str):
    """``torch.ops.<namespace>``: the custom operators registered through ``torch.library``."""
    if namespace.startswith("_"):
        raise AttributeError(f"module {__name__!r} has no attribute {namespace!r}")
    import importlib.util

    if importlib.util.find_spec(f"{__name__}.{namespace}") is not None:  # a submodule not yet
        return importlib.import_module(f"{__name__}.{namespace}")  # imported: ``from . import``
    from ..library import OpNamespace

    return OpNamespace(namespace)
