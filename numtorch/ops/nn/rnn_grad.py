"""The gradients of a fused recurrent layer as an op of their own, so that the layer's backward
is one formula for both kinds of pass.

``RNNGrad`` takes the layer's inputs and its output gradients. Its forward is the layer's fused
backward on arrays (a first-order pass calls it directly, through ``linear()``); under
``create_graph`` it is a node, whose derivative ``RNNGradGrad`` differentiates the layer written
as ordinary ops (``composite_layer``) twice. PyTorch does the same for its oneDNN layer: a
fused backward, and a backward of ordinary ops for double backward. A third derivative of a
fused layer is not implemented.
"""

from __future__ import annotations

from ..._backend import array_module
from ..._lazy import nt
from ..._tensor import wrap
from ...autograd import grad_mode
from ...autograd.function import Primitive, linear
from .rnn_cells import gru_cell, lstm_cell, rnn_cell

__all__ = []
METHODS = {}

_LAYOUTS: dict = {}


def steps(t_len, bsz, batch_sizes, reverse):
    """``(t, n)`` for each time step in the order a layer runs them: ``n`` rows are active."""
    order = range(t_len - 1, -1, -1) if reverse else range(t_len)
    for t in order:
        yield t, (bsz if batch_sizes is None else int(batch_sizes[t]))


def by_position(got, need, n):
    """One entry per input of a node that needs ``need``: the next of ``got`` for each of the
    first ``n`` inputs that needs a gradient, None elsewhere."""
    got = iter(got)
    return tuple(next(got) if need[i] and i < n else None for i in range(len(need)))


class RNNGrad(Primitive):
    """The gradients of the inputs of ``layer`` (a fused layer's node) that need one, as an op
    of its ``n_in`` inputs and its output gradients: ``RNNGrad.of(n_in, n_grads).apply(*inputs,
    *grads, layer)``."""

    __slots__ = ("layer",)
    _n_in = 0

    @classmethod
    def of(cls, n_in: int, n_grads: int) -> type:
        """The class for a layer of ``n_in`` inputs and ``n_grads`` outputs (it saves them all,
        by position)."""
        key = (n_in, n_grads)
        if key not in _LAYOUTS:
            attrs = {"__slots__": (), "_n_in": n_in, "_save_at": tuple(range(n_in + n_grads))}
            _LAYOUTS[key] = type(cls.__name__, (cls,), attrs)
        return _LAYOUTS[key]

    def forward(ctx, *args):
        *values, layer = args
        ctx.layer = layer
        ctx.save_for_backward(*values)
        full = layer.fused_backward(values[: ctx._n_in], *values[ctx._n_in :])
        return tuple(g for g in full if g is not None)

    def backward(ctx, *ggs):
        values = ctx.saved_tensors
        got = linear(ctx, RNNGradGrad, *values, *ggs, ctx)
        return by_position(got, ctx.needs_input_grad, len(values))


class RNNGradGrad(Primitive):
    """The derivative of ``RNNGrad`` (the node ``grad_node``) for the gradients ``ggs`` of its
    outputs, in each of its inputs that needs one (zeros where it does not reach them)."""

    def forward(ctx, *args):
        *rest, grad_node = args
        n = len(grad_node.needs_input_grad) - 1
        values, ggs = rest[:n], rest[n:]
        second = _second_derivatives(grad_node, values, ggs)
        need = grad_node.needs_input_grad
        return tuple(
            array_module(v).zeros_like(v) if s is None else s._data
            for v, s, wanted in zip(values, second, need)
            if wanted
        )

    def backward(ctx, *grads):
        raise RuntimeError(
            "the third derivative of a fused RNN, LSTM or GRU layer is not implemented; write "
            "the recurrence with ordinary ops (matmul, sigmoid, tanh) to differentiate it thrice"
        )


def _second_derivatives(grad_node, values, ggs):
    """The gradient of ``sum(gg * RNNGrad(values))`` in each value, through the layer written
    as ordinary ops (None where it does not depend on the value)."""
    layer, n_in = grad_node.layer, grad_node._n_in
    grad = nt().autograd.grad
    ts = [None if v is None else wrap(v).requires_grad_() for v in values]
    with grad_mode.enable_grad():
        outs = composite_layer(layer, ts[:n_in])
        seeds = [(o, g) for o, g in zip(outs, ts[n_in:]) if g is not None]
        wrt = [t for t, wanted in zip(ts, layer.needs_input_grad[:n_in]) if wanted]
        first = grad(
            [o for o, _ in seeds], wrt, [g for _, g in seeds], create_graph=True, allow_unused=True
        )
        back = [
            (f, wrap(gg))
            for f, gg in zip(first, ggs)
            if gg is not None and f is not None and f.requires_grad
        ]
        if not back:
            return [None] * len(values)
        want = [t for t, wanted in zip(ts, grad_node.needs_input_grad) if wanted]
        got = grad([f for f, _ in back], want, [gg for _, gg in back], allow_unused=True)
    return by_position(got, grad_node.needs_input_grad, len(values))


def composite_layer(layer, inputs):
    """The fused layer ``layer`` (its node) over ``inputs``, written as ordinary ops."""
    cat, zeros = nt().cat, nt().zeros
    cell, batch_sizes, reverse = layer._cell, layer.batch_sizes, layer.reverse
    if cell == "lstm":
        x, h, c, w_ih, w_hh, b_ih, b_hh, w_hr = inputs
    else:
        (x, h, w_ih, w_hh, b_ih, b_hh), c, w_hr = inputs, None, None
    relu = cell == "rnn" and reverse[1]
    reverse = reverse[0] if cell == "rnn" else reverse
    t_len, bsz = x.shape[:2]
    outs = [None] * t_len
    for t, n in steps(t_len, bsz, batch_sizes, reverse):
        weights = (w_ih, w_hh, b_ih, b_hh)
        if cell == "lstm":
            hn, cn = lstm_cell(x[t, :n], h[:n], c[:n], *weights)
            hn = hn if w_hr is None else hn @ w_hr.T
            c = cat([cn, c[n:]])
        elif cell == "gru":
            hn = gru_cell(x[t, :n], h[:n], *weights)
        else:
            hn = rnn_cell(x[t, :n], h[:n], *weights, relu)
        pad = zeros(bsz - n, hn.shape[1], dtype=hn.dtype, device=hn.device)
        outs[t] = cat([hn, pad])
        h = cat([hn, h[n:]])
    out = nt().stack(outs)
    return (out, h, c) if cell == "lstm" else (out, h)
