"""Loss primitives whose reduction is fused with the loss (one graph node, as in PyTorch).

``reduction`` is "none", "mean" or "sum". Each backward scales the upstream gradient once
(``g / N`` for a mean) and reuses the forward's difference or probability arrays instead of
recomputing them; under ``create_graph`` the same formulas run on Tensors.
"""

from __future__ import annotations

from operator import mul

from ..._backend import accumulator, array_module, is_array, narrowed, reuse, widened
from ...autograd.function import Primitive
from ..linear_graph import _over
from ..minmax import scatter
from ..unary import logistic
from .act_ops import _uniform, log_softmax_array


def reduce_array(xp, loss, reduction):
    if reduction == "none":
        return loss
    wide = accumulator(loss)
    out = loss.mean(dtype=wide) if reduction == "mean" else loss.sum(dtype=wide)
    return narrowed(out, loss.dtype)


def _scale(g, reduction, n):
    """The upstream gradient as seen by each element before the reduction."""
    if reduction == "mean":
        return g / n if n else g * 0
    return g


def _difference(ctx, x, y):
    """The saved ``x - y``, recomputed from the inputs under ``create_graph``."""
    return x - y


class MseLoss(Primitive):
    _name = "MseLossBackward0"
    __slots__ = ("reduction", "n")
    _save_at = (0, 1, "_difference")
    _difference = _difference

    def forward(ctx, x, y, reduction):
        d, loss = squared_error(x, y, reduction)
        ctx.reduction, ctx.n = reduction, d.size
        ctx.save_for_backward(x, y, d)
        return loss

    def backward(ctx, g):
        _, _, d = ctx.saved_tensors
        gx = squared_error_grad(d, g, ctx.reduction, ctx.n)
        n = ctx.needs_input_grad
        return gx if n[0] else None, -gx if n[1] else None, None


def squared_error(x, y, reduction):
    """MSE's ``(x - y, loss)`` on arrays: also the compiled replay's step."""
    d = x - y
    if reduction == "none":
        return d, d * d
    xp = array_module(x)
    flat = widened(d.reshape(-1))
    # one BLAS dot product: no squared temporary, no Python-level mean
    total = xp.asarray(xp.dot(flat, flat), dtype=flat.dtype)
    return d, narrowed(total / d.size if reduction == "mean" else total, d.dtype)


def squared_error_grad(d, g, reduction, n):
    """MSE's gradient with respect to ``x`` from the saved difference ``d = x - y``."""
    return d * (2 * _scale(g, reduction, n))


class SmoothL1Loss(Primitive):
    """Smooth L1 (``huber=False``: quadratic part divided by ``beta``) and Huber loss
    (``huber=True``: the linear part scaled by ``delta``)."""

    _name = "SmoothL1LossBackward0"
    __slots__ = ("reduction", "n", "beta")
    _save_at = (0, 1, "_difference")
    _difference = _difference
    huber = False

    def forward(ctx, x, y, reduction, beta):
        xp = array_module(x)
        d = x - y
        ctx.reduction, ctx.n, ctx.beta = reduction, d.size, beta
        ctx.save_for_backward(x, y, d)
        ad = xp.abs(d)
        if ctx.huber:
            loss = xp.where(ad < beta, 0.5 * d * d, beta * (ad - 0.5 * beta))
        elif beta == 0:
            loss = ad
        else:
            loss = xp.where(ad < beta, 0.5 * d * d / beta, ad - 0.5 * beta)
        return reduce_array(xp, loss.astype(x.dtype, copy=False), reduction)

    def backward(ctx, g):
        _, _, d = ctx.saved_tensors
        xp = ctx.xp
        b = ctx.beta
        if ctx.huber:
            local = xp.where(d < -b, -b + d * 0, xp.where(d > b, b + d * 0, d))
        elif b == 0:
            local = xp.sign(d)
        else:
            local = xp.where(d < -b, -1 + d * 0, xp.where(d > b, 1 + d * 0, d / b))
        gx = local * _scale(g, ctx.reduction, ctx.n)
        n = ctx.needs_input_grad
        return gx if n[0] else None, -gx if n[1] else None, None, None


class HuberLoss(SmoothL1Loss):
    _name = "HuberLossBackward0"
    huber = True


