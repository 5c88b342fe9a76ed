"""``torch.jit``: TorchScript's decorators and types, as they behave when nothing is scripted.

numtorch has no TorchScript compiler. Libraries decorate functions with ``@torch.jit.script``,
``@torch.jit.unused`` or ``@torch.jit.ignore`` and check ``torch.jit.is_scripting()``; here
``script`` and ``trace`` hand back the function or module itself, which then runs eagerly
(as PyTorch code runs under ``PYTORCH_JIT=0``), and the predicates say that nothing is being
scripted or traced. Saving or loading a TorchScript archive raises: it needs PyTorch.
"""

from __future__ import annotations

import sys
import warnings
from collections import namedtuple
from typing import Any, Callable, Final  # noqa: F401 - torch.jit.Final is typing's

from .nn.modules.module import Module

__all__ = [
    "script",
    "trace",
    "trace_module",
    "ignore",
    "unused",
    "export",
    "interface",
    "is_scripting",
    "is_tracing",
    "script_if_tracing",
    "annotate",
    "Attribute",
    "Final",
    "ScriptModule",
    "RecursiveScriptModule",
    "ScriptFunction",
    "save",
    "load",
]

# PyTorch's eager Attribute: a (value, type) pair that scripting would read.
Attribute = namedtuple("Attribute", ["value", "type"])


def _deprecated(name: str) -> None:
    """PyTorch 2.13's notice on its TorchScript entry points (hidden by default, as there)."""
    if sys.version_info >= (3, 14):
        text = f"`torch.jit.{name}` is not supported in Python 3.14+ and may break. "
    else:
        text = f"`torch.jit.{name}` is deprecated. "
    # stacklevel 2 names this module's caller inside numtorch.jit, as PyTorch's names its own
    warnings.warn(
        text + "Please switch to `torch.compile` or `torch.export`.",
        DeprecationWarning,
        stacklevel=2,
    )


def script(obj: Any, optimize=None, _frames_up: int = 0, _rcb=None, example_inputs=None) -> Any:
    """``obj`` itself: with no TorchScript compiler the function or module runs eagerly."""
    _deprecated("script")
    return obj


def trace(func: Callable, example_inputs=None, *args, **kwargs) -> Callable:
    """``func`` itself: it runs eagerly instead of as a recorded graph."""
    _deprecated("trace")
    return func


def trace_module(mod, inputs=None, *args, **kwargs):
    return mod


def script_if_tracing(fn: Callable) -> Callable:
    return fn


def ignore(drop=False, **kwargs):
    """``@ignore`` or ``@ignore(drop=True)``: the function is left as Python (it always is)."""
    if callable(drop):
        return drop
    return lambda fn: fn


def unused(fn: Callable) -> Callable:
    return fn


def export(fn: Callable) -> Callable:
    return fn


def interface(obj):
    return obj


def _overload(fn: Callable) -> Callable:
    return fn


def _overload_method(fn: Callable) -> Callable:
    return fn


def script_method(fn: Callable) -> Callable:
    _deprecated("script_method")
    return fn


def annotate(the_type, the_value):
    return the_value


def is_scripting() -> bool:
    """False: numtorch code always runs as Python."""
    return False


def is_tracing() -> bool:
    return False


class ScriptModule(Module):
    """The base of scripted modules; numtorch never makes one, but libraries test for it."""


class RecursiveScriptModule(ScriptModule):
    pass


class ScriptFunction:
    """The type of a scripted function; since ``script`` returns functions as they are, no
    object is one."""

    def __init__(self, *args, **kwargs):
        raise TypeError("torch.jit.ScriptFunction cannot be created: numtorch has no TorchScript")


def save(m, f, _extra_files=None) -> None:
    raise NotImplementedError(
        "torch.jit.save writes TorchScript, which numtorch does not have; save the weights with "
        "torch.save(model.state_dict(), path) instead"
    )


def load(f, map_location=None, _extra_files=None, _restore_shapes=False):
    raise NotImplementedError(
        "torch.jit.load reads TorchScript archives, which need PyTorch; numtorch loads "
        "state dicts saved with torch.save"
    )
