"""Connectionist temporal classification loss: ``F.ctc_loss`` (and ``nn.CTCLoss``).

The loss of one sequence is minus the log of the total probability of every alignment of its
target (blanks between and around the labels, repeats collapsed) with the ``T`` steps of
``log_probs``. The forward (alpha) and backward (beta) recursions run over time in log space,
vectorised over the batch and the ``2 * S + 1`` positions of the blank-extended target.
"""

from __future__ import annotations

from ..._backend import array_module, array_of
from ..._tensor import Tensor, wrap
from ...autograd.function import KEPT, Primitive
from ..shape import linear as _call

__all__ = ["ctc_loss"]


def _shift(xp, a, k, fill=-float("inf")):
    """``a`` moved ``k`` places along its last axis (right for k > 0), filled with ``fill``."""
    out = xp.full_like(a, fill)
    if k > 0:
        out[..., k:] = a[..., :-k]
    else:
        out[..., :k] = a[..., -k:]
    return out


class CtcLoss(Primitive):
    """Per-sequence negative log-likelihoods ``(N,)`` of ``log_probs`` ``(T, N, C)``."""

    _name = "CtcLossBackward0"
    __slots__ = ("alpha", "ext", "skip", "in_len", "tgt_len", "nll", "zero_infinity")
    _save_at = (0, KEPT)  # log_probs and the emission log-probabilities along the targets

    def forward(ctx, lp, ext, skip, in_len, tgt_len, zero_infinity):
        xp = array_module(lp)
        t_max, n = lp.shape[:2]
        rows = xp.arange(n)
        emit = xp.take_along_axis(lp, xp.broadcast_to(ext, (t_max,) + ext.shape), axis=2)
        alpha = xp.full(emit.shape, -xp.inf, dtype=lp.dtype)
        alpha[0, :, 0] = emit[0, :, 0]
        alpha[0, :, 1] = xp.where(tgt_len > 0, emit[0, :, 1], -xp.inf)
        for t in range(1, t_max):
            a = alpha[t - 1]
            two_back = xp.where(skip, _shift(xp, a, 2), -xp.inf)
            alpha[t] = xp.logaddexp(xp.logaddexp(a, _shift(xp, a, 1)), two_back) + emit[t]
        last = alpha[xp.maximum(in_len - 1, 0), rows]  # (N, L) at each sequence's last step
        end = 2 * tgt_len
        final = last[rows, end]
        before = xp.where(tgt_len > 0, last[rows, xp.maximum(end - 1, 0)], -xp.inf)
        nll = -xp.logaddexp(final, before)
        nll = xp.where(in_len > 0, nll, xp.where(tgt_len > 0, xp.inf, -0.0)).astype(lp.dtype)
        ctx.alpha, ctx.ext, ctx.skip, ctx.in_len, ctx.nll = alpha, ext, skip, in_len, nll
        ctx.tgt_len, ctx.zero_infinity = tgt_len, zero_infinity
        ctx.save_for_backward(lp, emit)
        return nll

    def backward(ctx, g):
        lp, emit = ctx.saved_tensors
        unit = ctx._unit_gradient(array_module(lp), array_of(lp), emit, ctx.tgt_len)
        # the gradient is a node of its own (of g and lp), which PyTorch cannot differentiate
        return _call(ctx, CtcLossGrad, g, lp, unit), None, None, None, None, None

    def _unit_gradient(ctx, xp, lp, emit, tgt_len):
        """The gradient for an upstream gradient of 1 per sequence."""
        alpha, ext, skip, in_len, nll = ctx.alpha, ctx.ext, ctx.skip, ctx.in_len, ctx.nll
        t_max, n, c = lp.shape
        rows = xp.arange(n)
        beta = xp.full(emit.shape, -xp.inf, dtype=lp.dtype)
        last_t = in_len - 1
        end = 2 * tgt_len
        for t in range(t_max - 1, -1, -1):
            starts = last_t == t
            if starts.any():  # each sequence's recursion begins at its own last step
                b = xp.full((n, ext.shape[1]), -xp.inf, dtype=lp.dtype)
                b[rows, end] = emit[t, rows, end]
                b[rows, xp.maximum(end - 1, 0)] = xp.where(
                    tgt_len > 0, emit[t, rows, xp.maximum(end - 1, 0)], b[rows, 0]
                )
                beta[t] = xp.where(starts[:, None], b, beta[t])
            if t < t_max - 1:
                nb = beta[t + 1]
                two_on = xp.where(_shift(xp, skip, -2, False), _shift(xp, nb, -2), -xp.inf)
                step = xp.logaddexp(xp.logaddexp(nb, _shift(xp, nb, -1)), two_on) + emit[t]
                beta[t] = xp.where((t < last_t)[:, None], step, beta[t])
        # PyTorch's formula (the gradient as if log_probs came from a log_softmax):
        # exp(lp) - exp(logsumexp over the positions showing class c of alpha+beta + nll - lp)
        both = alpha + beta
        m = both.max(axis=2, keepdims=True)
        m = xp.where(xp.isneginf(m), 0.0, m)
        onehot = (ext[:, :, None] == xp.arange(c)).astype(lp.dtype)  # (N, L, C)
        summed = xp.matmul(xp.exp(both - m).transpose(1, 0, 2), onehot).transpose(1, 0, 2)
        lcab = xp.log(summed) + m
        grad = xp.exp(lp) - xp.exp(lcab + nll[None, :, None] - lp)
        inside = xp.arange(t_max)[:, None] < in_len[None, :]
        keep = inside if not ctx.zero_infinity else inside & ~xp.isinf(nll)[None, :]
        return xp.where(keep[:, :, None], grad, 0.0).astype(lp.dtype, copy=False)


