"""Fused recurrent layers: one primitive runs a whole sequence of LSTM, GRU or Elman cells.

The input projection of every time step is one matrix product up front; each step then does
one product with the hidden-to-hidden weight (all gates at once) and a few in-place ufuncs.
Backward runs the steps in reverse, keeping only the per-step gate gradients, and forms the
weight gradients as single matrix products over all steps at the end.

Sequences are time-major ``(T, B, I)``. ``batch_sizes`` (from a PackedSequence, sorted by
decreasing length) makes only the first ``batch_sizes[t]`` rows active at step ``t``: a
finished row keeps its last state, and in the reverse direction a row starts from ``h0`` at
its own last step. Padded output positions are zero.

A layer's backward is one formula for both kinds of pass: the gradients are the op
``RNNGrad`` of the layer's inputs and its output gradients (rnn_grad.py), whose forward is the
fused backward below and whose own derivative re-runs the layer as ordinary ops.
"""

from __future__ import annotations

from ..._backend import array_module
from ...autograd.function import Primitive, linear
from .rnn_grad import RNNGrad, by_position, steps

__all__ = []
METHODS = {}


def _gate_sigmoid_(xp, a):
    # NOTE: the gates use 0.5 * tanh(0.5 a) + 0.5, not unary.sigmoid_into's 1 / (1 + exp(-a)):
    # both are the logistic function, but this form keeps the LSTM's and GRU's gradients within
    # PyTorch's rounding over a sequence (tests/programs/lstm_step), where the exp form drifts.
    a *= 0.5
    xp.tanh(a, out=a)
    a *= 0.5
    a += 0.5
    return a


def _project(xp, x, w, b1, b2):
    t, bsz = x.shape[:2]
    out = xp.matmul(x.reshape(t * bsz, -1), w.T).reshape(t, bsz, -1)
    if b1 is not None:
        out += b1
    if b2 is not None:
        out += b2
    return out


class _FusedRNN(Primitive):
    __slots__ = ("batch_sizes", "reverse", "store")

    def _finish_backward(ctx, xp, dpre_x, dpre_h, hprev, x, w_ih, n):
        """Gradients of x, W_ih, W_hh and the biases from per-step pre-activation grads."""
        t, bsz, _ = x.shape
        g2 = dpre_x.reshape(t * bsz, -1)
        dx = xp.matmul(dpre_x, w_ih) if n[0] else None
        dw_ih = xp.matmul(g2.T, x.reshape(t * bsz, -1)) if n[3] else None
        gh2 = dpre_h.reshape(t * bsz, -1)
        dw_hh = xp.matmul(gh2.T, hprev.reshape(t * bsz, -1)) if n[4] else None
        db_ih = g2.sum(axis=0) if n[5] else None
        db_hh = gh2.sum(axis=0) if n[6] else None
        return dx, dw_ih, dw_hh, db_ih, db_hh

    def backward(ctx, *grads):
        inputs = ctx.saved_tensors
        need = ctx.needs_input_grad
        got = linear(ctx, RNNGrad.of(len(inputs), len(grads)), *inputs, *grads, ctx)
        return by_position(got, need, len(inputs))


