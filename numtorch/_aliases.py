"""What PyTorch's argument parser does for its native functions, for numtorch's public ones.

Keyword aliases: PyTorch's native functions and Tensor methods accept ``axis=`` for ``dim=`` and
``keepdims=`` for ``keepdim=`` (and ``x=``/``a=``/``x1=`` for ``input=``, ``x2=`` for
``other=``). PyTorch's Python-level functions, ``nn.functional`` among them, do not.

Argument types: the parser refuses a NumPy array, a list or a number where a Tensor goes
before the function runs (``exp(): argument 'input' (position 1) must be Tensor, not
numpy.ndarray``). numtorch checks nothing on the way in; where a public function fails and its
first argument is not a Tensor, the wrapper raises the parser's TypeError instead of the
failure's (an AttributeError on ``._data``), so a correct call pays nothing for the check.

The wrapper costs a call frame, so the elementwise operators and the Tensor methods that have
no ``dim`` or ``keepdim`` keep their direct path.
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

# first parameters that take a Tensor, and the name PyTorch's parser gives them at torch.*
_TENSOR_FIRST = {
    "input": "input",
    "self": "input",
    "A": "input",
    "a": "input",
    "b": "input",
    "x": "x",
    "x1": "x1",
    "y": "y",
    "input1": "input1",
    "anchor": "anchor",
    "condition": "condition",
    "real": "real",
    "abs": "abs",
    "weight": "weight",
    "LU_data": "LU_data",
    "sorted_sequence": "sorted_sequence",
    "mean": "mean",
    "query": "query",
}
# later parameters that take a Tensor, refused where a call gives anything but a Tensor, a
# number (which the failure itself reports) or None for an optional one
_TENSOR_LATER = frozenset(("other", "weight", "bias", "input2", "x2"))
_SEQUENCE_FIRST = ("tensors",)
_VARARGS = ("tensors", "matrices")
# functions that would run on an array (they only read attributes NumPy also has): checked
# before the call
_DUCK_TYPED = {"clone", "ravel", "resolve_conj", "resolve_neg", "is_conj", "is_neg", "hardshrink"}
_DUCK_TYPED |= {"cartesian_prod", "qr", "svd"}
_DUCK_TYPED |= {"hardsigmoid", "hardswish", "hardtanh", "leaky_relu", "mish", "relu6", "silu"}
_DUCK_TYPED |= {"softplus", "softshrink"}
_DUCK_TYPED |= {"linalg_" + n for n in ("qr", "svd", "svdvals", "cond", "diagonal", "multi_dot")}
# the native function whose parser refuses the argument, where PyTorch's is a Python wrapper
_PARSER_NAMES = {"lu": "_lu_with_info", "unique": "_unique2"}


def with_numpy_aliases(
    fn, checked_as: str | None = None, prefix: str = "", aliases: bool = True, later=False
):
    """``fn`` accepting the aliases of its parameters where it has ``dim`` or ``keepdim`` (and
    ``aliases``); with ``checked_as`` (the public name), also refusing a non-Tensor first
    argument with PyTorch's TypeError, which names the function ``prefix + checked_as``
    (``fft_fft``) and the parameter as at the ``torch.*`` level where ``prefix`` is empty (in
    the namespaces, numtorch's name, which is PyTorch's documented one; its parser's differs at
    times); with ``later``, the later positional Tensor arguments (``other``, ``weight`` ...)
    too."""
    code = getattr(fn, "__code__", None)
    if code is None or hasattr(fn, "numpy_aliases"):  # not a Python function, or wrapped
        return fn
    params = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    names = {}
    if aliases and ("dim" in params or "keepdim" in params):
        names = {a: p for a, p in _ALIASES.items() if p in params and a not in params}
    first = _first_parameter(fn, params) if checked_as else None
    if not names and first is None:
        return fn
    shown = _PARSER_NAMES.get(checked_as, prefix + checked_as) if checked_as else None
    eager = first is not None and shown in _DUCK_TYPED
    tensors_later = _later_tensor_parameters(fn, params) if later else ()

    @functools.wraps(fn)
    def public(*args, **kwargs):
        if kwargs and not names.keys().isdisjoint(kwargs):
            for alias in names.keys() & kwargs.keys():
                if names[alias] in kwargs:
                    raise TypeError(f"{fn.__name__}() got an unexpected keyword argument '{alias}'")
                kwargs[names[alias]] = kwargs.pop(alias)
        if eager:
            _refuse_non_tensors(shown, first, prefix, args, kwargs)
        try:
            return fn(*args, **kwargs)
        except Exception:
            if first is not None:
                _refuse_non_tensors(shown, first, prefix, args, kwargs)
            for i, name, optional in tensors_later:
                if i < len(args):
                    _refuse_later(shown, name, i, args[i], optional)
            raise

    public.numpy_aliases = names
    return public


def _first_parameter(fn, params):
    """The first parameter's name where it takes a Tensor or a sequence of Tensors (``"*"``
    for ``*tensors``; ``fn.tensor_first`` for a function that passes ``*args`` on), else
    None."""
    code = fn.__code__
    if hasattr(fn, "tensor_first"):
        return fn.tensor_first
    if code.co_argcount:
        name = params[0]
        return name if name in _TENSOR_FIRST or name in _SEQUENCE_FIRST else None
    if code.co_flags & 0x04 and code.co_varnames[len(params)] in _VARARGS:  # CO_VARARGS
        return "*"
    return None


def _later_tensor_parameters(fn, params) -> tuple:
    """(index, name, whether None is its default) of ``fn``'s later positional parameters that
    take a Tensor."""
    count = fn.__code__.co_argcount
    defaults = fn.__defaults__ or ()
    named = params[count - len(defaults) : count]
    optional = {p for p, d in zip(named, defaults) if d is None}
    return tuple(
        (i, p, p in optional) for i, p in enumerate(params[1:count], 1) if p in _TENSOR_LATER
    )


def _refuse_later(fn_name: str, name: str, i: int, arg, optional: bool) -> None:
    import numbers

    from ._tensor import Tensor, arg_type_name

    if isinstance(arg, (Tensor, numbers.Number)) or (arg is None and optional):
        return
    raise TypeError(
        f"{fn_name}(): argument '{name}' (position {i + 1}) must be Tensor, not "
        f"{arg_type_name(arg)}"
    ) from None


def _refuse_non_tensors(name: str, first: str, prefix: str, args, kwargs) -> None:
    """Raise PyTorch's TypeError where the call's first argument is not what ``first`` takes."""
    from ._tensor import Tensor, arg_type_name  # a higher layer, needed only after a failure

    if first == "*":
        _refuse_elements(args)
        return
    if args:
        arg = args[0]
    elif first in kwargs:
        arg = kwargs[first]
    else:
        return
    if first in _SEQUENCE_FIRST:
        if not isinstance(arg, (list, tuple)):
            raise TypeError(
                f"{name}(): argument '{first}' (position 1) must be tuple of Tensors, not "
                f"{arg_type_name(arg)}"
            ) from None
        _refuse_elements(arg)
    elif not isinstance(arg, Tensor):
        shown = first if prefix else _TENSOR_FIRST[first]
        raise TypeError(
            f"{name}(): argument '{shown}' (position 1) must be Tensor, not {arg_type_name(arg)}"
        ) from None


def _refuse_elements(items) -> None:
    from ._tensor import Tensor, arg_type_name

    for i, item in enumerate(items):
        if not isinstance(item, Tensor):
            raise TypeError(
                f"expected Tensor as element {i} in argument 0, but got {arg_type_name(item)}"
            ) from None
