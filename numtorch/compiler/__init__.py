"""``torch.compiler`` and ``torch.compile``: trace-and-replay for numtorch.

The first call of a compiled function (per guard set: input shapes, dtypes, requires_grad, grad
mode, modules' training flags, the parameters it reaches) runs eagerly while it is recorded:
the primitives' forwards on arrays, the backward the engine runs, the optimizer's ``step`` and
``zero_grad``. Later calls whose guards hold replay that recording as a flat program over
arrays: no Tensor objects, no graph, no engine. The values are computed by the same primitive
code, so they are bit-identical to eager numtorch, ``.grad`` and optimizer state included.
A returned tensor whose backward runs after the call (``torch.compile(model)``, then
``loss.backward()``) gets one ``CompiledFunctionBackward`` node that replays the recorded
backward and hands each parameter its gradient.

What the recorder cannot follow is a graph break: ``.item()`` and other reads of a value into
Python, a tensor made from Python values, an in-place change it did not see, a custom
``autograd.Function`` in the backward, a function marked ``disable``. The call that met it
finishes eagerly and the function runs eagerly for those guards from then on;
``fullgraph=True`` raises ``torch._dynamo.exc.Unsupported`` instead.

Python code in the region that touches no tensor (a print, a counter) runs on the recording
call only, as the Python around a graph captured by PyTorch's compiler does.
"""

from __future__ import annotations

import functools
from typing import Callable

from . import _state
from ._frame import COMPILED, CompiledFunction

__all__ = [
    "compile",
    "disable",
    "is_compiling",
    "is_dynamo_compiling",
    "is_exporting",
    "reset",
    "allow_in_graph",
    "list_backends",
]

_MODES = ("default", "lite", "reduce-overhead", "max-autotune-no-cudagraphs", "max-autotune")
_BACKENDS = ("cudagraphs", "inductor", "openxla", "tvm")
_DEBUG_BACKENDS = ("eager", "aot_eager", "aot_eager_decomp_partition")


def compile(
    model: Callable | None = None,
    *,
    fullgraph: bool = False,
    dynamic=None,
    backend="inductor",
    mode=None,
    options=None,
    disable: bool = False,
):
    """Record ``model`` (a function or an ``nn.Module``) on its first call and replay it on
    later calls with the same guards. ``fullgraph=True`` raises where the recording would
    break; ``dynamic`` is accepted (numtorch records each shape it meets); ``mode`` and
    ``options`` are checked as PyTorch checks them and change nothing else."""
    if mode is not None and options is not None:
        raise RuntimeError(
            "Either mode or options can be specified, but both can't be specified at the same time."
        )
    if mode is not None and mode not in _MODES:
        raise RuntimeError(f"Unrecognized mode={mode}, should be one of: {', '.join(_MODES)}")
    _check_backend(backend)
    if model is None:
        return functools.partial(
            compile,
            fullgraph=fullgraph,
            dynamic=dynamic,
            backend=backend,
            mode=mode,
            options=options,
            disable=disable,
        )
    if disable:
        return model
    from ..nn import Module

    if isinstance(model, Module):
        from ._module import OptimizedModule

        return OptimizedModule(model, CompiledFunction(model.__call__, fullgraph))
    if not callable(model):
        raise RuntimeError("Model can't be None")
    return CompiledFunction(model, fullgraph)


def _check_backend(backend) -> None:
    from .._dynamo.exc import InvalidBackend

    if callable(backend):
        raise InvalidBackend(
            "numtorch records and replays its own programs and has no FX graphs to hand to a "
            "custom backend: use backend='inductor' (the default) or 'eager'"
        )
    if backend not in _BACKENDS + _DEBUG_BACKENDS:
        raise InvalidBackend(
            f"Invalid backend: {backend!r}, see `torch._dynamo.list_backends()` for available "
            "backends."
        )


def list_backends(exclude_tags=("debug", "experimental")) -> list:
    """The backend names ``compile`` accepts (all run numtorch's trace-and-replay)."""
    return sorted(_BACKENDS if exclude_tags else _BACKENDS + _DEBUG_BACKENDS)


def disable(fn=None, recursive: bool = True, *, reason=None):
    """Run ``fn`` eagerly: a compiled function that calls it breaks its recording there (and
    runs eagerly from then on; under ``fullgraph=True`` it raises)."""
    if fn is None:
        return functools.partial(disable, recursive=recursive, reason=reason)

    @functools.wraps(fn)
    def eager(*args, **kwargs):
        from ._record import break_here

        break_here(f"{getattr(fn, '__qualname__', fn)} is marked torch.compiler.disable")
        return fn(*args, **kwargs)

    eager._torchdynamo_disable = True
    return eager


def allow_in_graph(fn):
    """``fn`` as it is: numtorch's recorder follows the primitives any function runs."""
    return fn


def is_compiling() -> bool:
    """True while a compiled function is being recorded (its first call per guard set)."""
    return _state.RECORDER is not None


is_dynamo_compiling = is_compiling


def is_exporting() -> bool:
    """numtorch has no ``torch.export``: never exporting."""
    return False


def reset() -> None:
    """Forget every recording: each compiled function records again on its next call."""
    for fn in list(COMPILED):
        fn.reset()
