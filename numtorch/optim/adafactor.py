"""Adafactor: Adam-like steps with the second moment of a matrix kept as a row and a column
factor (memory ``m + n`` instead of ``m * n``), relative step sizes and update clipping."""

from __future__ import annotations

import math

from .._backend import array_module
from .._tensor import Tensor, wrap
from ._common import options
from .optimizer import Optimizer, _to_scalar, lerp, new_step_state, step_counter

__all__ = ["Adafactor"]


class Adafactor(Optimizer):
    """Per step ``t``: ``beta2 = 1 - t**beta2_decay``; the second moment ``v`` of the gradient
    (for matrices: ``row @ col / mean(row)``, each a running mean of ``g**2`` over the other
    axis); ``u = g / sqrt(max(v, eps1**2))``, scaled down so its RMS is at most ``d``; and
    ``p -= max(eps2, RMS(p)) * min(lr, 1/sqrt(t)) * u``.

    Args:
        params: parameters or parameter groups.
        lr: the largest relative step size.
        beta2_decay: how fast the second-moment decay approaches 1 (<= 0).
        eps: ``(eps1, eps2)``: the floor of the second moment (None: the dtype's machine
            epsilon) and of the parameters' RMS.
        d: the clipping threshold of the update's RMS.
        weight_decay: decoupled weight decay, scaled by ``lr``.
        maximize: ascend the objective.
    """

    # PyTorch's options, in the order its defaults (and so param groups) list them
    _options = "lr beta2_decay eps d weight_decay foreach maximize"

    def __init__(
        self,
        params,
        lr: float | Tensor = 1e-2,
        beta2_decay: float = -0.8,
        eps=(None, 1e-3),
        d: float = 1.0,
        weight_decay: float = 0.0,
        *,
        foreach=None,
        maximize: bool = False,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 >= beta2_decay:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        super().__init__(params, options(locals(), self._options))

    def _init_state(self, p, group):
        if p.is_complex():
            raise RuntimeError("Adafactor does not support complex parameters")
        xp = array_module(p._data)
        state = {"step": new_step_state(p, group)}
        shape = p._data.shape
        if len(shape) > 1:  # the factors: a mean over the last axis, and over the one before
            state["row_var"] = wrap(xp.zeros(shape[:-1] + (1,), p._data.dtype))
            state["col_var"] = wrap(xp.zeros(shape[:-2] + (1,) + shape[-1:], p._data.dtype))
        else:
            state["variance"] = wrap(xp.zeros_like(p._data))
        return state

    def _update(self, p, g, state, group):
        xp = array_module(p)
        lr = _to_scalar(group["lr"])
        eps1, eps2 = group["eps"]
        if eps1 is None:
            eps1 = float(xp.finfo(p.dtype).eps)
        if group["maximize"]:
            g = -g
        step_arr, step = step_counter(state)
        new = {"step": step_arr}
        weight = step ** group["beta2_decay"]  # 1 - beta2 at this step
        rho = min(lr, 1 / step**0.5)
        alpha = max(eps2, _rms(xp, p)) * rho
        if group["weight_decay"] != 0:
            p = p * (1 - lr * group["weight_decay"])
        if g.ndim > 1:
            row = lerp(xp, state["row_var"]._data, (g * g).mean(axis=-1, keepdims=True), weight)
            col = lerp(xp, state["col_var"]._data, (g * g).mean(axis=-2, keepdims=True), weight)
            new["row_var"], new["col_var"] = row, col
            estimate = row @ col
            estimate /= xp.maximum(row.mean(axis=-2, keepdims=True), eps1)
        else:
            estimate = new["variance"] = lerp(xp, state["variance"]._data, g * g, weight)
        update = g / xp.sqrt(xp.maximum(estimate, eps1 * eps1))
        denom = max(1.0, _rms(xp, update) / group["d"])
        return p - (alpha / denom) * update, new


def _rms(xp, a) -> float:
    """The root mean square of ``a``'s entries, as a float."""
    return float(xp.sqrt(xp.vdot(a, a))) / math.sqrt(a.size) if a.size else 0.0
