"""Rprop: per-coordinate step sizes that grow while the gradient keeps its sign."""

from __future__ import annotations

from .._backend import array_module
from .._tensor import wrap
from ._common import check_lr, options, zeros
from .optimizer import Optimizer, _to_scalar, _validate, new_step_state, step_counter

__all__ = ["Rprop"]


class Rprop(Optimizer):
    """Resilient backpropagation: each step size is multiplied by ``etas[1]`` when the
    gradient's sign repeats and by ``etas[0]`` when it flips (then that coordinate skips a
    step), clamped to ``step_sizes``; ``p -= sign(g) * step_size``.

    Args:
        params: parameters or parameter groups.
        lr: initial step size.
        etas: (decrease, increase) factors.
        step_sizes: (minimum, maximum) step size.
        maximize: ascend the objective.
    """

    # PyTorch's options, in the order its defaults (and so param groups) list them
    _options = "lr etas step_sizes foreach maximize differentiable capturable"

    def __init__(
        self,
        params,
        lr=1e-2,
        etas=(0.5, 1.2),
        step_sizes=(1e-6, 50),
        *,
        capturable: bool = False,
        foreach=None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_lr(lr)
        _validate(0.0 < etas[0] < 1.0 < etas[1], f"Invalid eta values: {etas[0]}, {etas[1]}")
        super().__init__(params, options(locals(), self._options))

    def _init_state(self, p, group):
        xp = array_module(p._data)
        return {
            "step": new_step_state(p, group),
            **zeros(p, "prev"),
            "step_size": wrap(xp.full_like(p._data, _to_scalar(group["lr"]))),
        }

    def _update(self, p, g, state, group):
        xp = array_module(p)
        etaminus, etaplus = group["etas"]
        lo, hi = group["step_sizes"]
        step_arr, _ = step_counter(state)
        if group["maximize"]:
            g = xp.negative(g)
        sign = xp.sign(xp.multiply(g, state["prev"]._data))
        factor = xp.where(sign > 0, etaplus, xp.where(sign < 0, etaminus, 1)).astype(p.dtype)
        step_size = xp.multiply(state["step_size"]._data, factor)
        xp.clip(step_size, lo, hi, out=step_size)
        grad = xp.where(factor == factor.dtype.type(etaminus), 0, g).astype(p.dtype, copy=False)
        new_p = xp.sign(grad)
        new_p *= step_size
        xp.subtract(p, new_p, out=new_p)
        return new_p, {"step": step_arr, "prev": grad, "step_size": step_size}
