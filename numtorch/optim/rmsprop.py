"""RMSprop: divide the gradient by a running root mean square (optionally centred)."""

from __future__ import annotations

from .._backend import array_module
from .._tensor import Tensor, wrap
from ._common import decayed, second_moment
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
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        _validate(0.0 <= _to_scalar(lr), f"Invalid learning rate: {lr}")
        _validate(0.0 <= eps, f"Invalid epsilon value: {eps}")
        _validate(0.0 <= momentum, f"Invalid momentum value: {momentum}")
        _validate(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        _validate(0.0 <= alpha, f"Invalid alpha value: {alpha}")
        defaults = dict(
            lr=lr,
            momentum=momentum,
            alpha=alpha,
            eps=eps,
            centered=centered,
            weight_decay=weight_decay,
            capturable=capturable,
            foreach=foreach,
            maximize=maximize,
            differentiable=differentiable,
        )
        super().__init__(params, defaults)

    def _init_state(self, p, group):
        xp = array_module(p._data)
        state = {"step": new_step_state(p), "square_avg": wrap(xp.zeros_like(p._data))}
        if group["momentum"] > 0:
            state["momentum_buffer"] = wrap(xp.zeros_like(p._data))
        if group["centered"]:
            state["grad_avg"] = wrap(xp.zeros_like(p._data))
        return state

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
        new_p += p
        return new_p, new_state