class CtcLossGrad(Primitive):
    """The CTC gradient ``unit`` scaled by the upstream gradient ``g``. It takes ``log_probs``,
    on which ``unit`` depends, so that under ``create_graph`` its result requires grad; like
    PyTorch it cannot differentiate it."""

    _name = "CtcLossBackwardBackward0"

    def forward(ctx, g, lp, unit):
        return unit * g[None, :, None]

    def backward(ctx, gg):
        raise RuntimeError("derivative for aten::_ctc_loss_backward is not implemented")


def _lengths(xp, v, name, n):
    if isinstance(v, Tensor):
        arr = v._data
    elif isinstance(v, (tuple, list)):
        arr = xp.asarray(v)
    else:
        raise TypeError(
            f"ctc_loss(): {name} must be a tuple of ints or a Tensor, not {type(v).__name__}"
        )
    arr = arr.astype(xp.int64).reshape(-1)
    if arr.size != n:
        raise RuntimeError(f"{name} must be of size batch_size")
    return arr


def ctc_loss(
    log_probs: Tensor,
    targets: Tensor,
    input_lengths,
    target_lengths,
    blank: int = 0,
    reduction: str = "mean",
    zero_infinity: bool = False,
) -> Tensor:
    """The CTC loss of ``log_probs`` ``(T, N, C)`` (or ``(T, C)``) against ``targets``, padded
    ``(N, S)`` or concatenated 1-D; ``input_lengths`` and ``target_lengths`` per sequence."""
    batched = log_probs.dim() == 3
    lp = log_probs if batched else log_probs.unsqueeze(1)
    tg = targets if batched else targets.unsqueeze(0)
    xp = array_module(lp._data)
    t_max, n, c = lp.shape
    if not 0 <= blank < c:
        raise RuntimeError("blank must be in label range")
    in_len = _lengths(xp, input_lengths, "input_lengths", n)
    tgt_len = _lengths(xp, target_lengths, "target_lengths", n)
    if in_len.size and int(in_len.max()) > t_max:
        raise RuntimeError(
            f"Expected input_lengths to have value at most {t_max}, but got value "
            f"{int(in_len.max())} (while checking arguments for "
            "ctc_loss_allocate_outputs)"
        )
    s_max = int(tgt_len.max()) if tgt_len.size else 0
    labels = tg._data.astype(xp.int64)
    if labels.ndim == 1:  # concatenated targets: cut them into padded rows
        bounds = xp.concatenate([xp.zeros(1, xp.int64), xp.cumsum(tgt_len)])
        padded = xp.full((n, s_max), blank, xp.int64)
        for i in range(n):
            padded[i, : tgt_len[i]] = labels[bounds[i] : bounds[i + 1]]
        labels = padded
    elif labels.shape[1] < s_max:
        raise RuntimeError(
            f"Expected tensor to have size at least {s_max} at dimension 1, but got size "
            f"{labels.shape[1]} for argument #2 'targets' (while checking arguments for "
            "ctc_loss_allocate_outputs)"
        )
    ext = xp.full((n, 2 * s_max + 1), blank, xp.int64)
    ext[:, 1::2] = labels[:, :s_max]
    skip = xp.zeros(ext.shape, bool)
    skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
    loss = CtcLoss.apply(lp, ext, skip, in_len, tgt_len, zero_infinity)
    if zero_infinity:
        from ..pointwise import where

        loss = where(loss == float("inf"), loss.new_zeros(()), loss)
    if not batched:
        loss = loss.squeeze(0)
    if reduction == "mean":
        divisor = wrap(xp.maximum(tgt_len if batched else tgt_len[0], 1).astype(lp._data.dtype))
        return (loss / divisor).mean()
    if reduction == "sum":
        return loss.sum()
    return loss
