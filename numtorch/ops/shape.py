"""Views: ops whose result shares its input's memory (view, reshape, transpose, permute ...;
squeeze, unsqueeze and expand: ``squeeze_expand.py``).

A view's result shares its input's memory and version counter and remembers how it was made
(``inplace.make_view``), so in-place writes through it keep gradients right. Every view
primitive's ``forward`` therefore returns an array that is a view of its input, and can be
replayed on another array with the same arguments. The ops that copy (cat, stack, flip ...)
are in join.py and reorder.py.
"""

from __future__ import annotations

import numbers
import warnings

from .._backend import array_module, array_of
from .._tensor import Tensor, _wrap_dim, arg_type_name, wrap
from ..autograd.function import Primitive
from ..autograd.function import linear as linear  # the ops' backwards import it from here
from .inplace import make_view
from .tensor_data import size_error

__all__ = [
    "reshape",
    "transpose",
    "swapaxes",
    "swapdims",
    "permute",
    "t",
    "flatten",
    "unflatten",
    "movedim",
    "moveaxis",
    "adjoint",
    "ravel",
]

_new = object.__new__


def _view(cls, x, *args):
    return make_view(x, cls.apply(x, *args), cls, args)


def zeros(ctx, shape, like):
    """Zeros of ``like``'s dtype inside a backward (a constant tensor under create_graph)."""
    a = array_of(like)
    return ctx.xp.asarray(array_module(a).zeros(shape, a.dtype))


def numel_of(shape) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


def _infer_shape(shape, numel):
    shape = [int(s) for s in shape]
    neg = [i for i, s in enumerate(shape) if s == -1]
    if len(neg) > 1:
        raise RuntimeError("only one dimension can be inferred")
    for i, s in enumerate(shape):
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape {shape}")
    known = numel_of(s for s in shape if s != -1)
    if neg:
        if known == 0:
            if numel == 0:
                raise RuntimeError(
                    f"cannot reshape tensor of 0 elements into shape {shape} because the "
                    "unspecified dimension size -1 can be any value and is ambiguous"
                )
            raise RuntimeError(f"shape '{shape}' is invalid for input of size {numel}")
        if numel % known:
            raise RuntimeError(f"shape '{shape}' is invalid for input of size {numel}")
        shape[neg[0]] = numel // known
    elif known != numel:
        raise RuntimeError(f"shape '{shape}' is invalid for input of size {numel}")
    return tuple(shape)


def keyword_form(args, kwargs, name):
    """``f(x, 2, 3)``, ``f(x, (2, 3))`` or ``f(x, name=(2, 3))``: the positional tuple."""
    if kwargs:
        if args or set(kwargs) != {name}:
            bad = next(k for k in kwargs if k != name) if set(kwargs) != {name} else name
            raise TypeError(f"got an unexpected keyword argument '{bad}'")
        return (kwargs[name],)
    return args


