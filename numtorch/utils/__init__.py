"""Utilities: ``utils.data`` (datasets and loaders), ``utils.checkpoint`` (recompute in
backward to save memory), ``utils.hooks``, ``utils.safetensors``,
``utils.tensorboard``."""

from __future__ import annotations

from . import checkpoint, data, hooks  # noqa: F401


def __getattr__(name):
    # flop_counter patches ops only while it counts, and tensorboard is an optional package
    # that is slow to import: each loads on first use
    if name in ("flop_counter", "tensorboard"):
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