class NllLoss(Primitive):
    """``-input[n, target[n], ...] * weight[target[n]]`` with ``ignore_index`` skipped.

    ``input`` is (N, C, d1, ...) with the class dim 1; ``target`` (N, d1, ...) integers.
    """

    _name = "NllLossBackward0"
    __slots__ = ("reduction", "total", "ignore")

    def forward(ctx, x, target, weight, ignore_index, reduction):
        xp = array_module(x)
        ctx.reduction, ctx.ignore = reduction, ignore_index
        valid = target != ignore_index
        safe = xp.where(valid, target, 0)
        picked = xp.take_along_axis(x, xp.expand_dims(safe, 1), axis=1)[:, 0]
        w = valid.astype(x.dtype) if weight is None else xp.where(valid, weight[safe], 0)
        w = w.astype(x.dtype, copy=False)
        loss = -picked * w
        ctx.total = w.sum() if reduction == "mean" else None
        ctx.save_for_backward(safe, w)
        if reduction == "none":
            return loss
        total = loss.sum()
        return total / ctx.total if reduction == "mean" else total

    def backward(ctx, g):
        safe, w = ctx.saved_tensors
        return ctx._scatter(safe, ctx._coef(w, g)), None, None, None, None

    def _coef(ctx, w, g):
        """The gradient at each sample's target class (every other class gets zero)."""
        if ctx.reduction == "mean":
            g = g / ctx.total
        return -w * g

    def _scatter(ctx, safe, coef):
        """The (N, C, d1, ...) gradient: zero except ``coef`` at each target class."""
        xp = ctx.xp
        return scatter(ctx, xp.expand_dims(coef, 1), xp.expand_dims(safe, 1), 1, ctx._in_shapes[0])


# PyTorch runs inputs with spatial dims (N, C, d1, ...) through its 2-D kernel
NllLoss2D = NllLoss.named("NllLoss2DBackward0")


class CrossEntropy(NllLoss):
    """``nll_loss(log_softmax(x, 1), target)`` for (N, C) logits, C > 1, in one node, shown as
    PyTorch's NllLossBackward0 over a LogSoftmaxBackward0.

    The nll gradient is zero but for ``coef`` at each row's target, so its row sum is ``coef``
    (+0.0 for a zero) and log_softmax's backward ``g - softmax * sum(g)`` comes down to
    ``-softmax * coef`` with ``coef - softmax * coef`` at the targets: three passes where the two
    nodes took six (zeros, scatter, row sum, product, difference), with the same rounding. The
    log-probabilities are a second output that the caller never sees: saved as an output, they
    are differentiable under ``create_graph``, where the backward composes both formulas."""

    _name = "NllLossBackward0"
    __slots__ = ("_shown",)

    def forward(ctx, x, target, weight, ignore_index, reduction):
        logp = log_softmax_array(x, 1)
        loss = NllLoss.forward(ctx, logp, target, weight, ignore_index, reduction)
        ctx.save_for_backward(*ctx._saved, logp)
        return loss, logp

    def backward(ctx, g, g_logp):
        safe, w, logp = ctx.saved_tensors
        xp = ctx.xp
        gx = None
        if g is not None:
            # NOTE: softmax * -coef (0.0 - coef: the row sum of the nll gradient, negated, +0.0
            # for a zero), then coef added at the targets: in one buffer on arrays
            coef = xp.expand_dims(ctx._coef(w, g), 1)
            gx = reuse(mul, xp.exp(logp), _uniform(0.0 - coef))
            gx = _add_at(ctx, gx, xp.expand_dims(safe, 1), coef)
        if g_logp is not None:  # only a graph made under create_graph reaches the hidden output
            d = _log_softmax_grad(xp, g_logp, logp)
            gx = d if gx is None else gx + d
        return gx, None, None, None, None

    @property
    def next_functions(self) -> tuple:
        shown = getattr(self, "_shown", None)
        if shown is None:  # made once, so that graph walkers see the same node each time
            shown = self._shown = (_over(self, "LogSoftmaxBackward0", self._edges[0]),)
        return shown


def _add_at(ctx, gx, idx, coef):
    """``gx`` plus ``coef`` at ``idx`` along axis 1 (one index per row): in place on an array
    (a buffer the backward made), a scatter in the graph for a Tensor."""
    if not is_array(gx):
        return gx + scatter(ctx, coef, idx, 1, tuple(gx.shape))
    xp = ctx.xp
    xp.put_along_axis(gx, idx, xp.take_along_axis(gx, idx, axis=1) + coef, axis=1)
    return gx


def _log_softmax_grad(xp, g, logp):
    return g - xp.exp(logp) * xp.sum(g, axis=1, keepdims=True)


class BinaryCrossEntropy(Primitive):
    _name = "BinaryCrossEntropyBackward0"
    __slots__ = ("reduction", "n")

    def forward(ctx, x, y, weight, reduction):
        xp = array_module(x)
        ctx.reduction, ctx.n = reduction, x.size
        # NOTE: logs are clamped at -100 (PyTorch's rule), so log(0) gives a finite loss
        log_x = xp.clip(xp.log(x), -100, None)
        log_1mx = xp.clip(xp.log1p(-x), -100, None)
        loss = -(y * log_x + (1 - y) * log_1mx)
        if weight is not None:
            loss = loss * weight
        ctx.save_for_backward(x, y, weight)
        return reduce_array(xp, loss.astype(x.dtype, copy=False), reduction)

    def backward(ctx, g):
        x, y, w = ctx.saved_tensors
        xp = ctx.xp
        g = _scale(g, ctx.reduction, ctx.n)
        if w is not None:
            g = g * w
        gx = gy = None
        if ctx.needs_input_grad[0]:
            gx = g * (x - y) / xp.clip((1 - x) * x, 1e-12, None)
        if ctx.needs_input_grad[1]:
            gy = g * (xp.clip(xp.log1p(-x), -100, None) - xp.clip(xp.log(x), -100, None))
        return gx, gy, None, None


