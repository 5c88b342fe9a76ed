"""``torch.backends.mkldnn``: ``enabled`` is recorded; numtorch's kernels are NumPy's."""

from __future__ import annotations

__all__ = ["is_available", "enabled", "deterministic"]

enabled = True
deterministic = False


def is_available() -> bool:
    return False
