"""``torch.backends.mkl``."""

from __future__ import annotations

__all__ = ["is_available"]


def is_available() -> bool:
    """False: numtorch calls the BLAS that NumPy was built with, not MKL through PyTorch."""
    return False