class BinaryCrossEntropyWithLogits(Primitive):
    _name = "BinaryCrossEntropyWithLogitsBackward0"
    __slots__ = ("reduction", "n")

    def forward(ctx, x, y, weight, pos_weight, reduction):
        xp = array_module(x)
        ctx.reduction, ctx.n = reduction, x.size
        # -log sigmoid(x) = log1p(exp(-|x|)) + max(-x, 0): finite for any logit
        nls = xp.log1p(xp.exp(-xp.abs(x))) + xp.clip(-x, 0, None)
        if pos_weight is None:
            loss = (1 - y) * x + nls
        else:
            loss = (1 - y) * x + (1 + (pos_weight - 1) * y) * nls
        if weight is not None:
            loss = loss * weight
        ctx.save_for_backward(x, y, weight, pos_weight)
        return reduce_array(xp, loss.astype(x.dtype, copy=False), reduction)

    def backward(ctx, g):
        x, y, w, pw = ctx.saved_tensors
        xp = ctx.xp
        g = _scale(g, ctx.reduction, ctx.n)
        if w is not None:
            g = g * w
        s = logistic(x)
        gx = gy = None
        if ctx.needs_input_grad[0]:
            gx = g * (s - y) if pw is None else g * (s * (pw * y + 1 - y) - pw * y)
        if ctx.needs_input_grad[1]:
            # NOTE: dl/dy = -x + (1 - pw) * log sigmoid(x), written without overflow
            log_sig = xp.clip(x, None, 0) - xp.log1p(xp.exp(-xp.abs(x)))
            gy = g * (-x if pw is None else (1 - pw) * log_sig - x)
        return gx, gy, None, None, None


class SoftMarginLoss(Primitive):
    _name = "SoftMarginLossBackward0"
    __slots__ = ("reduction", "n")

    def forward(ctx, x, y, reduction):
        xp = array_module(x)
        ctx.reduction, ctx.n = reduction, x.size
        z = -y * x
        ctx.save_for_backward(x, y)
        loss = xp.clip(z, 0, None) + xp.log1p(xp.exp(-xp.abs(z)))
        return reduce_array(xp, loss.astype(x.dtype, copy=False), reduction)

    def backward(ctx, g):
        x, y = ctx.saved_tensors
        g = _scale(g, ctx.reduction, ctx.n)
        s = logistic(-y * x)
        n = ctx.needs_input_grad
        return (-g * y * s if n[0] else None), (-g * x * s if n[1] else None), None


class MultiMarginLoss(Primitive):
    """``sum_{i != y} max(0, margin - x[y] + x[i]) ** p * w[y] / C`` per sample."""

    _name = "MultiMarginLossBackward0"
    __slots__ = ("reduction", "p", "margin")

    def forward(ctx, x, target, p, margin, weight, reduction):
        xp = array_module(x)
        ctx.reduction, ctx.p, ctx.margin = reduction, p, margin
        x2 = x.reshape(-1, x.shape[-1])
        t = target.reshape(-1)
        picked = xp.take_along_axis(x2, t[:, None], axis=1)
        z = margin - picked + x2
        active = z > 0
        active[xp.arange(x2.shape[0]), t] = False
        h = xp.where(active, z, 0)
        if p == 2:
            h = h * h
        if weight is not None:
            h = h * weight[t][:, None]
        loss = (h.sum(axis=1) / x2.shape[1]).astype(x.dtype, copy=False)
        ctx.save_for_backward(x, target, z, active, weight)
        if x.ndim == 1:
            loss = loss.reshape(())
        return reduce_array(xp, loss, reduction)

    def backward(ctx, g):
        x, target, z, active, w = ctx.saved_tensors
        xp = ctx.xp
        x2 = xp.reshape(x, (-1, x.shape[-1]))
        t = xp.reshape(target, (-1,))
        n, c = x2.shape
        g = _scale(g, ctx.reduction, n)
        g = xp.reshape(g, (-1, 1)) if getattr(g, "ndim", 0) else g
        # NOTE: first order only (PyTorch has no double backward for this loss either)
        coef = active.astype(x.dtype) * (2 * z if ctx.p == 2 else 1)
        if w is not None:
            coef = coef * w[t][:, None]
        gx = coef * (g / c)
        gx[xp.arange(n), t] = -gx.sum(axis=1)
        return xp.reshape(gx, x.shape), None, None, None, None, None
