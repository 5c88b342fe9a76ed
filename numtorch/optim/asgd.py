"""ASGD: stochastic gradient descent with iterate averaging."""

from __future__ import annotations

from .._backend import array_module
from ._common import check_lr, decayed, options, zeros
from .optimizer import Optimizer, _to_scalar, _validate, new_step_state, step_counter

__all__ = ["ASGD"]


class ASGD(Optimizer):
    """Averaged SGD: ``p = p * (1 - lambd * eta) - eta * g``, with the average of the iterates
    kept in the ``ax`` state from step ``t0`` on, and ``eta = lr / (1 + lambd * lr * t)^alpha``.

    Args:
        params: parameters or parameter groups.
        lr: learning rate.
        lambd: decay term.
        alpha: power of the ``eta`` schedule.
        t0: the step at which averaging starts.
        weight_decay: L2 penalty added to the gradient.
        maximize: ascend the objective.
    """

    # PyTorch's options, in the order its defaults (and so param groups) list them
    _options = "lr lambd alpha t0 weight_decay foreach maximize differentiable capturable"

    def __init__(
        self,
        params,
        lr=1e-2,
        lambd: float = 1e-4,
        alpha: float = 0.75,
        t0: float = 1e6,
        weight_decay: float = 0,
        foreach=None,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        check_lr(lr)
        _validate(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        super().__init__(params, options(locals(), self._options))

    def _init_state(self, p, group):
        return {
            "step": new_step_state(p, None),
            "eta": new_step_state(p, None, _to_scalar(group["lr"])),
            "mu": new_step_state(p, None, 1.0),
            **zeros(p, "ax"),
        }

    def _update(self, p, g, state, group):
        xp = array_module(p)
        lr, lambd = _to_scalar(group["lr"]), group["lambd"]
        step_arr, step = step_counter(state)
        p, g = decayed(xp, p, g, group, lr)
        # NOTE: eta and mu are 0-d tensors of the scalar dtype (float32 by default): their
        # values are rounded there, as PyTorch stores them.
        eta, mu = float(state["eta"]._data), float(state["mu"]._data)
        new_p = xp.multiply(p, 1 - lambd * eta)
        new_p -= xp.multiply(g, eta)
        if mu != 1:
            ax = xp.subtract(new_p, state["ax"]._data)
            ax *= mu
            ax += state["ax"]._data
        else:
            ax = new_p.copy()
        dt = state["eta"]._data.dtype
        new_eta = xp.asarray(lr / ((1 + lambd * lr * step) ** group["alpha"]), dtype=dt)
        new_mu = xp.asarray(1 / max(1, step - group["t0"]), dtype=dt)
        return new_p, {"step": step_arr, "eta": new_eta, "mu": new_mu, "ax": ax}
