"""Reverse-mode automatic differentiation: ``backward``, ``grad``, grad modes, ``Function``."""

from __future__ import annotations

from .._tensor import Tensor
from . import functional
from .anomaly_mode import detect_anomaly, set_detect_anomaly
from .engine import backward, grad
from .function import Function, FunctionCtx
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .grad_mode import enable_grad, inference_mode, no_grad, set_grad_enabled


class _VariableMeta(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor)


class Variable(metaclass=_VariableMeta):
    """The pre-0.4 wrapper, kept for old code: ``Variable(t, requires_grad=True)`` returns a
    new leaf Tensor sharing ``t``'s memory."""

    def __new__(cls, data=None, requires_grad=False, volatile=False):
        import warnings

        if volatile:
            warnings.warn(
                "volatile was removed and now has no effect. Use `with torch.no_grad():` instead.",
                UserWarning,
                stacklevel=2,
            )
        if data is None:
            from ..ops.creation import empty

            return empty(0, requires_grad=requires_grad)
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        t = data.detach()
        t._vc = [0]
        if requires_grad:
            if data._data.dtype.kind not in "fcV":
                raise RuntimeError(
                    "Only Tensors of floating point and complex dtype can require gradients"
                )
            t._rg = True
        return t


__all__ = [
    "backward",
    "grad",
    "Function",
    "FunctionCtx",
    "Variable",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "inference_mode",
    "gradcheck",
    "gradgradcheck",
    "GradcheckError",
    "detect_anomaly",
    "set_detect_anomaly",
]


def __getattr__(name):
    # the profiler patches ops only while it records; its module loads on first use
    if name == "profiler":
        import importlib

        return importlib.import_module(f"{__name__}.profiler")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
