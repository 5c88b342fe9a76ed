"""Utilities: ``numtorch.utils.data`` (datasets and loaders) and ``utils.hooks``."""

from __future__ import annotations

from . import data, hooks  # noqa: F401
