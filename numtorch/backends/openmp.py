"""``torch.backends.openmp``."""

from __future__ import annotations

__all__ = ["is_available"]


def is_available() -> bool:
    """False: numtorch itself starts no OpenMP threads (the BLAS may use its own pool)."""
    return False
