"""In-place ops and views: how a change written into a tensor stays correct for autograd.

A view (``x[0]``, ``x.t()``, ``x.view(...)``) shares its base's memory and version counter, and
remembers the view ops that lead from the base to it. An in-place op on a tensor that takes
part in a graph is computed out of place on a snapshot, written back into the tensor's memory,
and the tensor's history is moved onto the new node; through a view, the base gets a
``CopySlices`` node that scatters the new values into it.
"""

from __future__ import annotations

import warnings

from .._backend import array_module
from .._dtype import from_np
from .._tensor import Tensor, arg_type_name, wrap
from ..autograd import grad_mode
from ..autograd.function import Primitive, linear
from .inference_views import (
    MADE_IN_NO_GRAD,
    check_inference_view,
    check_not_inference,
    inherit_inference,
    mark_inference_view,
)

_STATE = grad_mode.STATE


def make_view(base: Tensor, out: Tensor, cls, args) -> Tensor:
    """Mark ``out`` (the result of view primitive ``cls`` with ``args``) as a view of ``base``."""
    out._vc = base._vc
    if base._base is None:
        out._base, out._view = base, ((cls, args),)
    else:
        out._base, out._view = base._base, base._view + ((cls, args),)
    if base._meta is not None or out._meta is not None:
        inherit_inference(base, out)
    if _STATE.inference or (base._meta is not None and base._meta.inference_view):
        mark_inference_view(base, out)
    elif base._rg and not _STATE.enabled:
        out._meta_of().inference_view = MADE_IN_NO_GRAD
    return out


def replay_array(array, chain):
    """Apply a chain of view primitives to an array (the views share its memory)."""
    for cls, args in chain:
        array = object.__new__(cls).forward(array, *args)
    return array


def replay_tensor(tensor, chain):
    for cls, args in chain:
        tensor = cls.apply(tensor, *args)
    return tensor


class CopySlices(Primitive):
    """``base`` with the region a view chain selects replaced by ``value``."""

    __slots__ = ("chain",)

    def forward(ctx, base, value, chain):
        ctx.chain = chain
        out = base.copy()
        replay_array(out, chain)[...] = value
        return out

    def backward(ctx, g):
        n = ctx.needs_input_grad
        gb = linear(ctx, CopySlices, g, 0, ctx.chain) if n[0] else None
        gv = None
        if n[1]:
            gv = g
            for cls, args in ctx.chain:
                gv = linear(ctx, cls, gv, *args)
        return gb, gv, None


def _snapshot(t: Tensor) -> Tensor:
    """A copy of ``t``'s values at the same place in the graph."""
    s = wrap(t._data.copy())
    s._rg, s.grad_fn, s._output_nr = t._rg, t.grad_fn, t._output_nr
    return s


_CAST_RANK = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3, "V": 2}


def check_cast(result_dtype, self_dtype) -> None:
    """PyTorch refuses to write a result into a tensor of a lower category (float into int)."""
    if _CAST_RANK[result_dtype.kind] > _CAST_RANK[self_dtype.kind]:
        raise RuntimeError(
            f"result type {from_np(result_dtype).scalar_type_name} can't be cast to the desired "
            f"output type {from_np(self_dtype).scalar_type_name}"
        )


def check_leaf(t: Tensor) -> None:
    check_not_inference(t)
    if t._rg and t.grad_fn is None and _STATE.enabled:
        raise RuntimeError(
            "a leaf Variable that requires grad is being used in an in-place operation."
        )
    base = t._base
    if base is not None and base._rg and base.grad_fn is None and _STATE.enabled:
        check_inference_view(t)  # made in no_grad or inference mode: PyTorch says that first
        raise RuntimeError(
            "a view of a leaf Variable that requires grad is being used in an in-place operation."
        )


def check_no_partial_overlap(t: Tensor, other: Tensor) -> None:
    """PyTorch's refusal to write into ``t`` while reading ``other`` where both are dense and
    their memory overlaps without being laid out alike (``x[1:].add_(x[:-1])``,
    ``x.add_(x.t())``); it does not look further where either is not dense."""
    x, o = t._data, other._data
    if o is x or type(o) is not type(x):  # arrays of two devices share no memory
        return
    if not array_module(x).may_share_memory(x, o):
        return
    if not (_dense(x) and _dense(o)):
        return
    if t.data_ptr() == other.data_ptr() and x.shape == o.shape and x.strides == o.strides:
        return
    raise RuntimeError(
        "unsupported operation: some elements of the input tensor and the written-to tensor "
        "refer to a single memory location. Please clone() the tensor before performing the "
        "operation."
    )


