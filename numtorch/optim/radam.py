"""RAdam: Adam with a rectified adaptive learning rate (plain momentum while variance is
untrustworthy)."""

from __future__ import annotations

from .._backend import array_module
from ._common import check_adam_args, decayed, options, second_moment, zeros
from .optimizer import Optimizer, _to_scalar, lerp, new_step_state, step_counter

__all__ = ["RAdam"]


class RAdam(Optimizer):
    """Rectified Adam: the adaptive term is used once the approximated SMA length ``rho_t``
    exceeds 5, scaled by the rectification factor.

    Args:
        params: parameters or parameter groups.
        lr: learning rate.
        betas: decay rates of the moment estimates.
        eps: added to the denominator.
        weight_decay: weight decay (L2, or decoupled as in AdamW).
        decoupled_weight_decay: apply weight decay to the weights directly.
        maximize: ascend the objective.
    """

    # PyTorch's options, in the order its defaults (and so param groups) list them
    _options = (
        "lr betas eps weight_decay maximize foreach capturable decoupled_weight_decay "
        "differentiable"
    )

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        decoupled_weight_decay: bool = False,
        *,
        foreach=None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        betas = check_adam_args(lr, betas, eps, weight_decay)
        super().__init__(params, options(locals(), self._options))

    def _init_state(self, p, group):
        return {"step": new_step_state(p, group), **zeros(p, "exp_avg", "exp_avg_sq")}

    def _update(self, p, g, state, group):
        xp = array_module(p)
        lr = _to_scalar(group["lr"])
        beta1, beta2 = group["betas"]
        step_arr, step = step_counter(state)
        p, g = decayed(xp, p, g, group, lr, group["decoupled_weight_decay"])
        exp_avg = lerp(xp, state["exp_avg"]._data, g, 1 - beta1)
        exp_avg_sq = second_moment(xp, state["exp_avg_sq"]._data, g, beta2)
        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step
        update = xp.divide(exp_avg, bias_correction1)
        update *= lr
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
        if rho_t > 5.0:
            rect = (
                (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
            ) ** 0.5
            adaptive = xp.sqrt(exp_avg_sq)
            adaptive += group["eps"]
            xp.divide(bias_correction2**0.5, adaptive, out=adaptive)
            update *= adaptive
            update *= rect
        new_p = xp.subtract(p, update, out=update)
        return new_p, {"step": step_arr, "exp_avg": exp_avg, "exp_avg_sq": exp_avg_sq}