class LSTMLayer(_FusedRNN):
    """``(out, h_T, c_T)`` of an LSTM over ``x`` (T, B, I); ``w_hr`` projects h (proj_size).
    PyTorch's x86 builds run an LSTM layer through oneDNN, except with a projection (whose
    layer ends in a stack: ``LSTMLayer.named("StackBackward0")``)."""

    _cell = "lstm"
    _save_at = tuple(range(8))  # the inputs, the time-step arrays being ctx.store
    _name = "MkldnnRnnLayerBackward0"
    _edge_args = (0, 3, 4, 5, 6, 1, 2)  # oneDNN's order: input, weights, biases, h0, c0

    def forward(ctx, x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, batch_sizes, reverse):
        xp = array_module(x)
        t_len, bsz = x.shape[:2]
        hid = w_hh.shape[1] if w_hr is None else w_hr.shape[1]
        ctx.batch_sizes, ctx.reverse = batch_sizes, reverse
        xproj = _project(xp, x, w_ih, b_ih, b_hh)  # becomes the gate activations in place
        h, c = h0.copy(), c0.copy()
        out = xp.zeros((t_len, bsz, h0.shape[1]), x.dtype)
        hprev = xp.zeros_like(out)
        cprev = xp.zeros((t_len, bsz, hid), x.dtype)
        tanhc = xp.zeros_like(cprev)
        m_all = xp.zeros_like(cprev) if w_hr is not None else None
        whh_t = w_hh.T
        for t, n in steps(t_len, bsz, batch_sizes, reverse):
            a = xproj[t, :n]
            hprev[t, :n] = h[:n]
            cprev[t, :n] = c[:n]
            a += h[:n] @ whh_t
            _gate_sigmoid_(xp, a[:, : 2 * hid])
            xp.tanh(a[:, 2 * hid : 3 * hid], out=a[:, 2 * hid : 3 * hid])
            _gate_sigmoid_(xp, a[:, 3 * hid :])
            cn = a[:, hid : 2 * hid] * c[:n]
            cn += a[:, :hid] * a[:, 2 * hid : 3 * hid]
            c[:n] = cn
            tc = xp.tanh(cn, out=tanhc[t, :n])
            m = a[:, 3 * hid :] * tc
            if w_hr is not None:
                m_all[t, :n] = m
                m = m @ w_hr.T
            h[:n] = m
            out[t, :n] = m
        ctx.store = (xproj, hprev, cprev, tanhc, m_all)
        ctx.save_for_backward(x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr)
        return out, h, c

    def fused_backward(ctx, inputs, dout, dh_t, dc_t):
        """The gradients of the eight inputs, on arrays."""
        x, _, _, w_ih, w_hh, _, _, w_hr = inputs
        xp = array_module(x)
        acts, hprev, cprev, tanhc, m_all = ctx.store
        t_len, bsz = x.shape[:2]
        hid = cprev.shape[2]
        dh = xp.zeros_like(hprev[0]) if dh_t is None else dh_t.copy()
        dc = xp.zeros_like(cprev[0]) if dc_t is None else dc_t.copy()
        dgates = xp.zeros_like(acts)
        deriv = acts * (1 - acts)  # sigmoid' for i, f, o
        gslice = slice(2 * hid, 3 * hid)
        deriv[..., gslice] = 1 - acts[..., gslice] ** 2
        tc_deriv = acts[..., 3 * hid :] * (1 - tanhc**2)
        dw_hr = xp.zeros_like(w_hr) if w_hr is not None else None
        for t, n in steps(t_len, bsz, ctx.batch_sizes, not ctx.reverse):
            a = acts[t, :n]
            dm = dh[:n] if dout is None else dh[:n] + dout[t, :n]
            if w_hr is not None:
                dw_hr += dm.T @ m_all[t, :n]
                dm = dm @ w_hr
            dcn = dc[:n] + dm * tc_deriv[t, :n]
            dg = dgates[t, :n]
            xp.multiply(dcn, a[:, 2 * hid : 3 * hid], out=dg[:, :hid])
            xp.multiply(dcn, cprev[t, :n], out=dg[:, hid : 2 * hid])
            xp.multiply(dcn, a[:, :hid], out=dg[:, gslice])
            xp.multiply(dm, tanhc[t, :n], out=dg[:, 3 * hid :])
            dg *= deriv[t, :n]
            dc[:n] = dcn * a[:, hid : 2 * hid]
            dh[:n] = dg @ w_hh
        n_ = ctx.needs_input_grad
        dx, dw_ih, dw_hh, db_ih, db_hh = ctx._finish_backward(
            xp, dgates, dgates, hprev, x, w_ih, n_
        )
        return (
            dx,
            dh if n_[1] else None,
            dc if n_[2] else None,
            dw_ih,
            dw_hh,
            db_ih,
            db_hh,
            dw_hr if n_[7] else None,
        )


class GRULayer(_FusedRNN):
    """``(out, h_T)`` of a GRU over ``x`` (T, B, I); gates in PyTorch's order r, z, n."""

    _cell = "gru"
    _save_at = tuple(range(6))
    _name = "StackBackward0"  # PyTorch stacks the steps' outputs

    def forward(ctx, x, h0, w_ih, w_hh, b_ih, b_hh, batch_sizes, reverse):
        xp = array_module(x)
        t_len, bsz = x.shape[:2]
        hid = h0.shape[1]
        ctx.batch_sizes, ctx.reverse = batch_sizes, reverse
        xproj = _project(xp, x, w_ih, b_ih, None)
        h = h0.copy()
        out = xp.zeros((t_len, bsz, hid), x.dtype)
        hprev = xp.zeros_like(out)
        hn_all = xp.zeros_like(out)
        whh_t = w_hh.T
        for t, n in steps(t_len, bsz, batch_sizes, reverse):
            a = xproj[t, :n]
            hp = h[:n]
            hprev[t, :n] = hp
            hh = hp @ whh_t
            if b_hh is not None:
                hh += b_hh
            hn_all[t, :n] = hh[:, 2 * hid :]
            a[:, : 2 * hid] += hh[:, : 2 * hid]
            _gate_sigmoid_(xp, a[:, : 2 * hid])
            nn_ = a[:, 2 * hid :]
            nn_ += a[:, :hid] * hh[:, 2 * hid :]
            xp.tanh(nn_, out=nn_)
            z = a[:, hid : 2 * hid]
            hn = nn_ + z * (hp - nn_)
            h[:n] = hn
            out[t, :n] = hn
        ctx.store = (xproj, hprev, hn_all)
        ctx.save_for_backward(x, h0, w_ih, w_hh, b_ih, b_hh)
        return out, h

    def fused_backward(ctx, inputs, dout, dh_t):
        """The gradients of the six inputs, on arrays."""
        x, _, w_ih, w_hh, _, _ = inputs
        xp = array_module(x)
        acts, hprev, hn_all = ctx.store
        t_len, bsz = x.shape[:2]
        hid = hprev.shape[2]
        dh = xp.zeros_like(hprev[0]) if dh_t is None else dh_t.copy()
        dx_pre = xp.zeros_like(acts)
        dh_pre = xp.zeros_like(acts)
        for t, n in steps(t_len, bsz, ctx.batch_sizes, not ctx.reverse):
            a = acts[t, :n]
            r, z, nn_ = a[:, :hid], a[:, hid : 2 * hid], a[:, 2 * hid :]
            d = dh[:n] if dout is None else dh[:n] + dout[t, :n]
            dn = d * (1 - z) * (1 - nn_ * nn_)
            gx, gh = dx_pre[t, :n], dh_pre[t, :n]
            xp.multiply(dn * hn_all[t, :n] * r, 1 - r, out=gx[:, :hid])
            xp.multiply(d * (hprev[t, :n] - nn_) * z, 1 - z, out=gx[:, hid : 2 * hid])
            gx[:, 2 * hid :] = dn
            gh[:, : 2 * hid] = gx[:, : 2 * hid]
            xp.multiply(dn, r, out=gh[:, 2 * hid :])
            dh[:n] = d * z + gh @ w_hh
        n_ = ctx.needs_input_grad
        dx, dw_ih, dw_hh, db_ih, db_hh = ctx._finish_backward(
            xp, dx_pre, dh_pre, hprev, x, w_ih, (n_[0], None, None, n_[2], n_[3], n_[4], n_[5])
        )
        return dx, dh if n_[1] else None, dw_ih, dw_hh, db_ih, db_hh


