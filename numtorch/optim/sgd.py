"""Stochastic gradient descent, with momentum, dampening, Nesterov momentum and weight decay."""

from __future__ import annotations

from .._backend import array_module
from ._common import options
from .optimizer import Optimizer, _to_scalar, _validate

__all__ = ["SGD"]


class SGD(Optimizer):
    """``p -= lr * d`` where ``d`` is the gradient (plus ``weight_decay * p``), optionally
    smoothed by a momentum buffer ``b = momentum * b + (1 - dampening) * d``.

    Args:
        params: parameters or parameter groups.
        lr: learning rate.
        momentum: momentum factor (0 disables the buffer).
        dampening: dampening of the momentum.
        weight_decay: L2 penalty added to the gradient.
        nesterov: use Nesterov momentum (needs momentum > 0 and dampening 0).
        maximize: ascend the objective instead of descending it.

    Examples:
        >>> opt = numtorch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    """

    # PyTorch's options, in the order its defaults (and so param groups) list them
    _options = "lr momentum dampening weight_decay nesterov maximize foreach differentiable fused"
    _increments = True  # ``-lr * d``, added to the parameter in place

    def __init__(
        self,
        params,
        lr=1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay=0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach=None,
        differentiable: bool = False,
        fused=None,
    ) -> None:
        _validate(_to_scalar(lr) >= 0.0, f"Invalid learning rate: {lr}")
        _validate(momentum >= 0.0, f"Invalid momentum value: {momentum}")
        _validate(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, options(locals(), self._options))

    def _update(self, p, g, state, group):
        xp = array_module(p)
        lr, wd, momentum = _to_scalar(group["lr"]), group["weight_decay"], group["momentum"]
        if group["maximize"]:
            g = xp.negative(g)
        if wd != 0:
            g = xp.add(g, xp.multiply(p, wd))
        new_state = {}
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = g.copy()
            else:
                buf = xp.multiply(buf._data, momentum)
                buf += g if group["dampening"] == 0 else xp.multiply(g, 1 - group["dampening"])
            new_state["momentum_buffer"] = buf
            g = xp.add(g, xp.multiply(buf, momentum)) if group["nesterov"] else buf
        return xp.multiply(g, -lr), new_state
