"""Plain SGD's update written in place for the replay: ``p -= lr * g`` through one buffer per
parameter, two passes over memory where the optimizer's own step takes three (a new array, the
sum, the copy into the parameter) and allocates.

The values are the optimizer's, bit for bit: ``SGD._update`` computes ``p + g * (-lr)``, and
``g * (-lr)`` is ``-(g * lr)`` exactly (a Python number is rounded to the array's dtype
before the product, and rounding is symmetric), so ``p - g * lr`` gives the same numbers.
All or nothing still holds: every condition is checked and every buffer made before the first
parameter is written, and what follows cannot raise.
"""

from __future__ import annotations

from .._backend import array_module


def sgd_in_place(opt):
    """A function that runs a step of ``opt`` (an ``SGD``) in place and returns True, or
    returns False, having changed nothing, where the step needs the optimizer's own path:
    momentum, weight decay, ``maximize``, an ``lr`` that is not a Python number, a gradient
    whose shape or dtype is not its parameter's."""
    buffers = {}

    def run() -> bool:
        todo = []
        for group in opt.param_groups:
            lr = group["lr"]
            if group["momentum"] or group["weight_decay"] or group["maximize"]:
                return False
            if type(lr) is not float and type(lr) is not int:
                return False
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                a, b = p._data, g._data
                if b.shape != a.shape or b.dtype != a.dtype or b.__class__ is not a.__class__:
                    return False
                buf = buffers.get(id(p))
                if buf is None or buf.shape != a.shape or buf.dtype != a.dtype:
                    buf = buffers[id(p)] = array_module(a).empty_like(a)
                todo.append((p, a, b, buf, lr))
        for p, a, b, buf, lr in todo:
            xp = array_module(a)
            xp.multiply(b, lr, out=buf)
            xp.subtract(a, buf, out=a)
            p._vc[0] += 1
        return True

    return run