def _shape_args(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return shape


def _int_shape(shape, name: str, arg: str):
    """``_shape_args(shape)``, each element an int (or an integer Tensor), else refused in
    the words of PyTorch's parser (``int()`` would take 2.5 and "2")."""
    items = _shape_args(shape)
    for s in items:
        if type(s) is not int:
            _check_ints(shape, items, name, arg)
            break
    return items


def _check_ints(shape, items, name: str, arg: str) -> None:
    for i, s in enumerate(items):
        if not isinstance(s, (numbers.Integral, Tensor)) or isinstance(s, bool):
            if name == "view" and len(shape) == 1 and items is shape:
                raise TypeError(_VIEW_REFUSAL.format(kind=arg_type_name(s)))
            raise size_error(name, shape, s, i, arg)


# view's two signatures, neither of which takes the one argument given
_VIEW_REFUSAL = (
    "view() received an invalid combination of arguments - got ({kind}), but expected one of:\n"
    " * (torch.dtype dtype)\n      didn't match because some of the arguments have invalid "
    "types: (!{kind}!)\n * (tuple of ints size)\n      didn't match because some of the "
    "arguments have invalid types: (!{kind}!)\n"
)


# --- reshaping ---------------------------------------------------------------------------------
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


def view(self, *shape, **kwargs):
    if not shape and set(kwargs) == {"dtype"}:  # view(dtype=torch.float16) (safetensors)
        return _view_dtype(self, kwargs["dtype"])
    shape = keyword_form(shape, kwargs, "size")
    if len(shape) == 1 and hasattr(shape[0], "np"):
        return _view_dtype(self, shape[0])
    shape = _infer_shape(_int_shape(shape, "view", "size"), self._data.size)
    return _view(View, self, shape)


def _view_dtype(self, dtype):

    return wrap(self._data.view(dtype.np))


def reshape(input, *shape, **kwargs):
    shape = keyword_form(shape, kwargs, "shape")
    shape = _infer_shape(_int_shape(shape, "reshape", "shape"), input._data.size)
    data = input._data
    if data.flags.c_contiguous or data.ndim <= 1:
        return _view(View, input, shape)
    try:  # a non-contiguous input can still be viewed when the new shape splits no stride
        out = data.view()
        out.shape = shape
        return _view(View, input, shape)
    except AttributeError:
        return Reshape.apply(input, shape)


def view_as(self, other):
    return view(self, other.shape)


def reshape_as(self, other):
    return reshape(self, other.shape)


def flatten(input, start_dim=0, end_dim=-1):
    shape = input._data.shape
    if not shape:
        return reshape(input, (1,))
    s, e = _wrap_dim(start_dim, len(shape)), _wrap_dim(end_dim, len(shape))
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    return reshape(input, shape[:s] + (numel_of(shape[s : e + 1]),) + shape[e + 1 :])


def unflatten(input, dim, sizes):
    shape = input._data.shape
    d = _wrap_dim(dim, len(shape))
    sizes = tuple(sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    if -1 in sizes:
        sizes = _infer_shape(sizes, shape[d])
    elif numel_of(sizes) != shape[d]:
        raise RuntimeError(
            f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {dim} "
            f"({shape[d]}) in the input tensor"
        )
    return view(input, shape[:d] + sizes + shape[d + 1 :])


# --- permutations ------------------------------------------------------------------------------
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
    _grad_view = True  # W's gradient comes through here in nn.Linear: no copy

    def forward(ctx, x):
        return x.T

    def backward(ctx, g):
        return ctx.xp.transpose(g)


def permute(input, *dims, **kwargs):
    dims = keyword_form(dims, kwargs, "dims")
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
    if nd != 2:
        warnings.warn(
            "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
            "deprecated and it will throw an error in a future release. Consider `x.mT` to "
            "transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to "
            "reverse the dimensions of a tensor.",
            UserWarning,
            stacklevel=2,
        )
    if nd < 2:
        return self
    return _view(Permute, self, tuple(reversed(range(nd))))


def _H(self):
    if self._data.ndim not in (0, 2):
        raise RuntimeError(
            f"tensor.H is only supported on matrices (2-D tensors). Got {self._data.ndim}-D tensor."
        )
    out = _T(self) if self._data.ndim == 2 else self
    return out.conj() if self.is_complex() else out


def _mT(self):
    if self._data.ndim < 2:
        raise RuntimeError(
            "tensor.mT is only supported on matrices or batches of matrices. "
            f"Got {self._data.ndim}-D tensor."
        )
    return transpose(self, -2, -1)


def adjoint(input):
    """The conjugate transpose of the last two dims (``x.mH``)."""
    return _mH(input)


def _mH(self):
    if self._data.ndim < 2:
        raise RuntimeError(
            "tensor.mH is only supported on matrices or batches of matrices. "
            f"Got {self._data.ndim}-D tensor."
        )
    out = transpose(self, -2, -1)
    return out.conj() if self.is_complex() else out


def movedim(input, source, destination):
    nd = input._data.ndim
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    if len(src) != len(dst):
        raise RuntimeError(
            "movedim: Invalid source or destination dims: source "
            f"({src} dims) should contain the same number of dims as destination ({dst} dims)"
        )
    src = [_wrap_dim(d, nd) for d in src]
    dst = [_wrap_dim(d, nd) for d in dst]
    if len(set(src)) != len(src):
        raise RuntimeError(f"movedim: repeated dim in `source` ({src})")
    if len(set(dst)) != len(dst):
        raise RuntimeError(f"movedim: repeated dim in `destination` ({dst})")
    order = [d for d in range(nd) if d not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute(input, tuple(order))


moveaxis = movedim


METHODS = {
    "view": view,
    "view_as": view_as,
    "reshape": reshape,
    "reshape_as": reshape_as,
    "permute": permute,
    "transpose": transpose,
    "swapaxes": transpose,
    "swapdims": transpose,
    "t": t,
    "T": property(_T),
    "mT": property(_mT),
    "H": property(_H),
    "mH": property(_mH),
    "adjoint": adjoint,
    "flatten": flatten,
    "unflatten": unflatten,
    "movedim": movedim,
    "moveaxis": movedim,
}


# --- shape helpers --------------------------------------------------------------------------------
def ravel(input: Tensor) -> Tensor:
    """The elements as a 1-D tensor (a view when the memory allows)."""
    return input.reshape(-1)


METHODS.update(ravel=ravel)
