"""Views that add, remove or expand size-1 dims: ``unsqueeze``, ``squeeze``, ``expand``,
``expand_as``, ``broadcast_to``, and ``sum_to_size`` (the reduction that undoes an expand).
Views as in ``shape.py``: each result shares its input's memory and version counter."""

from __future__ import annotations

from .._backend import array_module
from .._tensor import Size, Tensor, _wrap_dim
from ..autograd.function import Primitive
from .shape import _int_shape, _view, keyword_form

__all__ = ["unsqueeze", "squeeze", "broadcast_to"]


# --- adding and removing size-1 dims -----------------------------------------------------------
class Unsqueeze(Primitive):
    _name = "UnsqueezeBackward0"
    __slots__ = ("dim",)

    def forward(ctx, x, dim):
        ctx.dim = dim
        return x.reshape(x.shape[:dim] + (1,) + x.shape[dim:])

    def backward(ctx, g):
        return ctx.xp.squeeze(g, ctx.dim), None


def unsqueeze(input, dim):
    return _view(Unsqueeze, input, _wrap_dim(dim, input._data.ndim + 1))


class SqueezeAll(Primitive):
    _name = "SqueezeBackward0"
    __slots__ = ("shape",)

    def forward(ctx, x, dims):
        ctx.shape = x.shape
        return x.reshape(tuple(s for i, s in enumerate(x.shape) if i not in dims))

    def backward(ctx, g):
        return g.reshape(ctx.shape), None


class Squeeze(SqueezeAll):
    _name = "SqueezeBackward1"


class SqueezeDims(SqueezeAll):
    _name = "SqueezeBackward2"


def squeeze(input, dim=None):
    shape = input._data.shape
    if dim is None:
        return _view(SqueezeAll, input, tuple(i for i, s in enumerate(shape) if s == 1))
    dims = dim if isinstance(dim, (tuple, list)) else (dim,)
    dims = tuple(_wrap_dim(d, len(shape)) for d in dims)
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"dim {dims[0]} appears multiple times in the list of dims")
    cls = SqueezeDims if isinstance(dim, (tuple, list)) else Squeeze
    # NOTE: a 0-d tensor accepts dim 0 (or -1) and has nothing to squeeze
    return _view(cls, input, tuple(d for d in dims if shape and shape[d] == 1))


# --- expanding ---------------------------------------------------------------------------------
class Expand(Primitive):
    _name = "ExpandBackward0"

    def forward(ctx, x, shape):
        strides = _expand_strides(x, shape)
        # NOTE: writable unless two elements share memory, as PyTorch allows copy_ into
        # arange(64).expand(1, -1) but refuses writes through zeros(3, 1).expand(3, 4)
        overlap = any(st == 0 and n > 1 for st, n in zip(strides, shape))
        return array_module(x).lib.stride_tricks.as_strided(
            x, shape, strides, writeable=x.flags.writeable and not overlap
        )

    def backward(ctx, g):
        return g, None  # NOTE: the engine sums g back over the expanded dims


def _expand_strides(x, shape) -> list:
    """PyTorch's strides (in bytes) for ``x`` expanded to ``shape``: 0 where a size grows; a new
    leading dim of size 1 gets the stride of the dim after it times that dim's size."""
    lead = len(shape) - x.ndim
    strides = [0] * len(shape)
    after = (1, x.itemsize)  # (size, stride) of the dim after the current one
    for i in range(len(shape) - 1, -1, -1):
        dim = i - lead
        size, stride = (x.shape[dim], x.strides[dim]) if dim >= 0 else (1, after[0] * after[1])
        strides[i] = 0 if size != shape[i] else stride
        after = (shape[i], strides[i])
    return strides


def _expand_shape(input, sizes):
    shape = input._data.shape
    sizes = tuple(int(s) for s in sizes)
    lead = len(sizes) - len(shape)
    if lead < 0:
        raise RuntimeError(
            f"expand({input.dtype.legacy_name}{{{list(shape)}}}, size={list(sizes)}): the number "
            f"of sizes provided ({len(sizes)}) must be greater or equal to the number of "
            f"dimensions in the tensor ({len(shape)})"
        )
    out = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(
                    f"The expanded size of the tensor ({s}) isn't allowed in a leading, "
                    "non-existing dimension 0"
                )
            out.append(s)
            continue
        have = shape[i - lead]
        if s == -1:
            s = have
        elif have != s and have != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size ({have}) at "
                f"non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: "
                f"{list(shape)}"
            )
        out.append(s)
    return tuple(out)


def expand(self, *sizes, **kwargs):
    sizes = keyword_form(sizes, kwargs, "size")
    return _view(Expand, self, _expand_shape(self, _int_shape(sizes, "expand", "size")))


def expand_as(self, other):
    return expand(self, other.shape)


def broadcast_to(input, size):
    return expand(input, tuple(size))


def sum_to_size(self: Tensor, *size) -> Tensor:
    """Sum over the dimensions that ``size`` would broadcast, to a tensor of ``size``."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    shape = self.shape
    lead = len(shape) - len(size)
    ok = lead >= 0 and all(s == t or s == 1 for s, t in zip(size, shape[lead:]))
    if not ok:
        raise RuntimeError(f"size {{{list(size)}}} is not expandable to size {{{list(shape)}}}.")
    dims = tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(size) if s == 1 and shape[lead + i] != 1
    )
    out = self.sum(dim=dims, keepdim=True) if dims else self
    return out.reshape(Size(size)) if lead else out


METHODS = {
    "unsqueeze": unsqueeze,
    "squeeze": squeeze,
    "expand": expand,
    "expand_as": expand_as,
    "broadcast_to": broadcast_to,
    "sum_to_size": sum_to_size,
}
