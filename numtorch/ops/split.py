"""Splitting: split, chunk, tensor_split, hsplit/vsplit/dsplit and unbind. Each piece is a
view of the input (it shares its memory and version counter)."""

from __future__ import annotations

from .._tensor import Tensor, _wrap_dim
from ..autograd.function import Primitive
from .inplace import make_view
from .shape import zeros
from .strided import Select, Slice, narrow

__all__ = ["split", "chunk", "tensor_split", "hsplit", "vsplit", "dsplit", "unbind"]


class Split(Primitive):
    """Pieces of ``x`` along ``dim`` between ``bounds``: each a view of ``x``."""

    _name = "SplitWithSizesBackward0"
    __slots__ = ("dim", "bounds", "shape")

    def forward(ctx, x, dim, bounds):
        ctx.dim, ctx.bounds, ctx.shape = dim, bounds, x.shape
        lead = (slice(None),) * dim
        return tuple(x[lead + (slice(a, b), Ellipsis)] for a, b in bounds)

    def backward(ctx, *gs):
        ref = next(g for g in gs if g is not None)
        d, s = ctx.dim, ctx.shape
        parts = [
            g if g is not None else zeros(ctx, s[:d] + (b - a,) + s[d + 1 :], ref)
            for g, (a, b) in zip(gs, ctx.bounds)
        ]
        return ctx.xp.concatenate(parts, axis=d), None, None


class SplitEqual(Split):
    _name = "SplitBackward0"


def _split_views(cls, input, dim, bounds):
    outs = cls.apply(input, dim, bounds)
    lead = (slice(None),) * dim
    return tuple(
        make_view(input, o, Slice, (lead + (slice(a, b), Ellipsis),))
        for o, (a, b) in zip(outs, bounds)
    )


def _bounds(sizes):
    out, pos = [], 0
    for s in sizes:
        out.append((pos, pos + s))
        pos += s
    return tuple(out)


def split(tensor, split_size_or_sections, dim=0):
    """Pieces of ``split_size`` (the last smaller) or of the listed sizes along ``dim``."""
    shape = tensor._data.shape
    if not shape:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = _wrap_dim(dim, len(shape))
    n = shape[d]
    if isinstance(split_size_or_sections, int):
        size = split_size_or_sections
        if size < 0:
            raise RuntimeError(
                f"split expects split_size be non-negative, but got split_size={size}"
            )
        if size == 0 and n:
            raise RuntimeError(
                f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}"
            )
        pieces = max((n + size - 1) // size, 1) if size else 1
        sizes = [size] * (pieces - 1) + [n - size * (pieces - 1)]
        return _split_views(SplitEqual, tensor, d, _bounds(sizes))
    sizes = [int(s) for s in split_size_or_sections]
    if sum(sizes) != n or any(s < 0 for s in sizes):
        raise RuntimeError(
            f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size at "
            f"dimension {d}), but got split_sizes={sizes}"
        )
    return _split_views(Split, tensor, d, _bounds(sizes))


def chunk(input, chunks, dim=0):
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    shape = input._data.shape
    if not shape:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    n = shape[_wrap_dim(dim, len(shape))]
    return (
        split(input, max((n + chunks - 1) // chunks, 1) if n else 0, dim)
        if n
        else split(input, [0] * chunks, dim)
    )


def tensor_split(input, indices_or_sections, dim=0):
    nd = input._data.ndim
    if nd == 0:
        raise RuntimeError(
            "tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims"
        )
    d = _wrap_dim(dim, nd)
    n = input._data.shape[d]
    sec = indices_or_sections
    if isinstance(sec, Tensor):
        sec = sec.tolist()
    if isinstance(sec, int):
        if sec <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {sec}")
        q, r = divmod(n, sec)
        sizes = [q + 1] * r + [q] * (sec - r)
        bounds = _bounds(sizes)
    else:
        cuts = [0] + [min(max(i + n if i < 0 else i, 0), n) for i in sec] + [n]
        bounds = tuple((a, max(a, b)) for a, b in zip(cuts, cuts[1:]))
    return tuple(narrow(input, d, a, b - a) for a, b in bounds)


def _nsplit(name, min_dim, dim):
    def fn(input, indices_or_sections):
        if input._data.ndim < min_dim:
            raise RuntimeError(
                f"torch.{name} requires a tensor with at least {min_dim} dimension, but got a "
                f"tensor with {input._data.ndim} dimensions!"
            )
        d = 0 if (name == "hsplit" and input._data.ndim == 1) else dim
        if isinstance(indices_or_sections, int) and input._data.shape[d] % indices_or_sections:
            raise RuntimeError(
                f"torch.{name} attempted to split along dimension {d}, but the size of the "
                f"dimension {input._data.shape[d]} is not divisible by the split_size "
                f"{indices_or_sections}!"
            )
        return tensor_split(input, indices_or_sections, d)

    fn.__name__ = name
    return fn


hsplit, vsplit, dsplit = _nsplit("hsplit", 1, 1), _nsplit("vsplit", 2, 0), _nsplit("dsplit", 3, 2)


class Unbind(Primitive):
    _name = "UnbindBackward0"
    __slots__ = ("dim", "shape")

    def forward(ctx, x, dim):
        ctx.dim, ctx.shape = dim, x.shape
        lead = (slice(None),) * dim
        return tuple(x[lead + (i, Ellipsis)] for i in range(x.shape[dim]))

    def backward(ctx, *gs):
        ref = next(g for g in gs if g is not None)
        s = ctx.shape[: ctx.dim] + ctx.shape[ctx.dim + 1 :]
        parts = [g if g is not None else zeros(ctx, s, ref) for g in gs]
        return ctx.xp.stack(parts, axis=ctx.dim), None


def unbind(input, dim=0):
    """The slices along ``dim``, as a tuple of views."""
    nd = input._data.ndim
    if nd == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = _wrap_dim(dim, nd)
    if input._data.shape[d] == 0:
        return ()
    outs = Unbind.apply(input, d)
    lead = (slice(None),) * d
    return tuple(make_view(input, o, Select, (lead + (i, Ellipsis),)) for i, o in enumerate(outs))


METHODS = {
    "split": split,
    "chunk": chunk,
    "tensor_split": tensor_split,
    "hsplit": hsplit,
    "vsplit": vsplit,
    "dsplit": dsplit,
    "unbind": unbind,
}
