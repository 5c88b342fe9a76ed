"""What the algorithms share: argument checks, their defaults, first state and, for the Adam
family, gradient preparation."""

from __future__ import annotations

from .._backend import array_module
from .._tensor import Tensor, wrap
from .optimizer import _to_scalar, _validate


def check_lr(lr) -> None:
    """PyTorch's check of a learning rate: a number, or a 1-element tensor, not negative."""
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    _validate(0.0 <= _to_scalar(lr), f"Invalid learning rate: {lr}")


def options(args: dict, names: str) -> dict:
    """An algorithm's ``defaults``: the values in ``args`` (its ``__init__``'s ``locals()``) of
    the space-separated ``names``, in that order."""
    return {name: args[name] for name in names.split()}


def zeros(p: Tensor, *names: str) -> dict:
    """State buffers of zeros shaped like ``p``, one per name (a parameter's first state)."""
    xp = array_module(p._data)
    return {name: wrap(xp.zeros_like(p._data)) for name in names}


def check_adam_args(lr, betas, eps, weight_decay) -> tuple:
    """PyTorch's argument checks of the Adam family; returns the betas as floats."""
    check_lr(lr)
    _validate(0.0 <= eps, f"Invalid epsilon value: {eps}")
    _validate(0.0 <= betas[0] < 1.0, f"Invalid beta parameter at index 0: {betas[0]}")
    _validate(0.0 <= betas[1] < 1.0, f"Invalid beta parameter at index 1: {betas[1]}")
    _validate(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
    return tuple(_to_scalar(b) for b in betas)


def decayed(xp, p, g, group, lr, decoupled: bool = False):
    """The (parameter, gradient) pair after ``maximize`` and weight decay: L2 decay adds
    ``weight_decay * p`` to the gradient, decoupled decay scales ``p`` by
    ``1 - lr * weight_decay``. Returns new arrays where anything changed."""
    if group["maximize"]:
        g = xp.negative(g)
    wd = group["weight_decay"]
    if wd != 0:
        if decoupled:
            p = xp.multiply(p, 1 - lr * wd)
        else:
            g = xp.add(g, xp.multiply(p, wd))
    return p, g


def second_moment(xp, v, g, beta2: float):
    """``v * beta2 + (1 - beta2) * g * g`` as a new array."""
    sq = xp.multiply(g, 1 - beta2)
    sq *= g
    out = xp.multiply(v, beta2)
    out += sq
    return out
