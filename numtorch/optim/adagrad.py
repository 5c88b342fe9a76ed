"""Adagrad: per-coordinate learning rates from the running sum of squared gradients."""

from __future__ import annotations

from .._backend import array_module
from .._tensor import wrap
from ._common import check_lr, decayed, options
from .optimizer import Optimizer, _to_scalar, _validate, new_step_state, step_counter

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """``s += g^2``; ``p -= lr / (1 + (t - 1) * lr_decay) * g / (sqrt(s) + eps)``.

    Args:
        params: parameters or parameter groups.
        lr: learning rate.
        lr_decay: learning-rate decay per step.
        weight_decay: L2 penalty added to the gradient.
        initial_accumulator_value: starting value of the sum.
        eps: added to the denominator.
        maximize: ascend the objective.
    """

    # PyTorch's options, in the order its defaults (and so param groups) list them
    _options = (
        "lr lr_decay eps weight_decay initial_accumulator_value foreach maximize "
        "differentiable fused"
    )
    _increments = True  # the step, added to the parameter in place

    def __init__(
        self,
        params,
        lr=1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach=None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused=None,
    ) -> None:
        check_lr(lr)
        _validate(0.0 <= lr_decay, f"Invalid lr_decay value: {lr_decay}")
        _validate(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        _validate(
            0.0 <= initial_accumulator_value,
            f"Invalid initial_accumulator_value value: {initial_accumulator_value}",
        )
        _validate(0.0 <= eps, f"Invalid epsilon value: {eps}")
        super().__init__(params, options(locals(), self._options))
        # NOTE: Adagrad creates its state eagerly, so a state_dict taken before the first step
        # already lists every parameter (as PyTorch's does).
        for group in self.param_groups:
            for p in group["params"]:
                self.state[p] = self._init_state(p, group)

    def _init_state(self, p, group):
        xp = array_module(p._data)
        init = group["initial_accumulator_value"]
        return {"step": new_step_state(p, group), "sum": wrap(xp.full_like(p._data, init))}

    def _update(self, p, g, state, group):
        xp = array_module(p)
        lr = _to_scalar(group["lr"])
        step_arr, step = step_counter(state)
        p, g = decayed(xp, p, g, group, lr)
        clr = lr / (1 + (step - 1) * group["lr_decay"])
        total = xp.multiply(g, g)
        xp.add(state["sum"]._data, total, out=total)
        std = xp.sqrt(total)
        std += group["eps"]
        new_p = xp.multiply(g, -clr)
        new_p /= std
        return new_p, {"step": step_arr, "sum": total}
