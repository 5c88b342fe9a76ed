"""Discrete Fourier transforms (the ``numtorch.fft`` functions) and their gradients.

Three primitives do all the work, as in PyTorch: complex-to-complex (``FftC2C``), real-to-complex
(``FftR2C``, full or one-sided) and complex-to-real (``FftC2R``); ``n=``/``s=`` first crop or
zero-pad the input (``Resize``). Each transform is linear, so its gradient is its adjoint: the
opposite transform with the dual normalisation ("backward" <-> "forward", "ortho" stays).
"""

from __future__ import annotations

from ... import _dtype
from ..._autocast import op_inputs
from ..._backend import array_module, array_of
from ..._tensor import Tensor, _wrap_dim
from ...autograd.function import Primitive
from ..shape import linear

__all__ = []

_DUAL = {"backward": "forward", "forward": "backward", "ortho": "ortho"}


def _complex_of(np_dtype):
    return _dtype.from_np(np_dtype).to_complex().np


# --- primitives --------------------------------------------------------------------------------
class Resize(Primitive):
    """Crop or zero-pad each dim to ``shape`` (keeping the leading entries)."""

    _name = "ConstantPadNdBackward0"
    __slots__ = ("shape",)

    def forward(ctx, x, shape):
        ctx.shape = x.shape
        if all(n <= m for n, m in zip(shape, x.shape)):
            return x[tuple(slice(0, n) for n in shape)]
        out = array_module(x).zeros(shape, x.dtype)
        region = tuple(slice(0, min(n, m)) for n, m in zip(shape, x.shape))
        out[region] = x[region]
        return out

    def backward(ctx, g):
        # NOTE: cropping and zero-padding are each other's adjoints
        return linear(ctx, Resize, g, ctx.shape), None


class FftC2C(Primitive):
    _name = "FftC2CBackward0"
    __slots__ = ("axes", "norm", "inverse")

    def forward(ctx, z, axes, norm, inverse):
        ctx.axes, ctx.norm, ctx.inverse = axes, norm, inverse
        fft = array_module(z).fft
        out = (fft.ifftn if inverse else fft.fftn)(z, axes=axes, norm=norm)
        return out.astype(z.dtype, copy=False)

    def backward(ctx, g):
        return linear(ctx, FftC2C, g, ctx.axes, _DUAL[ctx.norm], not ctx.inverse), None, None, None


class FftR2C(Primitive):
    """The forward transform of a real input: all frequencies, or with ``onesided`` only the
    non-negative ones along the last transformed dim (the rest are their conjugates)."""

    _name = "FftR2CBackward0"
    __slots__ = ("axes", "norm", "onesided", "n_last")

    def forward(ctx, x, axes, norm, onesided):
        ctx.axes, ctx.norm, ctx.onesided = axes, norm, onesided
        ctx.n_last = x.shape[axes[-1]]
        fft = array_module(x).fft
        out = (fft.rfftn if onesided else fft.fftn)(x, axes=axes, norm=norm)
        return out.astype(_complex_of(x.dtype), copy=False)

    def backward(ctx, g):
        # NOTE: y = P F x with P keeping the first n//2+1 frequencies; the adjoint zero-pads
        # the gradient, applies F^H and keeps the real part, since x is real (as PyTorch)
        if ctx.onesided:
            shape = list(g.shape)
            shape[ctx.axes[-1]] = ctx.n_last
            g = linear(ctx, Resize, g, tuple(shape))
        gz = linear(ctx, FftC2C, g, ctx.axes, _DUAL[ctx.norm], True)
        return ctx.xp.real(gz), None, None, None


class FftC2R(Primitive):
    """The inverse of a one-sided transform: a real signal of ``n_last`` points along the last
    transformed dim, from its ``n_last // 2 + 1`` non-negative frequencies."""

    _name = "FftC2RBackward0"
    __slots__ = ("axes", "norm")

    def forward(ctx, z, axes, norm, n_last):
        ctx.axes, ctx.norm = axes, norm
        s = [z.shape[a] for a in axes[:-1]] + [n_last]
        out = array_module(z).fft.irfftn(z, s=s, axes=axes, norm=norm)
        return out.astype(z.real.dtype, copy=False)

    def backward(ctx, g):
        # NOTE: PyTorch's gradient: the one-sided transform of g with every frequency that
        # stands for a conjugate pair (all but zero and, for even n, n/2) counted twice
        gz = linear(ctx, FftR2C, g, ctx.axes, _DUAL[ctx.norm], True)
        last = ctx.axes[-1]
        n, m = g.shape[last], gz.shape[last]
        scale = array_module(g).ones(m, dtype=array_of(g).dtype)
        scale[1 : 1 + n - m] = 2
        scale = scale.reshape((m,) + (1,) * (gz.ndim - last - 1))
        return gz * ctx.xp.asarray(scale), None, None, None


# --- argument handling -------------------------------------------------------------------------
def _norm(norm):
    if norm is None:
        return "backward"
    if norm not in _DUAL:
        raise RuntimeError(f'Invalid normalization mode: "{norm}"')
    return norm


