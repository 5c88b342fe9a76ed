"""``torch.overrides``: ``__torch_function__`` dispatch helpers and ``TorchFunctionMode``.

Limits (numtorch has no C dispatcher to hook): ``handle_torch_function`` works as in PyTorch
for code that calls it; an entered ``TorchFunctionMode`` sees calls made through the public
functions of ``numtorch`` and ``numtorch.nn.functional`` (looked up on the module while the
mode is active, as ``torch.add(...)`` or ``F.relu(...)`` are), not Tensor methods or
operators, nor functions imported by name before the mode was entered; and a Tensor
subclass's own ``__torch_function__`` is not called by numtorch's ops."""

from __future__ import annotations

import functools
import importlib
import types

__all__ = [
    "TorchFunctionMode",
    "BaseTorchFunctionMode",
    "handle_torch_function",
    "has_torch_function",
    "has_torch_function_unary",
    "has_torch_function_variadic",
    "is_tensor_like",
]

_MODES: list = []  # entered modes, innermost last
_PATCHED: dict = {}  # (module, name) -> the original function, while any mode is active
_NAMESPACES = ("numtorch", "numtorch.nn.functional")


def _tensor_class():
    from ._tensor import Tensor

    return Tensor


def _overloaded(args) -> list:
    """Types of ``args`` that define ``__torch_function__``, subclasses before their bases."""
    found: list = []
    for arg in args:
        kind = type(arg)
        if kind in found or not hasattr(kind, "__torch_function__"):
            continue
        if kind is _tensor_class():
            continue  # plain tensors dispatch nowhere
        at = next((i for i, t in enumerate(found) if issubclass(kind, t)), len(found))
        found.insert(at, kind)
    return found


def has_torch_function(relevant_args) -> bool:
    """Whether ``relevant_args`` hold an object with ``__torch_function__`` (other than a plain
    Tensor) or a mode is active."""
    return bool(_MODES) or bool(_overloaded(relevant_args))


def has_torch_function_unary(arg) -> bool:
    return has_torch_function((arg,))


def has_torch_function_variadic(*args) -> bool:
    return has_torch_function(args)


def is_tensor_like(inp) -> bool:
    return isinstance(inp, _tensor_class()) or hasattr(type(inp), "__torch_function__")


def _qualname(func) -> str:
    """PyTorch's spelling of a function: where it is public (``torch.add``), else its module."""
    for module_name in _NAMESPACES:
        module = importlib.import_module(module_name)
        if _unrouted(func) is _unrouted(getattr(module, func.__name__, None)):
            return f"{module_name.replace('numtorch', 'torch', 1)}.{func.__name__}"
    module = getattr(func, "__module__", None) or "numtorch"
    return f"{module.replace('numtorch', 'torch', 1)}.{func.__name__}"


def _unrouted(func):
    return getattr(func, "_original", func)


def handle_torch_function(public_api, relevant_args, *args, **kwargs):
    """Call the innermost mode's, then each overloading type's ``__torch_function__`` until one
    returns something other than ``NotImplemented``."""
    overloaded = _overloaded(relevant_args)
    if _MODES:
        mode = _MODES.pop()  # the handler runs outside its own mode, as in PyTorch
        try:
            result = mode.__torch_function__(public_api, tuple(overloaded), args, kwargs)
        finally:
            _MODES.append(mode)
        if result is not NotImplemented:
            return result
    for kind in overloaded:
        result = kind.__torch_function__(public_api, tuple(overloaded), args, kwargs)
        if result is not NotImplemented:
            return result
    raise TypeError(
        f"no implementation found for '{_qualname(public_api)}' on types that implement "
        f"__torch_function__: {overloaded}"
    )


def _routed(name: str, original):
    @functools.wraps(original)
    def routed(*args, **kwargs):
        if not _MODES:
            return original(*args, **kwargs)
        return handle_torch_function(routed, (*args, *kwargs.values()), *args, **kwargs)

    routed._original = original
    return routed


def _patch_namespaces() -> None:
    for module_name in _NAMESPACES:
        module = importlib.import_module(module_name)
        for name, value in list(vars(module).items()):
            if name.startswith("__") or not isinstance(value, types.FunctionType):
                continue
            _PATCHED[(module, name)] = value
            setattr(module, name, _routed(name, value))


def _restore_namespaces() -> None:
    for (module, name), original in _PATCHED.items():
        setattr(module, name, original)
    _PATCHED.clear()


class TorchFunctionMode:
    """Subclass and define ``__torch_function__(self, func, types, args=(), kwargs=None)``;
    inside ``with mode:`` calls of numtorch's public functions go to it (see the module's
    limits)."""

    def __torch_function__(self, func, types, args=(), kwargs=None):
        raise NotImplementedError

    def __enter__(self):
        if not _MODES:
            _patch_namespaces()
        _MODES.append(self)
        return self

    def __exit__(self, *exc):
        _MODES.remove(self)
        if not _MODES:
            _restore_namespaces()
        return False

    @classmethod
    def push(cls, *args, **kwargs):
        mode = cls(*args, **kwargs)
        mode.__enter__()
        return mode


class BaseTorchFunctionMode(TorchFunctionMode):
    """A mode that runs every function unchanged (a base for modes that watch calls)."""

    def __torch_function__(self, func, types, args=(), kwargs=None):
        return func(*args, **(kwargs or {}))