def _dense(a) -> bool:
    """Whether array ``a`` fills one block of memory without gaps, in some order of its dims."""
    step = a.itemsize
    for stride, n in sorted((s, n) for s, n in zip(a.strides, a.shape) if n != 1):
        if stride != step:
            return False
        step *= n
    return a.size > 0


def check_not_overlapping(t: Tensor) -> None:
    """PyTorch's refusal to write through a view whose elements share memory (an expand):
    numtorch makes those views read-only."""
    if not t._data.flags.writeable:
        check_not_overlapping_layout()


def check_not_overlapping_layout() -> None:
    raise RuntimeError(
        "unsupported operation: more than one element of the written-to tensor refers to a "
        "single memory location. Please clone() the tensor before performing the operation."
    )


def needs_graph(t: Tensor, args) -> bool:
    if not _STATE.enabled:
        return False
    if t._rg or (t._base is not None and t._base._rg):
        return True
    return any(isinstance(a, Tensor) and a._rg for a in args)


def inplace(t: Tensor, fn, *args, **kwargs) -> Tensor:
    """Write ``fn(t, *args, **kwargs)`` into ``t``, keeping autograd correct.

    Ops with a faster in-place path (``ufunc(..., out=)``) take it themselves when no graph is
    recorded; this is the general path.
    """
    check_leaf(t)
    for a in args:
        if isinstance(a, Tensor):
            check_no_partial_overlap(t, a)
    if not needs_graph(t, args):
        result = fn(t, *args, **kwargs)._data
        check_cast(result.dtype, t._data.dtype)
        _write(t, fn, result)
        t._vc[0] += 1
        return t
    base = t._base
    if base is not None:
        check_inference_view(t)
    if not t._data.flags.writeable and base is not None:
        return _inplace_shared(t, fn, args, kwargs)
    base_snap = _snapshot(base) if base is not None else None
    result = fn(_snapshot(t), *args, **kwargs)
    check_cast(result._data.dtype, t._data.dtype)
    if result._data.dtype != t._data.dtype:
        result = result.to(t.dtype)
    _write(t, fn, result._data)
    t._vc[0] += 1
    if base is None:
        t.grad_fn, t._output_nr, t._rg = result.grad_fn, result._output_nr, result._rg
        return t
    new_base = CopySlices.apply(base_snap, result, t._view)
    new_base._data = base._data  # same values; the base keeps its memory
    base.grad_fn, base._output_nr, base._rg = new_base.grad_fn, 0, True
    view = replay_tensor(base, t._view)
    t.grad_fn, t._output_nr, t._rg = view.grad_fn, view._output_nr, True
    return t


class SharedCopySlices(Primitive):
    """``base`` after a write through ``view``, a view whose elements share memory (an
    expand): PyTorch's CopySlices, whose backward cannot write the base's gradient through
    such a view, but reads the written value's gradient through it."""

    _name = "CopySlices"
    __slots__ = ("layout",)

    def forward(ctx, base, value, layout):
        ctx.layout = layout
        return base

    def backward(ctx, g):
        from .strided import AsStrided

        if ctx.needs_input_grad[0]:
            check_not_overlapping_layout()
        return None, linear(ctx, AsStrided, g, *ctx.layout), None