def _axes(x: Tensor, s, dim, default_all=True):
    """The transformed dims (wrapped) and their sizes (``s`` where given, else x's)."""
    nd = x._data.ndim
    if isinstance(s, int):
        s = (s,)
    if dim is None:
        if s is None:
            axes = tuple(range(nd)) if default_all else ()
        else:
            if len(s) > nd:
                raise RuntimeError(
                    f"Got shape with {len(s)} values but input tensor only has {nd} dimensions."
                )
            axes = tuple(range(nd - len(s), nd))
    else:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        if nd == 0 and dims:
            raise IndexError(f"Dimension specified as {dims[0]} but tensor has no dimensions")
        axes = tuple(_wrap_dim(d, nd) for d in dims)
        if len(set(axes)) != len(axes):
            raise RuntimeError("FFT dims must be unique")
        if s is not None and len(s) != len(axes):
            raise RuntimeError("When given, dim and shape arguments must have the same length")
    if s is None:
        sizes = [x._data.shape[a] for a in axes]
    else:
        sizes = [x._data.shape[a] if n == -1 else int(n) for a, n in zip(axes, s)]
    for n in sizes:
        if n < 1:
            raise RuntimeError(f"Invalid number of data points ({n}) specified")
    return axes, sizes


def _resize(x: Tensor, axes, sizes) -> Tensor:
    shape = list(x._data.shape)
    for a, n in zip(axes, sizes):
        shape[a] = n
    if tuple(shape) == x._data.shape:
        return x
    return Resize.apply(x, tuple(shape))


def _floating(x: Tensor, name: str) -> Tensor:
    """``x`` as a transform takes it: floating, in its autocast dtype (float32, on a CPU)."""
    (x,) = op_inputs(f"fft_{name}", x)
    kind = x._data.dtype.kind
    if kind in "iub":
        return x.to(_dtype.get_default_dtype())
    if x._data.dtype.itemsize < 4 or kind == "V":
        raise RuntimeError(f"Unsupported dtype {x.dtype.scalar_type_name}")
    return x


def _to_complex(x: Tensor) -> Tensor:
    return x if x._data.dtype.kind == "c" else x.to(x.dtype.to_complex())


# --- the transforms ----------------------------------------------------------------------------
def c2c(input: Tensor, s, dim, norm, inverse: bool, name: str) -> Tensor:
    """fft / ifft / fftn ...: a real input takes the full real-to-complex path."""
    norm = _norm(norm)
    x = _floating(input, name)
    axes, sizes = _axes(x, s, dim)
    x = _resize(x, axes, sizes)
    if not axes:
        return _to_complex(x)
    if x._data.dtype.kind != "c":
        if inverse:
            # NOTE: ifft(x) of a real x is conj(fft(x)) scaled; going through complex keeps
            # one code path, and the cast's gradient keeps the real part
            return FftC2C.apply(_to_complex(x), axes, norm, True)
        return FftR2C.apply(x, axes, norm, False)
    return FftC2C.apply(x, axes, norm, inverse)


def _require_real(input: Tensor, name: str) -> None:
    """PyTorch's text for a complex input to a real-input transform: its n-d rfft checks under
    rfftn's name, its n-d ihfft checks the dtype generically."""
    if input._data.dtype.kind != "c":
        return
    kind = input.dtype.scalar_type_name
    if name in ("rfft", "ihfft"):
        raise RuntimeError(f"{name} expects a real input tensor, but got {kind}")
    if name.startswith("rfft"):
        raise RuntimeError(f"rfftn expects a real-valued input tensor, but got {kind}")
    raise RuntimeError(f"Only supports floating-point dtypes, but found: {kind}")


def r2c(input: Tensor, s, dim, norm, name: str) -> Tensor:
    """rfft / rfftn: the non-negative frequencies of a real signal."""
    norm = _norm(norm)
    _require_real(input, name)
    x = _floating(input, name)
    axes, sizes = _axes(x, s, dim)
    if not axes:
        return _to_complex(x)
    return FftR2C.apply(_resize(x, axes, sizes), axes, norm, True)


def c2r(input: Tensor, s, dim, norm, name: str) -> Tensor:
    """irfft / irfftn: a real signal from its non-negative frequencies; the last dim's output
    length defaults to ``2 * (m - 1)`` for ``m`` input frequencies."""
    norm = _norm(norm)
    x = _to_complex(_floating(input, name))
    axes, sizes = _axes(x, s, dim)
    if not axes:
        raise RuntimeError(f"{name} must transform at least one axis")
    last_given = s if isinstance(s, int) or s is None else s[-1]
    if last_given is None or last_given == -1:
        sizes[-1] = 2 * (x._data.shape[axes[-1]] - 1)
        if sizes[-1] < 1:
            raise RuntimeError(f"Invalid number of data points ({sizes[-1]}) specified")
    n_last = sizes[-1]
    x = _resize(x, axes, sizes[:-1] + [n_last // 2 + 1])
    return FftC2R.apply(x, axes, norm, n_last)


def hermitian_c2r(input, s, dim, norm, name):
    """hfft / hfftn: the forward transform of a Hermitian-symmetric signal given by its first
    half, which is ``irfftn(conj(x))`` with the dual normalisation."""
    from ..complex import conj

    x = _to_complex(_floating(input, name))
    return c2r(conj(x), s, dim, _DUAL[_norm(norm)], name)


def hermitian_r2c(input, s, dim, norm, name):
    """ihfft / ihfftn: the inverse of ``hfft``, ``conj(rfftn(x))`` with the dual
    normalisation."""
    from ..complex import conj

    _require_real(input, name)
    return conj(r2c(input, s, dim, _DUAL[_norm(norm)], name))
