"""The array module that backward formulas see when the engine builds a graph.

Every primitive's ``backward`` is written once, with ``ctx.xp``: NumPy-style calls on arrays
for an ordinary backward pass, and the same calls on Tensors through this module when
``create_graph=True``, so the gradient itself is differentiable. Functions whose NumPy and
numtorch spellings agree (``exp``, ``where``, ``matmul`` ...) resolve to numtorch's own; those
that differ are translated below.
"""

from __future__ import annotations

import numtorch as _nt

from .._tensor import Tensor as _Tensor
from .._tensor import wrap as _wrap


def __getattr__(name):
    try:
        return getattr(_nt, name)
    except AttributeError:
        raise AttributeError(f"graph_xp has no function '{name}'") from None


def sum(a, axis=None, keepdims=False):  # noqa: A001 - NumPy's name
    if axis is None and not keepdims:
        return a.sum()
    if axis is None:
        axis = tuple(range(a.ndim))
    return a.sum(dim=axis, keepdim=keepdims)


def mean(a, axis=None, keepdims=False):
    if axis is None and not keepdims:
        return a.mean()
    if axis is None:
        axis = tuple(range(a.ndim))
    return a.mean(dim=axis, keepdim=keepdims)


def reshape(a, shape):
    return a.reshape(shape)


def broadcast_to(a, shape):
    return a.expand(shape)


def transpose(a, axes=None):
    if axes is None:
        axes = tuple(reversed(range(a.ndim)))
    return a.permute(*axes)


def swapaxes(a, i, j):
    return a.transpose(i, j)


def moveaxis(a, source, destination):
    return _nt.movedim(a, source, destination)


def expand_dims(a, axis):
    if isinstance(axis, int):
        return a.unsqueeze(axis)
    for ax in sorted(x % (a.ndim + len(axis)) for x in axis):
        a = a.unsqueeze(ax)
    return a


def squeeze(a, axis=None):
    return a.squeeze() if axis is None else a.squeeze(axis)


def zeros_like(a, dtype=None):
    return _nt.zeros_like(a)


def ones_like(a, dtype=None):
    return _nt.ones_like(a)


def split(a, indices_or_sections, axis=0):
    """NumPy's split: equal pieces, or pieces cut at the given indices (views)."""
    return list(_nt.tensor_split(a, indices_or_sections, dim=axis))


def concatenate(arrays, axis=0):
    return _nt.cat(arrays, dim=axis)


def stack(arrays, axis=0):
    return _nt.stack(arrays, dim=axis)


def negative(a):
    return -a


def square(a):
    return a * a


def sign(a):
    # NumPy's sign of a complex z is z / |z|, numtorch's sgn (whose gradient is not 0 there)
    return _nt.sgn(a)


def conj(a):
    return a.conj() if a.is_complex() else a


def real(a):
    return a.real if a.is_complex() else a


def power(a, b):
    return a**b


def multiply(a, b):
    return a * b


def divide(a, b):
    return a / b


def add(a, b):
    return a + b


def subtract(a, b):
    return a - b


def ascontiguousarray(a):
    return a.contiguous()


def asarray(a):
    """A Tensor as it is; an array (a constant that the forward computed, such as a mask) as
    a constant Tensor."""
    return a if isinstance(a, _Tensor) or not hasattr(a, "shape") else _wrap(a)


def imag(a):
    return a.imag


def cross(a, b, axis=-1):
    return _nt.linalg.cross(a, b, dim=axis)


def take_along_axis(a, indices, axis):
    return _nt.take_along_dim(a, asarray(indices), axis)


class _Logaddexp:
    """NumPy's ufunc ``logaddexp`` with its ``accumulate`` (numtorch's logcumsumexp)."""

    def __call__(self, a, b):
        return _nt.logaddexp(a, b)

    def accumulate(self, a, axis=0):
        return _nt.logcumsumexp(a, axis)


logaddexp = _Logaddexp()
