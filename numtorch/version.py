"""``torch.version``: the PyTorch release numtorch follows and numtorch's own release.

``__version__`` is the PyTorch release whose API numtorch provides (libraries check it);
``numtorch`` is numtorch's own version. There is no CUDA or ROCm build: the GPU path is CuPy's.
"""

from __future__ import annotations

__all__ = ["__version__", "numtorch", "cuda", "hip", "rocm", "xpu", "debug", "git_version"]

__version__ = "2.13.0"
numtorch = "0.1.0"
cuda = None
hip = None
rocm = None
xpu = None
debug = False
git_version = "Unknown"
