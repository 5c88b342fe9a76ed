"""``torch.backends.cpu``."""

from __future__ import annotations

from .. import _rng_kernels

__all__ = ["get_cpu_capability"]


def get_cpu_capability() -> str:
    """``"AVX2"`` where numtorch reproduces PyTorch's vectorised (AVX2/AVX512) random
    streams, else ``"DEFAULT"`` (see ``numtorch._rng_kernels.CPU_CAPABILITY``)."""
    return "AVX2" if _rng_kernels.CPU_CAPABILITY == "avx2" else "DEFAULT"
