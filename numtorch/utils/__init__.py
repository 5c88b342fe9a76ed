"""Utilities: ``utils.data`` (datasets and loaders), ``utils.checkpoint`` (recompute in
backward to save memory), ``utils.hooks``, ``utils.safetensors``."""

from __future__ import annotations

from . import checkpoint, data, hooks  # noqa: F401
