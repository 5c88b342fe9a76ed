"""``torch.nn.attention``: choosing the backends of ``scaled_dot_product_attention``.

numtorch has one implementation of attention (the math one, in NumPy/CuPy); ``sdpa_kernel``
records which backends the block allows in ``torch.backends.cuda``'s switches, as PyTorch
does, and every allowed backend computes the same values here."""

from __future__ import annotations

import contextlib
import enum

from ...backends import cuda as _cuda

__all__ = ["SDPBackend", "sdpa_kernel"]


class SDPBackend(enum.IntEnum):
    ERROR = -1
    MATH = 0
    FLASH_ATTENTION = 1
    EFFICIENT_ATTENTION = 2
    CUDNN_ATTENTION = 3
    OVERRIDEABLE = 4


_SWITCHES = {
    SDPBackend.MATH: "math",
    SDPBackend.FLASH_ATTENTION: "flash",
    SDPBackend.EFFICIENT_ATTENTION: "mem_efficient",
}


@contextlib.contextmanager
def sdpa_kernel(backends, set_priority: bool = False):
    """``with sdpa_kernel([SDPBackend.MATH]):`` allows only the listed backends in the block."""
    if not isinstance(backends, (list, SDPBackend)):
        raise AssertionError(
            "Backend must be an instance of SDPBackend or a list of SDPBackend instances, got "
            f"{type(backends).__name__}"
        )
    allowed = {backends} if isinstance(backends, SDPBackend) else set(backends)
    saved = dict(_cuda._SDP)
    try:
        for backend, switch in _SWITCHES.items():
            _cuda._SDP[switch] = backend in allowed
        yield {}
    finally:
        _cuda._SDP.update(saved)