class RNNLayer(_FusedRNN):
    """``(out, h_T)`` of an Elman RNN (tanh or relu) over ``x`` (T, B, I)."""

    _cell = "rnn"
    _save_at = tuple(range(6))
    _name = "StackBackward0"
    _autocast_name = "rnn_layer"  # PyTorch's CPU autocast lists rnn_tanh and rnn_relu

    def forward(ctx, x, h0, w_ih, w_hh, b_ih, b_hh, batch_sizes, reverse, relu):
        xp = array_module(x)
        t_len, bsz = x.shape[:2]
        ctx.batch_sizes, ctx.reverse = batch_sizes, (reverse, relu)
        pre = _project(xp, x, w_ih, b_ih, b_hh)
        h = h0.copy()
        out = xp.zeros((t_len, bsz, h0.shape[1]), x.dtype)
        hprev = xp.zeros_like(out)
        whh_t = w_hh.T
        for t, n in steps(t_len, bsz, batch_sizes, reverse):
            a = pre[t, :n]
            hprev[t, :n] = h[:n]
            a += h[:n] @ whh_t
            if relu:
                xp.maximum(a, 0, out=a)
            else:
                xp.tanh(a, out=a)
            h[:n] = a
            out[t, :n] = a
        ctx.store = (hprev, out)
        ctx.save_for_backward(x, h0, w_ih, w_hh, b_ih, b_hh)
        return out, h

    def fused_backward(ctx, inputs, dout, dh_t):
        """The gradients of the six inputs, on arrays."""
        x, _, w_ih, w_hh, _, _ = inputs
        xp = array_module(x)
        hprev, out = ctx.store
        reverse, relu = ctx.reverse
        t_len, bsz = x.shape[:2]
        deriv = (out > 0).astype(out.dtype) if relu else 1 - out * out
        dh = xp.zeros_like(hprev[0]) if dh_t is None else dh_t.copy()
        dpre = xp.zeros_like(out)
        for t, n in steps(t_len, bsz, ctx.batch_sizes, not reverse):
            d = dh[:n] if dout is None else dh[:n] + dout[t, :n]
            g = xp.multiply(d, deriv[t, :n], out=dpre[t, :n])
            dh[:n] = g @ w_hh
        n_ = ctx.needs_input_grad
        dx, dw_ih, dw_hh, db_ih, db_hh = ctx._finish_backward(
            xp, dpre, dpre, hprev, x, w_ih, (n_[0], None, None, n_[2], n_[3], n_[4], n_[5])
        )
        return dx, dh if n_[1] else None, dw_ih, dw_hh, db_ih, db_hh


PROJECTED_LSTM = LSTMLayer.named("StackBackward0")


# One step of a cell runs the fused layer over a sequence of length one. PyTorch builds a cell
# from ordinary ops, so its result shows the last op's node name: these carry those names.
class LSTMCellStep(LSTMLayer):
    _name = "MulBackward0"  # h' = o * tanh(c')


class GRUCellStep(GRULayer):
    _name = "AddBackward0"  # h' = n + z * (h - n)


class RNNTanhCellStep(RNNLayer):
    _name = "TanhBackward0"


class RNNReluCellStep(RNNLayer):
    _name = "ReluBackward0"
