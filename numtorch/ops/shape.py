"""Shape ops: views that share memory (view, transpose, permute, expand ...) and the ops that
rearrange or combine tensors (reshape, cat, stack, split ...).

A view's result shares its input's memory and version counter and remembers how it was made
(``inplace.make_view``), so in-place writes through it keep gradients right.
"""

from __future__ import annotations

from .._tensor import Size, Tensor, _wrap_dim
from ..autograd.function import Primitive
from .inplace import make_view

__all__ = ["reshape", "transpose", "swapaxes", "swapdims", "permute", "t", "unsqueeze",
           "squeeze", "flatten", "movedim", "moveaxis"]


def _view(cls, x, *args):
    return make_view(x, cls.apply(x, *args), cls, args)


def _infer_shape(shape, numel, name="view"):
    shape = list(shape)
    neg = [i for i, s in enumerate(shape) if s == -1]
    if len(neg) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            if s < 0:
                raise RuntimeError(f"invalid shape dimension {s}")
            known *= s
    if neg:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{shape}' is invalid for input of size {numel}")
        shape[neg[0]] = numel // known
    elif known != numel:
        raise RuntimeError(f"shape '{shape}' is invalid for input of size {numel}")
    return tuple(shape)


def _shape_args(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return shape


class View(Primitive):
    _name = "ViewBackward0"
    __slots__ = ("shape",)

    def forward(ctx, x, shape):
        ctx.shape = x.shape
        out = x.view()
        try:
            out.shape = shape  # assigning the shape never copies: it fails where a view can't be
        except AttributeError:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one "
                "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
            ) from None
        return out

    def backward(ctx, g):
        return g.reshape(ctx.shape), None


class Reshape(Primitive):
    """A reshape that had to copy (the input's layout allows no view)."""

    _name = "UnsafeViewBackward0"
    __slots__ = ("shape",)

    def forward(ctx, x, shape):
        ctx.shape = x.shape
        return x.reshape(shape)

    def backward(ctx, g):
        return g.reshape(ctx.shape), None


def view(self, *shape):
    if len(shape) == 1 and not isinstance(shape[0], (tuple, list, int)) and hasattr(shape[0], "np"):
        from .convert import _dtype

        return _view_dtype(self, shape[0])
    shape = _infer_shape(_shape_args(shape), self._data.size)
    return _view(View, self, shape)


def _view_dtype(self, dtype):
    from .._tensor import wrap

    return wrap(self._data.view(dtype.np))


def reshape(input, *shape):
    shape = _infer_shape(_shape_args(shape), input._data.size, "reshape")
    if input._data.flags.c_contiguous or input._data.ndim <= 1:
        return _view(View, input, shape)
    return Reshape.apply(input, shape)


def view_as(self, other):
    return view(self, other.shape)


def reshape_as(self, other):
    return reshape(self, other.shape)


class Permute(Primitive):
    _name = "PermuteBackward0"
    __slots__ = ("dims",)

    def forward(ctx, x, dims):
        ctx.dims = dims
        return x.transpose(dims)

    def backward(ctx, g):
        inverse = [0] * len(ctx.dims)
        for i, d in enumerate(ctx.dims):
            inverse[d] = i
        return ctx.xp.transpose(g, tuple(inverse)), None


class Transpose(Primitive):
    _name = "TransposeBackward0"
    __slots__ = ("d0", "d1")

    def forward(ctx, x, d0, d1):
        ctx.d0, ctx.d1 = d0, d1
        return x.swapaxes(d0, d1)

    def backward(ctx, g):
        return ctx.xp.swapaxes(g, ctx.d0, ctx.d1), None, None


class T(Primitive):
    _name = "TBackward0"

    def forward(ctx, x):
        return x.T

    def backward(ctx, g):
        return g.T


def permute(input, *dims):
    dims = _shape_args(dims)
    nd = input._data.ndim
    if len(dims) != nd:
        raise RuntimeError(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {nd} is not equal "
            f"to len(dims) = {len(dims)}"
        )
    dims = tuple(_wrap_dim(d, nd) for d in dims)
    if len(set(dims)) != nd:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return _view(Permute, input, dims)


def transpose(input, dim0, dim1):
    nd = input._data.ndim
    return _view(Transpose, input, _wrap_dim(dim0, nd), _wrap_dim(dim1, nd))


swapaxes = swapdims = transpose


def t(input):
    if input._data.ndim > 2:
        raise RuntimeError(
            f"t() expects a tensor with <= 2 dimensions, but self is {input._data.ndim}D"
        )
    return _view(T, input)


def _T(self):
    nd = self._data.ndim
    if nd < 2:
        return self
    return _view(Permute, self, tuple(reversed(range(nd))))


def _mT(self):
    if self._data.ndim < 2:
        raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. "
                           f"Got {self._data.ndim}-D tensor.")
    return transpose(self, -2, -1)


class Unsqueeze(Primitive):
    _name = "UnsqueezeBackward0"
    __slots__ = ("dim",)

    def forward(ctx, x, dim):
        ctx.dim = dim
        return ctx_expand_dims(x, dim)

    def backward(ctx, g):
        return ctx.xp.squeeze(g, ctx.dim), None


def ctx_expand_dims(x, dim):
    return x.reshape(x.shape[:dim] + (1,) + x.shape[dim:])


def unsqueeze(input, dim):
    return _view(Unsqueeze, input, _wrap_dim(dim, input._data.ndim + 1))


class Squeeze(Primitive):
    _name = "SqueezeBackward1"
    __slots__ = ("shape",)

    def forward(ctx, x, dims):
        ctx.shape = x.shape
        return x.reshape(tuple(s for i, s in enumerate(x.shape) if i not in dims))

    def backward(ctx, g):
        return g.reshape(ctx.shape), None


class SqueezeAll(Squeeze):
    _name = "SqueezeBackward0"


def squeeze(input, dim=None):
    shape = input._data.shape
    if dim is None:
        return _view(SqueezeAll, input, tuple(i for i, s in enumerate(shape) if s == 1))
    dims = dim if isinstance(dim, (tuple, list)) else (dim,)
    dims = tuple(_wrap_dim(d, len(shape)) for d in dims)
    cls = Squeeze if isinstance(dim, int) else SqueezeAll
    return _view(cls, input, tuple(d for d in dims if shape[d] == 1))


def flatten(input, start_dim=0, end_dim=-1):
    shape = input._data.shape
    if not shape:
        return reshape(input, (1,))
    s, e = _wrap_dim(start_dim, len(shape)), _wrap_dim(end_dim, len(shape))
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    n = 1
    for d in shape[s:e + 1]:
        n *= d
    return reshape(input, shape[:s] + (n,) + shape[e + 1:])


def movedim(input, source, destination):
    nd = input._data.ndim
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    src = [_wrap_dim(d, nd) for d in src]
    dst = [_wrap_dim(d, nd) for d in dst]
    order = [d for d in range(nd) if d not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute(input, tuple(order))


moveaxis = movedim

METHODS = {
    "view": view, "view_as": view_as, "reshape": reshape, "reshape_as": reshape_as,
    "permute": permute, "transpose": transpose, "swapaxes": transpose, "swapdims": transpose,
    "t": t, "T": property(_T), "mT": property(_mT), "unsqueeze": unsqueeze, "squeeze": squeeze,
    "flatten": flatten, "movedim": movedim, "moveaxis": movedim,
    "transpose_": None, "t_": None,
}
del METHODS["transpose_"], METHODS["t_"]
