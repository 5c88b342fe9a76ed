"""Higher-level derivatives built on ``grad``: vjp, jvp, jacobian, hessian, vhp, hvp.

Each takes a function of tensors and the point to differentiate at, as
``torch.autograd.functional`` does; ``create_graph=True`` keeps the results differentiable.
"""

from __future__ import annotations

from .._tensor import Tensor
from . import engine
from .grad_mode import enable_grad


def _tuple(x):
    return (x,) if isinstance(x, Tensor) else tuple(x)


def _prepare(inputs, create_graph):
    """Fresh leaves for the inputs, so the caller's tensors gain no graph."""
    out = []
    for t in _tuple(inputs):
        leaf = t.detach() if not create_graph else t
        if not leaf.requires_grad:
            leaf = leaf.detach().requires_grad_(True)
        out.append(leaf)
    return tuple(out)


def _zeros_for(grads, inputs):
    from ..ops.creation import zeros_like

    return tuple(zeros_like(i) if g is None else g for g, i in zip(grads, inputs))


def _unwrap(result, was_tensor):
    return result[0] if was_tensor else result


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), v^T J)``."""
    single = isinstance(inputs, Tensor)
    with enable_grad():
        ins = _prepare(inputs, create_graph)
        outputs = func(*ins)
        outs = _tuple(outputs)
        grads = engine.grad(
            outs,
            ins,
            grad_outputs=_tuple(v) if v is not None else None,
            create_graph=create_graph,
            allow_unused=True,
        )
    grads = _zeros_for(grads, ins)
    if not create_graph:
        outputs = (
            outputs.detach() if isinstance(outputs, Tensor) else tuple(o.detach() for o in outputs)
        )
        grads = tuple(g.detach() for g in grads)
    return outputs, _unwrap(grads, single)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), J v)``, by the double-vjp trick (a vjp of a vjp)."""
    from ..ops.creation import zeros_like

    with enable_grad():
        ins = _prepare(inputs, True)
        outputs = func(*ins)
        outs = _tuple(outputs)
        dummies = tuple(zeros_like(o).requires_grad_(True) for o in outs)
        g = engine.grad(outs, ins, grad_outputs=dummies, create_graph=True, allow_unused=True)
        pairs = [
            (gi, vi)
            for gi, vi in zip(g, _tuple(v) if v is not None else (None,) * len(ins))
            if gi is not None
        ]
        res = engine.grad(
            [p[0] for p in pairs],
            dummies,
            grad_outputs=[p[1] for p in pairs] if v is not None else None,
            create_graph=create_graph,
            allow_unused=True,
        )
    res = _zeros_for(res, outs)
    if not create_graph:
        outputs = (
            outputs.detach() if isinstance(outputs, Tensor) else tuple(o.detach() for o in outputs)
        )
        res = tuple(r.detach() for r in res)
    return outputs, res[0] if isinstance(outputs, Tensor) else res


def jacobian(
    func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"
):
    """The Jacobian of ``func`` at ``inputs``: shape ``output.shape + input.shape`` (nested
    tuples for several inputs or outputs)."""
    from ..ops import stack
    from ..ops.creation import zeros_like

    single_in = isinstance(inputs, Tensor)
    with enable_grad():
        ins = _prepare(inputs, create_graph)
        outputs = func(*ins)
        single_out = isinstance(outputs, Tensor)
        outs = _tuple(outputs)
        per_out = []
        for o in outs:
            rows = [[] for _ in ins]
            flat = o.reshape(-1)
            for j in range(flat.numel()):
                grads = engine.grad(
                    flat[j], ins, retain_graph=True, create_graph=create_graph, allow_unused=True
                )
                for k, (g, i) in enumerate(zip(grads, ins)):
                    rows[k].append(zeros_like(i) if g is None else g)
            blocks = []
            for k, i in enumerate(ins):
                if rows[k]:
                    block = stack(rows[k]).reshape(tuple(o.shape) + tuple(i.shape))
                else:
                    block = (
                        zeros_like(i)
                        .reshape((0,) + tuple(i.shape))
                        .reshape(tuple(o.shape) + tuple(i.shape))
                    )
                blocks.append(block if create_graph else block.detach())
            per_out.append(blocks[0] if single_in else tuple(blocks))
    return per_out[0] if single_out else tuple(per_out)


def hessian(
    func,
    inputs,
    create_graph=False,
    strict=False,
    vectorize=False,
    outer_jacobian_strategy="reverse-mode",
):
    """The Hessian of a scalar function at ``inputs``."""
    single = isinstance(inputs, Tensor)

    def gradient(*ins):
        out = func(*ins)
        grads = engine.grad(out, ins, create_graph=True, allow_unused=True)
        grads = _zeros_for(grads, ins)
        return grads[0] if single else grads

    return jacobian(gradient, inputs, create_graph=create_graph)


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), v^T H)``."""
    single = isinstance(inputs, Tensor)
    with enable_grad():
        ins = _prepare(inputs, True)
        out = func(*ins)
        grads = _zeros_for(engine.grad(out, ins, create_graph=True, allow_unused=True), ins)
        res = engine.grad(
            grads, ins, grad_outputs=_tuple(v), create_graph=create_graph, allow_unused=True
        )
    res = _zeros_for(res, ins)
    if not create_graph:
        out, res = out.detach(), tuple(r.detach() for r in res)
    return out, _unwrap(res, single)


hvp = vhp  # the Hessian is symmetric for the twice-differentiable functions these serve
