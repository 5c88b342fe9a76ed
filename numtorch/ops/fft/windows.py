"""Window functions for spectral analysis (``hann_window``, ``kaiser_window`` ...).

A periodic window of length N is the symmetric window of length N + 1 without its last point,
as in PyTorch (the form ``stft`` wants).
"""

from __future__ import annotations

import math

from ... import _dtype
from ..._tensor import Tensor, wrap
from ..tensor_data import _xp

__all__ = ["hann_window", "hamming_window", "blackman_window", "bartlett_window", "kaiser_window"]


def _window(name, window_length, periodic, dtype, device, requires_grad, formula):
    dt = dtype or _dtype.get_default_dtype()
    if not dt.is_floating_point:
        raise RuntimeError(f"{name} expects floating point dtypes, got: {dt}")
    if window_length < 0:
        raise RuntimeError(
            f"{name} requires non-negative window_length, got window_length={window_length}"
        )
    xp = _xp(device)
    if window_length <= 1:
        out = xp.ones((window_length,), dt.np)
    else:
        n = window_length + 1 if periodic else window_length
        # NOTE: computed in float64 and rounded once, so float32 windows match to the last bit
        # more often than a float32 evaluation would
        out = formula(xp, xp.arange(n, dtype="float64"), n - 1)[:window_length].astype(dt.np)
    t = wrap(out)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _raised_cosine(alpha, beta):
    return lambda xp, n, m: alpha - beta * xp.cos(2 * math.pi * n / m)


def _plain_window(name: str, formula, doc: str):
    """A window function with no parameter of its own (PyTorch's signatures of these agree)."""

    def window(
        window_length: int,
        periodic: bool = True,
        *,
        dtype=None,
        layout=None,
        device=None,
        requires_grad: bool = False,
    ) -> Tensor:
        return _window(name, window_length, periodic, dtype, device, requires_grad, formula)

    window.__name__ = window.__qualname__ = name
    window.__doc__ = doc
    return window


hann_window = _plain_window(
    "hann_window", _raised_cosine(0.5, 0.5), "``0.5 - 0.5 cos(2 pi n / (N - 1))``."
)
blackman_window = _plain_window(
    "blackman_window",
    lambda xp, n, m: 0.42 - 0.5 * xp.cos(2 * math.pi * n / m) + 0.08 * xp.cos(4 * math.pi * n / m),
    "``0.42 - 0.5 cos(2 pi n / (N - 1)) + 0.08 cos(4 pi n / (N - 1))``.",
)
bartlett_window = _plain_window(
    "bartlett_window",
    lambda xp, n, m: 1 - xp.abs(2 * n / m - 1),
    "The triangle ``1 - |2n / (N - 1) - 1|``.",
)


def hamming_window(
    window_length: int,
    periodic: bool = True,
    alpha: float = 0.54,
    beta: float = 0.46,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
) -> Tensor:
    """``alpha - beta cos(2 pi n / (N - 1))``."""
    return _window(
        "hamming_window",
        window_length,
        periodic,
        dtype,
        device,
        requires_grad,
        _raised_cosine(alpha, beta),
    )


def kaiser_window(
    window_length: int,
    periodic: bool = True,
    beta: float = 12.0,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
) -> Tensor:
    """``I0(beta sqrt(1 - (2n / (N - 1) - 1)^2)) / I0(beta)``."""
    return _window(
        "kaiser_window",
        window_length,
        periodic,
        dtype,
        device,
        requires_grad,
        lambda xp, n, m: (
            xp.i0(beta * xp.sqrt(xp.clip(1 - (2 * n / m - 1) ** 2, 0, None))) / xp.i0(beta)
        ),
    )
