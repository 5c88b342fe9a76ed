"""Ops that move elements to new places (copies, not views): flip, roll, rot90, tril/triu,
diag and diag_embed."""

from __future__ import annotations

from .._backend import array_module
from .._tensor import _wrap_dim
from ..autograd.function import Primitive
from . import strided
from .arithmetic import with_out
from .convert import Clone
from .inplace import inplace, writes_shared
from .shape import keyword_form, linear

__all__ = ["flip", "fliplr", "flipud", "roll", "rot90", "tril", "triu", "diag", "diag_embed"]


class Flip(Primitive):
    _name = "FlipBackward0"
    __slots__ = ("dims",)

    def forward(ctx, x, dims):
        ctx.dims = dims
        # NOTE: a copy: numpy's flip is a negative-stride view, which PyTorch's result is not
        return array_module(x).flip(x, dims).copy()

    def backward(ctx, g):
        return linear(ctx, Flip, g, ctx.dims), None


def _dims(dims, nd):
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    dims = tuple(_wrap_dim(d, nd) for d in dims)
    if len(set(dims)) != len(dims):
        raise RuntimeError(
            f"dims has duplicates, original flip dims size={len(dims)}, but unique "
            f"flip dims size={len(set(dims))}"
        )
    return dims


def flip(input, *dims, **kwargs):
    dims = keyword_form(dims, kwargs, "dims")
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = dims[0]
    return Flip.apply(input, _dims(dims, input._data.ndim))


def fliplr(input):
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, (1,))


def flipud(input):
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, (0,))


class Roll(Primitive):
    _name = "RollBackward0"
    __slots__ = ("shifts", "dims")

    def forward(ctx, x, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        xp = array_module(x)
        if dims is None:
            return xp.roll(x.reshape(-1), shifts).reshape(x.shape)
        return xp.roll(x, shifts, dims)

    def backward(ctx, g):
        neg = tuple(-s for s in ctx.shifts) if ctx.dims is not None else -ctx.shifts
        return linear(ctx, Roll, g, neg, ctx.dims), None, None


def roll(input, shifts, dims=None):
    nd = input._data.ndim
    if dims is None or dims == ():
        if not isinstance(shifts, int):
            if len(shifts) != 1:
                raise RuntimeError(
                    f"shifts and dimensions must align. shifts: {len(shifts)}, dims:0"
                )
            shifts = shifts[0]
        return Roll.apply(input, int(shifts), None)
    shifts = (shifts,) if isinstance(shifts, int) else tuple(shifts)
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    if len(shifts) != len(dims):
        raise RuntimeError(
            f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}"
        )
    return Roll.apply(input, shifts, tuple(_wrap_dim(d, nd) for d in dims))


class Rot90(Primitive):
    _name = "Rot90Backward0"
    __slots__ = ("k", "dims")

    def forward(ctx, x, k, dims):
        ctx.k, ctx.dims = k, dims
        return array_module(x).rot90(x, k, dims).copy()

    def backward(ctx, g):
        return linear(ctx, Rot90, g, -ctx.k, ctx.dims), None, None


def rot90(input, k=1, dims=(0, 1)):
    dims = tuple(dims)
    nd = input._data.ndim
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if nd < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {nd}")
    d0, d1 = _wrap_dim(dims[0], nd), _wrap_dim(dims[1], nd)
    if d0 == d1:
        raise RuntimeError(
            f"expected rotation dims to be different, but got dim0 = {d0} and dim1 = {d1}"
        )
    return Rot90.apply(input, k % 4, (d0, d1))


class Tril(Primitive):
    _name = "TrilBackward0"
    __slots__ = ("k",)

    def forward(ctx, x, k):
        ctx.k = k
        return array_module(x).tril(x, k)

    def backward(ctx, g):
        return linear(ctx, type(ctx), g, ctx.k), None


class Triu(Tril):
    _name = "TriuBackward0"

    def forward(ctx, x, k):
        ctx.k = k
        return array_module(x).triu(x, k)


def _triangle(cls, name):
    def fn(input, diagonal=0, *, out=None):
        if input._data.ndim < 2:
            raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
        return with_out(cls.apply(input, int(diagonal)), out)

    fn.__name__ = name
    return fn


tril, triu = _triangle(Tril, "tril"), _triangle(Triu, "triu")
writes_shared(tril)  # PyTorch zeroes the elements in place, whatever shares their memory
writes_shared(triu)


def tril_(self, diagonal=0):
    return inplace(self, tril, diagonal)


def triu_(self, diagonal=0):
    return inplace(self, triu, diagonal)


class DiagEmbed(Primitive):
    _name = "DiagEmbedBackward0"
    __slots__ = ("offset", "d1", "d2")

    def forward(ctx, x, offset, d1, d2):
        ctx.offset, ctx.d1, ctx.d2 = offset, d1, d2
        n = x.shape[-1] + abs(offset)
        shape = list(x.shape[:-1])
        for d in sorted((d1, d2)):
            shape.insert(d, n)
        out = array_module(x).zeros(tuple(shape), x.dtype)
        object.__new__(strided.Diagonal).forward(out, offset, d1, d2)[...] = x
        return out

    def backward(ctx, g):
        return linear(ctx, strided.Diagonal, g, ctx.offset, ctx.d1, ctx.d2), None, None, None


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    nd = input._data.ndim + 1
    d1, d2 = _wrap_dim(dim1, nd), _wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return DiagEmbed.apply(input, int(offset), d1, d2)


def diag(input, diagonal=0, *, out=None):
    """A 1-D input's values on a diagonal of a square matrix, or a 2-D input's diagonal."""
    nd = input._data.ndim
    if nd == 1:
        return with_out(DiagEmbed.apply(input, int(diagonal), 0, 1), out)
    if nd != 2:
        raise RuntimeError("diag(): Supports 1D or 2D tensors. Got " + f"{nd}D")
    # a copy of the diagonal view, one node in PyTorch (whose name says so)
    copy = Clone.named("DiagonalBackward0_copy")
    return with_out(copy.apply(strided.diagonal(input, diagonal, 0, 1)), out)


METHODS = {
    "flip": flip,
    "fliplr": fliplr,
    "flipud": flipud,
    "roll": roll,
    "rot90": rot90,
    "tril": tril,
    "triu": triu,
    "diag": diag,
    "diag_embed": diag_embed,
    "tril_": tril_,
    "triu_": triu_,
}
