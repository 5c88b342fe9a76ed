"""Ops on views beyond strided.py's: writing through a view into a copy (select/slice/diagonal
_scatter), the in-place view ops (``t_``, ``transpose_``, ``unsqueeze_`` ...), ``resize_``,
``fill_diagonal_`` (a write through the diagonal) and the splitting aliases.

An in-place view op changes how a tensor looks at its memory, not the memory: the tensor takes
the array of the corresponding view (no copy) and, when it is part of a graph, that view's node,
renamed as PyTorch names the in-place form (``TBackward1`` ...).
"""

from __future__ import annotations

from .._backend import array_module
from .._tensor import Tensor, _wrap_dim
from ..autograd.function import Primitive
from . import shape as _shape
from . import squeeze_expand as _size1
from . import strided as _strided
from .inference_views import check_not_inference
from .inplace import check_leaf, inplace, needs_graph, writes_shared

__all__ = [
    "select_scatter",
    "slice_scatter",
    "diagonal_scatter",
    "split_with_sizes",
    "unsafe_split",
    "unsafe_chunk",
    "unsafe_split_with_sizes",
]


# --- scatter into a copy ----------------------------------------------------------------------
class SelectScatter(Primitive):
    """A copy of ``x`` with ``src`` written at the basic index ``key``."""

    _name = "SelectScatterBackward0"
    __slots__ = ("key",)

    def forward(ctx, x, src, key):
        ctx.key = key
        out = x.copy()
        out[key] = src
        return out

    def backward(ctx, g):
        n, key = ctx.needs_input_grad, ctx.key
        gx = _shape.linear(ctx, type(ctx), g, 0, key) if n[0] else None
        return gx, _shape.linear(ctx, _strided.Slice, g, key) if n[1] else None, None


class SliceScatterInto(SelectScatter):
    _name = "SliceScatterBackward0"


def _scatter(cls, name, input, src, key):
    target = input._data[key].shape
    if src._data.shape != target:
        raise RuntimeError(
            f"expected src to have a size equal to the slice of self. src size = "
            f"{list(src.shape)}, slice size = {list(target)}"
        )
    if src.dtype is not input.dtype:
        src = src.to(input.dtype)
    return cls.apply(input, src, key)


def select_scatter(input: Tensor, src: Tensor, dim: int, index: int) -> Tensor:
    """A copy of ``input`` with ``input.select(dim, index)`` replaced by ``src``."""
    d = _wrap_dim(dim, input.ndim, "select_scatter")
    n = input.shape[d]
    if not -n <= index < n:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size "
            f"{list(input.shape)} at dimension {d}"
        )
    key = (slice(None),) * d + (index % n, Ellipsis)
    return _scatter(SelectScatter, "select_scatter", input, src, key)


def slice_scatter(
    input: Tensor, src: Tensor, dim: int = 0, start=None, end=None, step: int = 1
) -> Tensor:
    """A copy of ``input`` with the slice ``start:end:step`` along ``dim`` replaced by
    ``src``."""
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    d = _wrap_dim(dim, input.ndim, "slice_scatter")
    key = (slice(None),) * d + (slice(start, end, step), Ellipsis)
    return _scatter(SliceScatterInto, "slice_scatter", input, src, key)


def diagonal_scatter(
    input: Tensor, src: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1
) -> Tensor:
    """A copy of ``input`` with ``input.diagonal(offset, dim1, dim2)`` replaced by ``src``."""
    out = input.clone()
    target = out.diagonal(offset, dim1, dim2)
    if src.shape != target.shape:
        raise RuntimeError(
            f"expected src to have a size equal to the slice of self. src size = "
            f"{list(src.shape)}, slice size = {list(target.shape)}"
        )
    target.copy_(src)
    return out


# --- splitting aliases ---------------------------------------------------------------------------
def split_with_sizes(input: Tensor, split_sizes, dim: int = 0) -> tuple:
    """``split`` with an explicit list of sizes (which must add up to the dimension)."""
    d = _wrap_dim(dim, input.ndim, "split_with_sizes")
    if sum(split_sizes) != input.shape[d]:
        raise RuntimeError(
            f"split_with_sizes expects split_sizes to sum exactly to {input.shape[d]} (input "
            f"tensor's size at dimension {dim}), but got split_sizes={list(split_sizes)}"
        )
    return input.split(list(split_sizes), dim)


def unsafe_split(input: Tensor, split_size_or_sections, dim: int = 0) -> tuple:
    return input.split(split_size_or_sections, dim)


def unsafe_split_with_sizes(input: Tensor, split_sizes, dim: int = 0) -> tuple:
    return split_with_sizes(input, split_sizes, dim)


def unsafe_chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple:
    return input.chunk(chunks, dim)


# --- in-place views ------------------------------------------------------------------------------
_INPLACE_NAMES = {
    _shape.T: "TBackward1",
    _shape.Transpose: "TransposeBackward1",
    _size1.Unsqueeze: "UnsqueezeBackward1",
    _size1.SqueezeAll: "SqueezeBackward3",
    _size1.Squeeze: "SqueezeBackward4",
    _size1.SqueezeDims: "SqueezeBackward5",
    _strided.AsStrided: "AsStridedBackward1",
}
_INPLACE_CLASSES = {cls: cls.named(name) for cls, name in _INPLACE_NAMES.items()}


