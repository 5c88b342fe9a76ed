"""PyTorch's NumPy-style keyword aliases: its native functions and Tensor methods accept
``axis=`` for ``dim=`` and ``keepdims=`` for ``keepdim=`` (and ``x=``/``a=``/``x1=`` for
``input=``, ``x2=`` for ``other=``). PyTorch's Python-level functions, ``nn.functional`` among
them, do not.

numtorch gives the aliases to the functions and methods with a ``dim`` or ``keepdim``
parameter. The wrapper costs a call frame, so the elementwise operators, which have neither
(and whose ``input``/``other`` aliases nobody writes), keep their direct path.
"""

from __future__ import annotations

import functools

_ALIASES = {
    "axis": "dim",
    "keepdims": "keepdim",
    "x": "input",
    "a": "input",
    "x1": "input",
    "x2": "other",
}


def with_numpy_aliases(fn):
    """``fn`` accepting the aliases of its parameters where it has ``dim`` or ``keepdim``."""
    code = getattr(fn, "__code__", None)
    if code is None:
        return fn
    params = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    if "dim" not in params and "keepdim" not in params:
        return fn
    names = {a: p for a, p in _ALIASES.items() if p in params and a not in params}

    @functools.wraps(fn)
    def aliased(*args, **kwargs):
        if kwargs and not names.keys().isdisjoint(kwargs):
            for alias in names.keys() & kwargs.keys():
                if names[alias] in kwargs:
                    raise TypeError(f"{fn.__name__}() got an unexpected keyword argument '{alias}'")
                kwargs[names[alias]] = kwargs.pop(alias)
        return fn(*args, **kwargs)

    return aliased
