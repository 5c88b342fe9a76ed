"""NAdam: Adam with Nesterov momentum and a momentum-decay schedule."""

from __future__ import annotations

from .._backend import array_module
from ._common import check_adam_args, decayed, options, second_moment, zeros
from .optimizer import Optimizer, _to_scalar, _validate, lerp, new_step_state, step_counter

__all__ = ["NAdam"]


class NAdam(Optimizer):
    """Adam whose first moment looks one step ahead, with
    ``mu_t = beta1 * (1 - 0.5 * 0.96^(t * momentum_decay))``.

    Args:
        params: parameters or parameter groups.
        lr: learning rate.
        betas: decay rates of the moment estimates.
        eps: added to the denominator.
        weight_decay: weight decay (L2, or decoupled as in AdamW).
        momentum_decay: the schedule's decay.
        decoupled_weight_decay: apply weight decay to the weights directly.
        maximize: ascend the objective.
    """

    # PyTorch's options, in the order its defaults (and so param groups) list them
    _options = (
        "lr betas eps weight_decay momentum_decay decoupled_weight_decay maximize "
        "foreach capturable differentiable"
    )

    def __init__(
        self,
        params,
        lr=2e-3,
        betas=(0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        foreach=None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        betas = check_adam_args(lr, betas, eps, weight_decay)
        _validate(0.0 <= momentum_decay, f"Invalid momentum_decay value: {momentum_decay}")
        super().__init__(params, options(locals(), self._options))

    def _init_state(self, p, group):
        return {
            "step": new_step_state(p, group),
            "mu_product": new_step_state(p, group, 1.0),
            **zeros(p, "exp_avg", "exp_avg_sq"),
        }

    def _update(self, p, g, state, group):
        xp = array_module(p)
        lr, decay = _to_scalar(group["lr"]), group["momentum_decay"]
        beta1, beta2 = group["betas"]
        step_arr, step = step_counter(state)
        bias_correction2 = 1 - beta2**step
        p, g = decayed(xp, p, g, group, lr, group["decoupled_weight_decay"])
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * decay)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * decay)))
        # NOTE: mu_product lives in the scalar dtype (float32 by default), as in PyTorch, so it
        # is rounded there after every multiplication.
        mu_product = state["mu_product"]._data.copy()
        mu_product *= mu
        mu_prod = float(mu_product)
        exp_avg = lerp(xp, state["exp_avg"]._data, g, 1 - beta1)
        exp_avg_sq = second_moment(xp, state["exp_avg_sq"]._data, g, beta2)
        denom = xp.divide(exp_avg_sq, bias_correction2)
        xp.sqrt(denom, out=denom)
        denom += group["eps"]
        new_p = xp.multiply(g, -lr * (1.0 - mu) / (1.0 - mu_prod))
        new_p /= denom
        new_p += p
        part = xp.multiply(exp_avg, (-lr * mu_next) / (1.0 - mu_prod * mu_next))
        part /= denom
        new_p += part
        return new_p, {
            "step": step_arr,
            "mu_product": mu_product,
            "exp_avg": exp_avg,
            "exp_avg_sq": exp_avg_sq,
        }
