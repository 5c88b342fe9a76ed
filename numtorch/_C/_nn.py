"""``torch._C._nn``: argument parsing that ``Module.to`` overrides reuse (PyTorch Lightning)."""

from __future__ import annotations

__all__ = ["_parse_to"]


def _parse_to(*args, **kwargs):
    """``to()``'s arguments as ``(device, dtype, non_blocking, memory_format)``."""
    from .._backend import as_device
    from ..ops.convert import _parse_to as parse

    non_blocking = bool(kwargs.get("non_blocking", False))
    memory_format = kwargs.get("memory_format")
    dtype, device, _ = parse(args, dict(kwargs))
    return (None if device is None else as_device(device)), dtype, non_blocking, memory_format
