"""Adam and AdamW: moment estimates of the gradient with bias correction."""

from __future__ import annotations

from .._backend import array_module
from ._common import check_adam_args, decayed, options, second_moment, zeros
from .optimizer import Optimizer, _to_scalar, lerp, new_step_state, step_counter

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    """Adam: ``p -= lr * m_hat / (sqrt(v_hat) + eps)`` with ``m``, ``v`` the running means of
    the gradient and its square.

    Args:
        params: parameters or parameter groups.
        lr: learning rate.
        betas: decay rates of the first and second moment estimates.
        eps: added to the denominator.
        weight_decay: L2 penalty (added to the gradient, or applied to the weights when
            ``decoupled_weight_decay``).
        amsgrad: use the running maximum of ``v`` (AMSGrad).
        maximize: ascend the objective.
        decoupled_weight_decay: AdamW's decay ``p *= 1 - lr * weight_decay``.

    Examples:
        >>> opt = numtorch.optim.Adam(model.parameters(), lr=1e-3)
    """

    # PyTorch's options, in the order its defaults (and so param groups) list them
    _options = (
        "lr betas eps weight_decay amsgrad maximize foreach capturable differentiable "
        "fused decoupled_weight_decay"
    )

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        foreach=None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused=None,
        decoupled_weight_decay: bool = False,
    ) -> None:
        betas = check_adam_args(lr, betas, eps, weight_decay)
        super().__init__(params, options(locals(), self._options))

    def _init_state(self, p, group):
        buffers = ("exp_avg", "exp_avg_sq") + ("max_exp_avg_sq",) * group["amsgrad"]
        return {"step": new_step_state(p, group), **zeros(p, *buffers)}

    def _update(self, p, g, state, group):
        xp = array_module(p)
        lr, eps = _to_scalar(group["lr"]), group["eps"]
        beta1, beta2 = group["betas"]
        step_arr, step = step_counter(state)
        p, g = decayed(xp, p, g, group, lr, group["decoupled_weight_decay"])
        exp_avg = lerp(xp, state["exp_avg"]._data, g, 1 - beta1)
        exp_avg_sq = second_moment(xp, state["exp_avg_sq"]._data, g, beta2)
        new_state = {"step": step_arr, "exp_avg": exp_avg, "exp_avg_sq": exp_avg_sq}
        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step
        step_size = lr / bias_correction1
        if group["amsgrad"]:
            second = xp.maximum(state["max_exp_avg_sq"]._data, exp_avg_sq)
            new_state["max_exp_avg_sq"] = second
        else:
            second = exp_avg_sq
        denom = xp.sqrt(second)
        denom /= bias_correction2**0.5
        denom += eps
        new_p = xp.multiply(exp_avg, -step_size)
        new_p /= denom
        new_p += p
        return new_p, new_state


class AdamW(Adam):
    """Adam with decoupled weight decay (``p *= 1 - lr * weight_decay`` before the update).

    Takes Adam's arguments; ``weight_decay`` defaults to 0.01.
    """

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach=None,
        capturable: bool = False,
        differentiable: bool = False,
        fused=None,
    ) -> None:
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            foreach=foreach,
            maximize=maximize,
            capturable=capturable,
            differentiable=differentiable,
            fused=fused,
            decoupled_weight_decay=True,
        )

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
