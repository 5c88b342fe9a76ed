"""Array-level replay steps for the primitives that small training steps spend their time in:
``nn.Linear`` on a matrix of rows, sigmoid and MSE.

The replay of any other primitive calls its ``forward`` and ``backward`` on a context object,
as eager mode does. For these, it calls the array operations themselves: no context, no saved
values checked against versions (the guards already fixed shapes and dtypes), and the
backward reads what it needs from the replay's slots. Each step computes the primitive's own
operations in its order (the helpers are the ones its methods call), so the values stay
bit-identical to eager numtorch. A sigmoid whose input is a fresh intermediate that nothing else
reads (the output of a lowered ``Linear``) is computed in that array, as a hand-written NumPy
step would.
"""

from __future__ import annotations

from .._backend import array_module, ensure_array, is_array, ndarray
from ..ops.blas import Linear, LinearNoBias, weight_grad
from ..ops.nn.loss_ops import MseLoss, squared_error, squared_error_grad
from ..ops.unary import Sigmoid, sigmoid_grad, sigmoid_into


class Lowered:
    """One op's replay on arrays.

    ``step(drop, in_place)`` makes its forward step (``in_place``: it may write into its input);
    ``backward(S, g)`` returns the gradients of its inputs; ``reads`` are the slots the
    backward reads (kept until the call ends); ``fresh`` says, per input, whether its gradient
    is a new array (a leaf's ``.grad`` may take it); ``fresh_out``: the forward's output is a new
    array, which a single reader may overwrite; ``arg``: the input slot the op would overwrite,
    if allowed."""

    __slots__ = ("step", "backward", "reads", "fresh", "fresh_out", "arg")

    def __init__(self, step, backward, reads, fresh, fresh_out, arg=None):
        self.step, self.backward, self.reads = step, backward, reads
        self.fresh, self.fresh_out, self.arg = fresh, fresh_out, arg


def lower(op, arrays, scratch):
    """The Lowered form of a recorded op, or None where it replays through its methods;
    ``scratch()`` gives a new slot."""
    make = _LOWERINGS.get(op.cls)
    if make is None or len(op.outs) != 1:
        return None
    return make(op, arrays, scratch)


def _floats(*arrays) -> bool:
    """Arrays of one real floating dtype (not bfloat16, whose products round differently)."""
    first = arrays[0]
    return all(
        is_array(a) and a.dtype == first.dtype and a.dtype.kind == "f" and a.ndim for a in arrays
    )


def _linear(op, arrays, scratch):
    """``x @ W.T (+ b)`` for a matrix ``x``, as ``Linear.forward`` computes it for one."""
    (_, xs), (_, ws), (b_slot, bs) = op.spec
    (o,) = op.outs
    x, w = arrays[xs], arrays[ws]
    if not b_slot and bs is not None:
        return None
    bias = (arrays[bs],) if b_slot else ()
    if x.ndim != 2 or w.ndim != 2 or not _floats(x, w, arrays[o], *bias):
        return None

    def step(drop, in_place):
        def forward(S, A):
            out = S[xs] @ S[ws].T
            if b_slot:
                out += S[bs]
            S[o] = out
            for d in drop:
                S[d] = None

        return forward

    n = op.needs or (False, False, False)

    def backward(S, g):
        return (
            g @ S[ws] if n[0] else None,
            weight_grad(g, S[xs]) if n[1] else None,
            g if n[2] else None,
        )

    return Lowered(step, backward, (xs, ws), (True, True, False), True)


def _sigmoid(op, arrays, scratch):
    """Sigmoid's four passes (``sigmoid_into``), in the input's own array where it may."""
    ((_, xs),) = op.spec
    (o,) = op.outs
    if not _floats(arrays[xs], arrays[o]):
        return None
    empty_like = array_module(arrays[xs]).empty_like

    def step(drop, in_place):
        def forward(S, A):
            x = S[xs]
            S[o] = sigmoid_into(x, x if in_place else empty_like(x))
            for d in drop:
                S[d] = None

        return forward

    def backward(S, g):
        return (sigmoid_grad(g, S[o]),)

    return Lowered(step, backward, (o,), (True,), True, arg=xs)


def _mse(op, arrays, scratch):
    """MSE with a reduction: the difference kept in a slot of its own for the backward."""
    (x_slot, xs), (y_slot, ys), (_, reduction) = op.spec
    (o,) = op.outs
    if not (x_slot and y_slot) or reduction == "none" or not _floats(arrays[xs], arrays[ys]):
        return None
    ds, size = scratch(), arrays[xs].size

    def step(drop, in_place):
        def forward(S, A):
            S[ds], loss = squared_error(S[xs], S[ys], reduction)
            S[o] = loss if loss.__class__ is ndarray else ensure_array(loss)
            for d in drop:
                S[d] = None

        return forward

    n = op.needs or (False, False, False)

    def backward(S, g):
        gx = squared_error_grad(S[ds], g, reduction, size)
        return gx if n[0] else None, -gx if n[1] else None, None

    return Lowered(step, backward, (ds,), (True, True, False), False)


_LOWERINGS = {Linear: _linear, LinearNoBias: _linear, Sigmoid: _sigmoid, MseLoss: _mse}
