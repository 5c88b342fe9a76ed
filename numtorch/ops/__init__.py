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
    "squeeze_expand",
    "reduction",
    "blas",
    "sampling",
    "sampling_inplace",
]
FAMILIES += ["unary", "pointwise", "minmax", "scan", "rounding"]
FAMILIES += [
    "strided",
    "join",
    "split",
    "reorder",
    "indexing",
    "masking",
    "scatter",
    "scatter_reduce",
]
FAMILIES += ["complex", "sorting", "sets", "special.functions"]
FAMILIES += ["products", "grids", "diagonals", "distance", "calculus", "statistics"]
FAMILIES += ["numeric", "views", "nn.torch_level", "inplace_forms", "attributes"]
FAMILIES += ["fft.windows", "fft.stft", "foreach"]

# binary functions whose PyTorch refusal lists several signatures, which numtorch does not
# reproduce: they refuse a non-Tensor with a TypeError of their own
_DIRECT = {"subtract", "multiply", "divide", "true_divide", "rsub", "floor_divide", "pow"}
_DIRECT |= {"float_power"}
# binary functions that PyTorch's parser refuses naming the argument, checked after a failure
# (the operators and Tensor methods keep their direct path)
_BINARY = {"add", "sub", "mul", "div"}

__all__ = []
for _name in FAMILIES:
    _module = importlib.import_module(f"{__name__}.{_name}")
    for _export in _module.__all__:
        # the private _foreach_* functions take lists
        _checked = None if _export in _DIRECT or _export[0] == "_" else _export
        _fn = getattr(_module, _export)
        globals()[_export] = with_numpy_aliases(_fn, _checked, later=_export in _BINARY)
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
