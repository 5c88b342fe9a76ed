"""``torch._C``: the few entries of PyTorch's C extension that libraries reach into.

Each is here because a named library calls it, and each behaves as PyTorch's does on a CPU
build that is not tracing or compiling.
"""

from __future__ import annotations

from .._tensor import Tensor
from . import _nn  # noqa: F401 - torch._C._nn._parse_to (PyTorch Lightning)

__all__ = ["_log_api_usage_once", "_get_tracing_state", "_nn", "_TensorMeta"]

_TensorMeta = type(Tensor)  # Tensor's metaclass: PyTorch Lightning's loader annotates with it


def _log_api_usage_once(event: str) -> None:
    """torchmetrics and PyTorch Lightning report API use; PyTorch forwards it to a logger that
    is off unless ``PYTORCH_API_USAGE_STDERR`` is set, and numtorch has no such logger."""
    if not isinstance(event, str):
        raise TypeError(f"_log_api_usage_once(): argument 'event' must be str, not {type(event)}")


def _get_tracing_state():
    """None: nothing is being traced (torchinfo, transformers check it)."""
    return None
