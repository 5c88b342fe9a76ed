"""``torch.backends.cudnn``: flags recorded for programs that set them (numtorch has no cuDNN).

``enabled``, ``benchmark``, ``deterministic`` and ``allow_tf32`` are plain module attributes,
so ``torch.backends.cudnn.benchmark = True`` works as in PyTorch; ``flags(...)`` sets them for
a ``with`` block.
"""

from __future__ import annotations

import contextlib
import sys

__all__ = [
    "is_available",
    "version",
    "is_acceptable",
    "flags",
    "enabled",
    "benchmark",
    "deterministic",
    "allow_tf32",
    "benchmark_limit",
]

enabled = True
benchmark = False
deterministic = False
allow_tf32 = True
benchmark_limit = 10


def is_available() -> bool:
    return False


def version():
    """None: no cuDNN library is loaded."""
    return None


def is_acceptable(tensor) -> bool:
    return False


_FLAG_NAMES = ("enabled", "benchmark", "deterministic", "allow_tf32", "benchmark_limit")


@contextlib.contextmanager
def flags(enabled=False, benchmark=False, benchmark_limit=10, deterministic=False, allow_tf32=True):
    """Set the flags for the duration of a ``with`` block, restoring them after."""
    module = sys.modules[__name__]
    saved = {name: getattr(module, name) for name in _FLAG_NAMES}
    new = {
        "enabled": enabled,
        "benchmark": benchmark,
        "deterministic": deterministic,
        "allow_tf32": allow_tf32,
        "benchmark_limit": benchmark_limit,
    }
    for name, value in new.items():
        setattr(module, name, value)
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(module, name, value)
