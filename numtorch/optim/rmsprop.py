"""RMSprop: divide the gradient by a running root mean square (optionally centred)."""

from __future__ import annotations

from .._backend import array_module
from ._common import check_lr, decayed, options, second_moment, zeros
from .optimizer import Optimizer, _to_scalar, _validate, lerp, new_step_state, step_counter

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """``v = alpha * v + (1 - alpha) * g^2``; ``p -= lr * g / (sqrt(v) + eps)``.

    Args:
        params: parameters or parameter groups.
        lr: learning rate.
        alpha: smoothing constant.
        eps: added to the denominator.
        weight_decay: L2 penalty added to the gradient.
        momentum: momentum factor.
        centered: subtract the squared running mean of the gradient from ``v``.
        maximize: ascend the objective.
    """

    # PyTorch's options, in the order its defaults (and so param groups) list them
    _options = (
        "lr momentum alpha eps centered weight_decay capturable foreach maximize differentiable"
    )
    _increments = True  # the step, added to the parameter in place

    def __init__(
        self,
        params,
        lr=1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach=None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_lr(lr)
        _validate(0.0 <= eps, f"Invalid epsilon value: {eps}")
        _validate(0.0 <= momentum, f"Invalid momentum value: {momentum}")
        _validate(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        _validate(0.0 <= alpha, f"Invalid alpha value: {alpha}")
        super().__init__(params, options(locals(), self._options))

    def _init_state(self, p, group):
        buffers = ("square_avg",) + ("momentum_buffer",) * (group["momentum"] > 0)
        return {
            "step": new_step_state(p, group),
            **zeros(p, *buffers, *("grad_avg",) * group["centered"]),
        }

    def _update(self, p, g, state, group):
        xp = array_module(p)
        lr, alpha, momentum = _to_scalar(group["lr"]), group["alpha"], group["momentum"]
        step_arr, _ = step_counter(state)
        p, g = decayed(xp, p, g, group, lr)
        square_avg = second_moment(xp, state["square_avg"]._data, g, alpha)
        new_state = {"step": step_arr, "square_avg": square_avg}
        if group["centered"]:
            grad_avg = lerp(xp, state["grad_avg"]._data, g, 1 - alpha)
            new_state["grad_avg"] = grad_avg
            avg = xp.multiply(grad_avg, grad_avg)
            xp.subtract(square_avg, avg, out=avg)
            xp.sqrt(avg, out=avg)
        else:
            avg = xp.sqrt(square_avg)
        avg += group["eps"]
        if momentum > 0:
            buf = xp.multiply(state["momentum_buffer"]._data, momentum)
            buf += xp.divide(g, avg, out=avg)
            new_state["momentum_buffer"] = buf
            new_p = xp.multiply(buf, -lr)
        else:
            new_p = xp.multiply(g, -lr)
            new_p /= avg
        return new_p, new_state
