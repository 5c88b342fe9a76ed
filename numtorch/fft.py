"""``torch.fft``: discrete Fourier transforms with PyTorch's signatures, normalisations
(``norm=`` "backward", "forward" or "ortho") and gradients.

    x = numtorch.randn(8)
    X = numtorch.fft.rfft(x)
    numtorch.fft.irfft(X, n=8)   # x again
"""

from __future__ import annotations

from . import _dtype
from ._aliases import with_numpy_aliases
from ._backend import as_device, module_for
from ._tensor import Tensor, wrap
from .ops.fft import transforms as _f
from .ops.reorder import roll

__all__ = [
    "fft",
    "ifft",
    "fft2",
    "ifft2",
    "fftn",
    "ifftn",
    "rfft",
    "irfft",
    "rfft2",
    "irfft2",
    "rfftn",
    "irfftn",
    "hfft",
    "ihfft",
    "hfft2",
    "ihfft2",
    "hfftn",
    "ihfftn",
    "fftfreq",
    "rfftfreq",
    "fftshift",
    "ifftshift",
]


def _one(n):
    if n is None:
        return None
    if n < 1:  # -1 means "the default" only inside s=
        raise RuntimeError(f"Invalid number of data points ({n}) specified")
    return (n,)


def _with_out(result, out):
    from .ops.arithmetic import with_out

    return with_out(result, out)


# --- one dim -----------------------------------------------------------------------------------
def fft(input: Tensor, n=None, dim=-1, norm=None, *, out=None) -> Tensor:
    """The discrete Fourier transform along ``dim`` (cropped or zero-padded to ``n`` points)."""
    return _with_out(_f.c2c(input, _one(n), dim, norm, False, "fft"), out)


def ifft(input: Tensor, n=None, dim=-1, norm=None, *, out=None) -> Tensor:
    """The inverse discrete Fourier transform along ``dim``."""
    return _with_out(_f.c2c(input, _one(n), dim, norm, True, "ifft"), out)


def rfft(input: Tensor, n=None, dim=-1, norm=None, *, out=None) -> Tensor:
    """The non-negative frequencies (``n // 2 + 1`` of them) of a real signal's transform."""
    return _with_out(_f.r2c(input, _one(n), dim, norm, "rfft"), out)


def irfft(input: Tensor, n=None, dim=-1, norm=None, *, out=None) -> Tensor:
    """The real signal (``n`` points, default ``2 * (m - 1)``) whose ``rfft`` is ``input``."""
    return _with_out(_f.c2r(input, _one(n), dim, norm, "irfft"), out)


def hfft(input: Tensor, n=None, dim=-1, norm=None, *, out=None) -> Tensor:
    """The (real) transform of a Hermitian-symmetric signal given by its first half."""
    return _with_out(_f.hermitian_c2r(input, _one(n), dim, norm, "hfft"), out)


def ihfft(input: Tensor, n=None, dim=-1, norm=None, *, out=None) -> Tensor:
    """The inverse of ``hfft``: the first half of a real signal's inverse transform."""
    return _with_out(_f.hermitian_r2c(input, _one(n), dim, norm, "ihfft"), out)


# --- several dims ------------------------------------------------------------------------------
def fftn(input: Tensor, s=None, dim=None, norm=None, *, out=None) -> Tensor:
    """The N-dimensional transform over ``dim`` (default: all dims, or the last ``len(s)``)."""
    return _with_out(_f.c2c(input, s, dim, norm, False, "fftn"), out)


def ifftn(input: Tensor, s=None, dim=None, norm=None, *, out=None) -> Tensor:
    return _with_out(_f.c2c(input, s, dim, norm, True, "ifftn"), out)


def rfftn(input: Tensor, s=None, dim=None, norm=None, *, out=None) -> Tensor:
    return _with_out(_f.r2c(input, s, dim, norm, "rfftn"), out)


def irfftn(input: Tensor, s=None, dim=None, norm=None, *, out=None) -> Tensor:
    return _with_out(_f.c2r(input, s, dim, norm, "irfftn"), out)


def hfftn(input: Tensor, s=None, dim=None, norm=None, *, out=None) -> Tensor:
    return _with_out(_f.hermitian_c2r(input, s, dim, norm, "hfftn"), out)


def ihfftn(input: Tensor, s=None, dim=None, norm=None, *, out=None) -> Tensor:
    return _with_out(_f.hermitian_r2c(input, s, dim, norm, "ihfftn"), out)


def fft2(input: Tensor, s=None, dim=(-2, -1), norm=None, *, out=None) -> Tensor:
    return _with_out(_f.c2c(input, s, dim, norm, False, "fft2"), out)


def ifft2(input: Tensor, s=None, dim=(-2, -1), norm=None, *, out=None) -> Tensor:
    return _with_out(_f.c2c(input, s, dim, norm, True, "ifft2"), out)


def rfft2(input: Tensor, s=None, dim=(-2, -1), norm=None, *, out=None) -> Tensor:
    return _with_out(_f.r2c(input, s, dim, norm, "rfft2"), out)


def irfft2(input: Tensor, s=None, dim=(-2, -1), norm=None, *, out=None) -> Tensor:
    return _with_out(_f.c2r(input, s, dim, norm, "irfft2"), out)


def hfft2(input: Tensor, s=None, dim=(-2, -1), norm=None, *, out=None) -> Tensor:
    return _with_out(_f.hermitian_c2r(input, s, dim, norm, "hfft2"), out)


def ihfft2(input: Tensor, s=None, dim=(-2, -1), norm=None, *, out=None) -> Tensor:
    return _with_out(_f.hermitian_r2c(input, s, dim, norm, "ihfft2"), out)


# --- frequencies and shifts --------------------------------------------------------------------
def _freqs(kind, n, d, dtype, device, requires_grad, out):
    dt = dtype or _dtype.get_default_dtype()
    xp = module_for(as_device(device))
    t = wrap(getattr(xp.fft, kind)(n, d).astype(dt.np))
    if requires_grad:
        t.requires_grad_(True)
    return _with_out(t, out)


def fftfreq(
    n: int,
    d: float = 1.0,
    *,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
) -> Tensor:
    """The sample frequencies of an ``n``-point transform with sample spacing ``d``:
    ``[0, 1, ..., (n - 1) // 2, -(n // 2), ..., -1] / (d * n)``."""
    return _freqs("fftfreq", n, d, dtype, device, requires_grad, out)


def rfftfreq(
    n: int,
    d: float = 1.0,
    *,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
) -> Tensor:
    """The non-negative sample frequencies of ``rfft``: ``[0, 1, ..., n // 2] / (d * n)``."""
    return _freqs("rfftfreq", n, d, dtype, device, requires_grad, out)


def _shift(input: Tensor, dim, inverse: bool) -> Tensor:
    nd = input._data.ndim
    dims = tuple(range(nd)) if dim is None else ((dim,) if isinstance(dim, int) else tuple(dim))
    if not dims:
        return input
    shape = input._data.shape
    shifts = [(shape[d] + 1) // 2 if inverse else shape[d] // 2 for d in dims]
    return roll(input, shifts, dims)


def fftshift(input: Tensor, dim=None) -> Tensor:
    """Move the zero frequency to the centre of ``dim`` (default: every dim)."""
    return _shift(input, dim, False)


def ifftshift(input: Tensor, dim=None) -> Tensor:
    """The inverse of ``fftshift``."""
    return _shift(input, dim, True)


# PyTorch's native functions take NumPy-style keyword aliases (axis=, keepdims=)
for _public in __all__:
    globals()[_public] = with_numpy_aliases(globals()[_public], _public, "fft_")
del _public
