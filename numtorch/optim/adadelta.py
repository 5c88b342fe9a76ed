"""Adadelta: step sizes from running averages of squared gradients and squared updates."""

from __future__ import annotations

from .._backend import array_module
from ._common import check_lr, decayed, options, second_moment, zeros
from .optimizer import Optimizer, _to_scalar, _validate, new_step_state, step_counter

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """``delta = sqrt(u + eps) / sqrt(v + eps) * g``; ``p -= lr * delta``, with ``v`` and ``u``
    running averages of ``g^2`` and ``delta^2``.

    Args:
        params: parameters or parameter groups.
        lr: scale of the update.
        rho: smoothing constant of the running averages.
        eps: added inside the square roots.
        weight_decay: L2 penalty added to the gradient.
        maximize: ascend the objective.
    """

    # PyTorch's options, in the order its defaults (and so param groups) list them
    _options = "lr rho eps weight_decay maximize capturable foreach differentiable"
    _increments = True  # the step, added to the parameter in place

    def __init__(
        self,
        params,
        lr=1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        foreach=None,
        *,
        capturable: bool = False,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_lr(lr)
        _validate(0.0 <= rho <= 1.0, f"Invalid rho value: {rho}")
        _validate(0.0 <= eps, f"Invalid epsilon value: {eps}")
        _validate(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        super().__init__(params, options(locals(), self._options))

    def _init_state(self, p, group):
        return {"step": new_step_state(p, group), **zeros(p, "square_avg", "acc_delta")}

    def _update(self, p, g, state, group):
        xp = array_module(p)
        lr, rho, eps = _to_scalar(group["lr"]), group["rho"], group["eps"]
        step_arr, _ = step_counter(state)
        p, g = decayed(xp, p, g, group, lr)
        square_avg = second_moment(xp, state["square_avg"]._data, g, rho)
        std = xp.add(square_avg, eps)
        xp.sqrt(std, out=std)
        delta = xp.add(state["acc_delta"]._data, eps)
        xp.sqrt(delta, out=delta)
        delta /= std
        delta *= g
        acc_delta = second_moment(xp, state["acc_delta"]._data, delta, rho)
        delta *= -lr
        return delta, {"step": step_arr, "square_avg": square_avg, "acc_delta": acc_delta}
