"""SGD's update written in place for the replay: ``p -= lr * d`` (``d`` the gradient, or the
momentum buffer moved in place) through one buffer per parameter: two passes over memory for
the update where the optimizer's own step takes three (a new array, the sum, the copy into the
parameter), and no allocation.

The values are the optimizer's, bit for bit: ``SGD._update`` computes ``p + d * (-lr)``, and
``d * (-lr)`` is ``-(d * lr)`` exactly (a Python number is rounded to the array's dtype
before the product, and rounding is symmetric), so ``p - d * lr`` gives the same numbers; the
momentum buffer takes the same operations in the same order, in its own array.
All or nothing still holds: every condition is checked and every buffer made before the first
array is written, and what follows cannot raise.
"""

from __future__ import annotations

from .._backend import array_module


def sgd_in_place(opt):
    """A function that runs a step of ``opt`` (an ``SGD``) in place and returns True, or
    returns False, having changed nothing, where the step needs the optimizer's own path:
    weight decay, ``maximize``, an ``lr`` that is not a Python number, a parameter without its
    momentum buffer yet (the first step), a gradient or buffer whose shape or dtype is not its
    parameter's."""
    buffers = {}

    def run() -> bool:
        todo = []
        for group in opt.param_groups:
            lr = group["lr"]
            if group["weight_decay"] or group["maximize"]:
                return False
            if type(lr) is not float and type(lr) is not int:
                return False
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                a, m = p._data, None
                if not _fits(g, a):
                    return False
                if group["momentum"]:
                    m = opt.state.get(p, {}).get("momentum_buffer")
                    if m is None or not _fits(m, a):
                        return False
                tmp = buffers.get(id(p))
                if tmp is None or tmp.shape != a.shape or tmp.dtype != a.dtype:
                    tmp = buffers[id(p)] = array_module(a).empty_like(a)
                todo.append((p, g._data, m, tmp, group))
        for p, g, m, tmp, group in todo:
            _update(p, g, m, tmp, group)
        return True

    return run


def _fits(t, a) -> bool:
    b = t._data
    return b.shape == a.shape and b.dtype == a.dtype and b.__class__ is a.__class__


def _update(p, g, m, tmp, group) -> None:
    """One parameter's step, as ``SGD._update`` computes it, written in place."""
    a = p._data
    xp = array_module(a)
    d = g
    if m is not None:
        momentum, dampening = group["momentum"], group["dampening"]
        buf = m._data
        xp.multiply(buf, momentum, out=buf)
        if dampening == 0:
            buf += g
        else:
            buf += xp.multiply(g, 1 - dampening, out=tmp)
        m._vc[0] += 1
        d = buf
        if group["nesterov"]:
            d = xp.multiply(buf, momentum, out=tmp)
            d += g  # NOTE: g + b * momentum in SGD._update: addition commutes exactly
    xp.multiply(d, group["lr"], out=tmp)
    xp.subtract(a, tmp, out=a)
    p._vc[0] += 1
