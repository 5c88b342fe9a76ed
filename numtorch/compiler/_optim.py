"""SGD's, Adam's and AdamW's updates written in place for the replay: the parameter, the
momentum buffer and the moment estimates move in their own arrays through one or two scratch
buffers per parameter, kept across calls, where the optimizer's own step makes a new array for
each intermediate and copies the result into the parameter.

The values are the optimizer's, bit for bit: each in-place operation is one of its operations
on the same operands, at most with the operands of an addition or product swapped (exact in
floating point). ``p + d * (-lr)`` becomes ``p - d * lr``: a Python number is rounded to the
array's dtype before the product, and rounding is symmetric. ``-g + p * wd`` becomes
``p * wd - g``. All or nothing still holds: every condition is checked and every buffer made
before the first array is written, and what follows cannot raise.
"""

from __future__ import annotations

from .._backend import array_module
from .._tensor import Tensor


def in_place_step(opt):
    """A function that runs a step of ``opt`` in place and returns True, or returns False,
    having changed nothing, where the step needs the optimizer's own path: an ``lr`` that is
    not a Python number, a parameter without its state yet (the first step, which makes it),
    a gradient or state array whose shape or dtype is not its parameter's. None where ``opt``
    has no in-place form."""
    from ..optim import SGD, Adam, AdamW

    algorithms = {SGD: (_sgd_plan, _sgd), Adam: (_adam_plan, _adam), AdamW: (_adam_plan, _adam)}
    algorithm = algorithms.get(type(opt))
    if algorithm is None:
        return None
    plan, update = algorithm
    scratch = {}

    def run() -> bool:
        todo = []
        for group in opt.param_groups:
            lr = group["lr"]
            planned = plan(group) if type(lr) is float or type(lr) is int else None
            if planned is None:
                return False
            names, n = planned
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                a, b = p._data, g._data
                state = _state(opt, p, names) if names else ()
                if state is None or not _fits_array(b, a):
                    return False
                bufs = scratch.get(id(p))
                if bufs is None or len(bufs) < n or not _fits_array(bufs[0], a):
                    bufs = scratch[id(p)] = tuple(array_module(a).empty_like(a) for _ in range(n))
                todo.append((p, b, state, bufs, group))
        for item in todo:
            update(*item)
        return True

    return run


def _fits_array(b, a) -> bool:
    return b.shape == a.shape and b.dtype == a.dtype and b.__class__ is a.__class__


def _state(opt, p, names):
    """The state tensors ``names`` of ``p`` (the step counter: a 0-d array), or None where one
    is missing or does not fit."""
    state = opt.state.get(p)
    if not state:
        return None
    out = []
    for name in names:
        t = state.get(name)
        if not isinstance(t, Tensor):
            return None
        if name == "step" and t._data.ndim == 0 and t._data.dtype.kind == "f":
            out.append(t)
        elif name != "step" and _fits_array(t._data, p._data):
            out.append(t)
        else:
            return None
    return tuple(out)


def _decayed(xp, a, g, group, out):
    """The gradient after ``maximize`` and L2 weight decay, in ``out`` where either applies."""
    wd = group["weight_decay"]
    if wd != 0:
        xp.multiply(a, wd, out=out)
        return xp.subtract(out, g, out=out) if group["maximize"] else xp.add(out, g, out=out)
    return xp.negative(g, out=out) if group["maximize"] else g


# --- SGD --------------------------------------------------------------------------------------
def _sgd_plan(group):
    """(state names, scratch buffers) of a group's in-place step."""
    if not group["momentum"]:
        return (), 1
    return ("momentum_buffer",), 2 if group["dampening"] or group["nesterov"] else 1


def _sgd(p, g, state, bufs, group) -> None:
    """One parameter's step, as ``SGD._update`` computes it, written in place."""
    a = p._data
    xp = array_module(a)
    d = _decayed(xp, a, g, group, bufs[0]) if group["weight_decay"] or group["maximize"] else g
    if state:
        (m,) = state
        momentum, dampening, buf = group["momentum"], group["dampening"], m._data
        xp.multiply(buf, momentum, out=buf)
        buf += d if dampening == 0 else xp.multiply(d, 1 - dampening, out=bufs[1])
        m._vc[0] += 1
        if group["nesterov"]:
            nesterov = xp.multiply(buf, momentum, out=bufs[1])
            nesterov += d  # NOTE: d + b * momentum in SGD._update: addition commutes exactly
            d = nesterov
        else:
            d = buf
    if d is g or (state and d is state[0]._data):
        d = xp.multiply(d, group["lr"], out=bufs[0])
    else:  # a scratch buffer that nothing reads after this
        d *= group["lr"]
    xp.subtract(a, d, out=a)
    p._vc[0] += 1


# --- Adam and AdamW ---------------------------------------------------------------------------
def _adam_plan(group):
    """(state names, scratch buffers) of a group's in-place step; None where a
    hyperparameter is not a Python number (a tensor ``beta``)."""
    if not all(type(x) is float or type(x) is int for x in (*group["betas"], group["eps"])):
        return None
    return ("step", "exp_avg", "exp_avg_sq") + ("max_exp_avg_sq",) * bool(group["amsgrad"]), 2


def _adam(p, g, state, bufs, group) -> None:
    """One parameter's step, as ``Adam._update`` computes it, written in place: ``t0`` holds
    the decayed gradient, then the update; ``t1`` each temporary, then the denominator."""
    a = p._data
    xp = array_module(a)
    t0, t1 = bufs
    lr, eps, (beta1, beta2) = group["lr"], group["eps"], group["betas"]
    counter, m_t, v_t = state[:3]
    counter._data += 1
    step = float(counter._data)
    if group["decoupled_weight_decay"]:
        d = xp.negative(g, out=t0) if group["maximize"] else g
        if group["weight_decay"] != 0:
            xp.multiply(a, 1 - lr * group["weight_decay"], out=a)
    else:
        d = _decayed(xp, a, g, group, t0)
    m, v = m_t._data, v_t._data
    w = 1 - beta1  # lerp(m, d, w) from the nearer end, as optimizer.lerp computes it
    xp.subtract(d, m, out=t1)
    if w < 0.5:
        t1 *= w
        m += t1
    else:
        t1 *= w - 1
        xp.add(d, t1, out=m)
    xp.multiply(d, 1 - beta2, out=t1)  # second_moment: v * beta2 + (1 - beta2) * d * d
    t1 *= d
    v *= beta2
    v += t1
    second = v if len(state) == 3 else xp.maximum(state[3]._data, v, out=state[3]._data)
    xp.sqrt(second, out=t1)
    t1 /= (1 - beta2**step) ** 0.5
    t1 += eps
    xp.multiply(m, -(lr / (1 - beta1**step)), out=t0)
    t0 /= t1
    a += t0
    p._vc[0] += 1
    for t in state:
        t._vc[0] += 1
