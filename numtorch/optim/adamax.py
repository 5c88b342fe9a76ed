"""Adamax: Adam with the infinity norm in place of the second moment."""

from __future__ import annotations

from .._backend import array_module
from ._common import check_adam_args, decayed, options, zeros
from .optimizer import Optimizer, _to_scalar, lerp, new_step_state, step_counter

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """``u = max(beta2 * u, |g| + eps)``; ``p -= lr / (1 - beta1^t) * m / u``.

    Args:
        params: parameters or parameter groups.
        lr: learning rate.
        betas: decay rates of the first moment and of the infinity norm.
        eps: added to ``|g|``.
        weight_decay: L2 penalty added to the gradient.
        maximize: ascend the objective.
    """

    # PyTorch's options, in the order its defaults (and so param groups) list them
    _options = "lr betas eps weight_decay foreach maximize differentiable capturable"
    _increments = True  # the step, added to the parameter in place

    def __init__(
        self,
        params,
        lr=2e-3,
        betas=(0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        foreach=None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        betas = check_adam_args(lr, betas, eps, weight_decay)
        super().__init__(params, options(locals(), self._options))

    def _init_state(self, p, group):
        return {"step": new_step_state(p, group), **zeros(p, "exp_avg", "exp_inf")}

    def _update(self, p, g, state, group):
        xp = array_module(p)
        lr = _to_scalar(group["lr"])
        beta1, beta2 = group["betas"]
        step_arr, step = step_counter(state)
        p, g = decayed(xp, p, g, group, lr)
        exp_avg = lerp(xp, state["exp_avg"]._data, g, 1 - beta1)
        norm = xp.abs(g)
        norm += group["eps"]
        exp_inf = xp.multiply(state["exp_inf"]._data, beta2)
        xp.maximum(exp_inf, norm, out=exp_inf)
        clr = lr / (1 - beta1**step)
        new_p = xp.multiply(exp_avg, -clr)
        new_p /= exp_inf
        return new_p, {"step": step_arr, "exp_avg": exp_avg, "exp_inf": exp_inf}
