"""``torch.backends``: the switches programs set for PyTorch's kernel libraries.

numtorch runs every op through NumPy (or CuPy), so the cuDNN, MKL-DNN and MPS flags change
nothing; they exist, settable and readable, so that programs which set them run unchanged.
``backends.cpu.get_cpu_capability()`` reports the instruction set whose results numtorch's
random streams reproduce.
"""

from __future__ import annotations

from . import cpu, cuda, cudnn, mkl, mkldnn, mps, openmp

__all__ = ["cpu", "cuda", "cudnn", "mkl", "mkldnn", "mps", "openmp"]
