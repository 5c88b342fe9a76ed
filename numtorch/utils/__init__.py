"""Utilities: ``utils.data`` (datasets and loaders), ``utils.checkpoint`` (recompute in
backward to save memory), ``utils.hooks``, ``utils.safetensors``."""

from __future__ import annotations

from . import checkpoint, data, hooks  # noqa: F401


def __getattr__(name):
    # flop_counter patches ops only while it counts; it loads on first use
    if name == "flop_counter":
        import importlib

        return importlib.import_module(f"{__name__}.flop_counter")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
