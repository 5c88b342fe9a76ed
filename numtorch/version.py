"""``torch.version``: what this build is (no CUDA or ROCm build: the GPU path is CuPy's)."""

from __future__ import annotations

from . import __version__

__all__ = ["__version__", "cuda", "hip", "debug", "git_version"]

cuda = None
hip = None
debug = False
git_version = "Unknown"