def _inplace_shared(t: Tensor, fn, args, kwargs) -> Tensor:
    """``inplace`` on a view whose elements share memory, in a graph: written as without one
    (by the ops PyTorch allows there), its history an ``as_strided`` view of its base's."""
    from .strided import as_strided

    fills = _fills_a_number(fn, args)
    if fn not in SHARED_WRITES and not fills:
        check_not_overlapping_layout()
    base = t._base
    base_snap = _snapshot(base)
    result = fn(_snapshot(t), *args, **kwargs)
    check_cast(result._data.dtype, t._data.dtype)
    if fills:
        shared_memory(t)[...] = result._data
    else:
        _write(t, fn, result._data)
    t._vc[0] += 1
    layout = (t.shape, t.stride(), (t.data_ptr() - base.data_ptr()) // t._data.itemsize)
    new_base = SharedCopySlices.apply(base_snap, result, layout)
    base.grad_fn, base._output_nr, base._rg = new_base.grad_fn, 0, True
    view = as_strided(base, *layout)
    t.grad_fn, t._output_nr, t._rg = view.grad_fn, 0, True
    return t


def _fills_a_number(fn, args) -> bool:
    return fn in (Fill.apply, Zero.apply) and not isinstance(args[0], Tensor)


# ops whose in-place form PyTorch runs on a tensor whose elements share memory (an expand),
# writing the elements it changes: fn -> the deprecation warning it gives there, or None
SHARED_WRITES: dict = {}
_DEPRECATED_SHARED = (
    "Use of {}_ on expanded tensors is deprecated. Please clone() the tensor before performing "
    "this operation. This also applies to advanced indexing e.g. {}"
)


def writes_shared(fn, indexing: str | None = None):
    """Register ``fn``'s in-place form as one PyTorch allows on shared memory, with its
    deprecation warning where it names the ``indexing`` form; returns ``fn``."""
    SHARED_WRITES[fn] = _DEPRECATED_SHARED.format(fn.__name__, indexing) if indexing else None
    return fn


def _write(t: Tensor, fn, result) -> None:
    """``t[...] = result``; where ``t``'s elements share memory, only the changed ones, in
    order (PyTorch's kernels write only those), for the ops that PyTorch allows there."""
    if t._data.flags.writeable:
        t._data[...] = result
        return
    if fn not in SHARED_WRITES:
        check_not_overlapping(t)
    if SHARED_WRITES[fn] is not None:
        warnings.warn(SHARED_WRITES[fn], UserWarning, stacklevel=4)
    changed = result != t._data
    shared_memory(t)[changed] = result[changed]


def inplace_method(fn):
    """``fn``'s in-place Tensor method (``x.addcmul_(...)``): ``fn`` run through ``inplace``."""

    def method(self, *args, **kwargs):
        return inplace(self, fn, *args, **kwargs)

    method.__name__ = fn.__name__ + "_"
    return method


class Fill(Primitive):
    _name = "FillBackward0"

    def forward(ctx, x, value):
        out = x.copy()
        out[...] = value
        return out

    def backward(ctx, g):
        # a 0-d tensor value fills every element, so it collects the whole gradient
        return g * 0 if ctx.needs_input_grad[0] else None, g if ctx.needs_input_grad[1] else None


class Zero(Fill):
    _name = "ZeroBackward0"


class Copy(Primitive):
    """``x.copy_(src)``: x's values replaced by src's (broadcast and cast to x)."""

    _name = "CopyBackwards"

    def forward(ctx, x, src):
        out = x.copy()
        out[...] = src
        return out

    def backward(ctx, g):
        return g * 0 if ctx.needs_input_grad[0] else None, g


def _fast_assign(t: Tensor, value, shared_ok: bool = False) -> Tensor:
    """``t[...] = value``; ``shared_ok``: also where elements of ``t`` share memory (an
    expand), as PyTorch fills them with a number."""
    check_leaf(t)
    if shared_ok and not t._data.flags.writeable:
        shared_memory(t)[...] = value
    else:
        check_not_overlapping(t)
        t._data[...] = value
    t._vc[0] += 1
    return t


def shared_memory(t: Tensor):
    """A writable array over the memory of ``t``, a view whose elements share memory (numtorch
    makes those read-only): for the writes that PyTorch allows there (a fill with one value)."""
    base = t._base
    arr = t._data
    if base is None or not base._data.flags.writeable or not base._data.flags.c_contiguous:
        check_not_overlapping(t)
    start = (t.data_ptr() - base.data_ptr()) // arr.itemsize
    flat = base._data.reshape(-1)[start:]
    return array_module(arr).lib.stride_tricks.as_strided(flat, arr.shape, arr.strides)


def zero_(self) -> Tensor:
    """Fill with zeros, in place."""
    if needs_graph(self, ()):
        return inplace(self, Zero.apply, 0)
    return _fast_assign(self, 0, shared_ok=True)


def fill_(self, value) -> Tensor:
    """Fill with ``value`` (a number or a 0-d tensor), in place."""
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(
                "fill_ only supports 0-dimension value tensor but got tensor with "
                f"{value._data.ndim} dimensions."
            )
    if needs_graph(self, (value,)):
        return inplace(self, Fill.apply, value)
    if isinstance(value, Tensor):
        return _fast_assign(self, value._data)
    return _fast_assign(self, value, shared_ok=True)


def copy_(self, src, non_blocking: bool = False) -> Tensor:
    """Copy ``src``'s values into this tensor (broadcasting ``src``; casting to this dtype)."""
    if not isinstance(src, Tensor):
        raise TypeError(
            f"copy_(): argument 'other' (position 1) must be Tensor, not {arg_type_name(src)}"
        )
    check_no_partial_overlap(self, src)
    try:
        if needs_graph(self, (src,)):
            return inplace(self, Copy.apply, src)
        return _fast_assign(self, src._data)
    except ValueError:
        check_not_overlapping(self)
        raise RuntimeError(
            f"The size of tensor a ({self.shape[-1] if self.ndim else 1}) must match the size of "
            f"tensor b ({src.shape[-1] if src.ndim else 1}) at non-singleton dimension "
            f"{max(self.ndim - 1, 0)}"
        ) from None


__all__ = []
METHODS = {"zero_": zero_, "fill_": fill_, "copy_": copy_}