def _view_inplace(self: Tensor, view: Tensor) -> Tensor:
    """Make ``self`` look at its memory as ``view`` (a view of ``self``) does."""
    check_leaf(self)
    self._data = view._data
    self._vc[0] += 1
    if view._rg and view.grad_fn is not None:
        node = view.grad_fn
        renamed = _INPLACE_CLASSES.get(type(node))
        if renamed is not None:
            node.__class__ = renamed  # same layout, PyTorch's name for the in-place form
        self.grad_fn, self._output_nr, self._rg = node, view._output_nr, True
    if self._base is not None:
        self._view = view._view  # the chain from the base now ends with this view
    return self


def _inplace_view(fn):
    def method(self, *args, **kwargs):
        return _view_inplace(self, fn(self, *args, **kwargs))

    method.__name__ = fn.__name__ + "_"
    return method


# --- resizing ------------------------------------------------------------------------------------
def resize_(self: Tensor, *sizes, memory_format=None) -> Tensor:
    """Give the tensor a new shape, keeping the first elements of its (row-major) data; new
    elements are zeros. A tensor that requires grad cannot be resized."""
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    sizes = tuple(int(s) for s in sizes)
    if any(s < 0 for s in sizes):
        raise RuntimeError(
            f"Trying to create tensor with negative dimension {min(sizes)}: {list(sizes)}"
        )
    check_not_inference(self)
    if self._rg:
        raise RuntimeError("cannot resize variables that require grad")
    data = self._data
    n = _shape.numel_of(sizes)
    if sizes == data.shape:
        return self
    if n <= data.size and data.flags.c_contiguous:
        # NOTE: shrinking keeps the memory, as PyTorch's storage does, so views still see it
        self._data = data.reshape(-1)[:n].reshape(sizes)
    else:
        new = array_module(data).zeros(sizes, data.dtype)
        keep = min(n, data.size)
        new.reshape(-1)[:keep] = data.reshape(-1)[:keep]
        self._data = new
    return self


def resize_as_(self: Tensor, the_template: Tensor, memory_format=None) -> Tensor:
    return resize_(self, tuple(the_template.shape))


def resize(self: Tensor, *sizes) -> Tensor:
    """Deprecated: a resized copy."""
    import warnings

    warnings.warn("non-inplace resize is deprecated", UserWarning, stacklevel=2)
    return resize_(self.detach().clone(), *sizes)


def resize_as(self: Tensor, tensor: Tensor) -> Tensor:
    return resize(self, tuple(tensor.shape))


# --- fill_diagonal_ ------------------------------------------------------------------------------
def fill_diagonal_(self: Tensor, fill_value, wrap: bool = False) -> Tensor:
    """Fill the main diagonal (all indices equal) in place; ``wrap`` restarts it every
    ``ncols + 1`` rows of a tall matrix."""
    shape = self._data.shape
    if len(shape) < 2:
        raise RuntimeError("dimensions must larger than 1")
    if len(shape) > 2 and len(set(shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    if not self._data.flags.writeable and self._base is not None and needs_graph(self, ()):
        return _fill_diagonal_shared(self, fill_value, wrap)
    xp = array_module(self._data)
    mask = xp.zeros(shape, bool)
    xp.fill_diagonal(mask, True, wrap=wrap)
    from .._tensor import wrap as _wrap

    return inplace(self, _fill_where, _wrap(mask), fill_value)


def _fill_diagonal_shared(self: Tensor, fill_value, wrap: bool) -> Tensor:
    """fill_diagonal_ in a graph where elements of ``self`` share memory (an expand): as
    PyTorch's, a fill of the diagonal's memory through a view of the base, ``self`` then an
    ``as_strided`` view of it."""
    check_leaf(self)
    base, (height, width) = self._base, self.shape[:2]
    offset = (self.data_ptr() - base.data_ptr()) // self._data.itemsize
    stride = (sum(self.stride()),)
    size = min(height, width)
    _strided.as_strided(base, (size,), stride, offset).fill_(fill_value)
    if wrap and self.ndim == 2 and height > width + 1:
        rest = -(-self.numel() // (width + 1)) - size
        start = offset + self.stride(0) * (width + 1)
        _strided.as_strided(base, (rest,), stride, start).fill_(fill_value)
    view = _strided.as_strided(base, self.shape, self.stride(), offset)
    self.grad_fn, self._output_nr, self._rg = view.grad_fn, 0, True
    return self


@writes_shared  # PyTorch fills the diagonal of a view whose elements share memory, silently
def _fill_where(t: Tensor, mask: Tensor, value) -> Tensor:
    return t.masked_fill(mask, value)


def _squeeze_args(self, dim=None):
    return _size1.squeeze(self) if dim is None else _size1.squeeze(self, dim)


METHODS = {
    "select_scatter": select_scatter,
    "slice_scatter": slice_scatter,
    "diagonal_scatter": diagonal_scatter,
    "split_with_sizes": split_with_sizes,
    "unsafe_split": unsafe_split,
    "unsafe_chunk": unsafe_chunk,
    "unsafe_split_with_sizes": unsafe_split_with_sizes,
    "t_": _inplace_view(_shape.t),
    "transpose_": _inplace_view(_shape.transpose),
    "swapaxes_": _inplace_view(_shape.transpose),
    "swapdims_": _inplace_view(_shape.transpose),
    "unsqueeze_": _inplace_view(_size1.unsqueeze),
    "squeeze_": _inplace_view(_squeeze_args),
    "as_strided_": _inplace_view(_strided.as_strided),
    "resize_": resize_,
    "resize_as_": resize_as_,
    "resize": resize,
    "resize_as": resize_as,
    "fill_diagonal_": fill_diagonal_,
}
