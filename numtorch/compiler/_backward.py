"""Recording the backward pass: which nodes the engine ran, in which order, and where each
gradient went, so that the replay sums every gradient in the same order (bit for bit)."""

from __future__ import annotations

from .._backend import array_module
from ..autograd import engine
from ..autograd.function import Primitive
from ._record import GraphBreak


def record_backward(rec, run, roots, retain_graph, create_graph, targets):
    """Run the engine eagerly, watching its node calls; append a "backward" instruction."""
    try:
        root = _root(rec, roots, retain_graph, create_graph, targets)
        rec.check_leaves()
    except GraphBreak:
        return run(roots, retain_graph, create_graph, targets)
    calls = []
    call = engine._call

    def watch(node, grads, kind):
        out = call(node, grads, kind)
        calls.append((node, out))
        return out

    engine._call = watch
    rec.depth += 1
    try:
        result = run(roots, retain_graph, create_graph, targets)
    finally:
        rec.depth -= 1
        engine._call = call
    try:
        rec.program.append(("backward", _build(rec, root, calls)))
        for key, (t, _) in rec.leaves.items():
            rec.grads[key] = t._grad
    except GraphBreak:
        pass
    return result


def record_escaping(rec, out):
    """The backward of ``out``, a returned tensor whose backward the caller runs later: run
    the engine over its graph once now (keeping the graph, leaving every .grad as it was) to
    learn the order, and return (backward program, slot of the incoming gradient)."""
    _check_graph(rec, out.grad_fn)
    leaves = [t for t, _ in rec.leaves.values()]
    kept = [t._grad for t in leaves]
    gslot = rec.scratch()
    node, nr = out.grad_fn, out._output_nr
    roots = [(node, nr, array_module(out._data).ones_like(out._data), True)]
    calls, call = [], engine._call

    def watch(node, grads, kind):
        res = call(node, grads, kind)
        calls.append((node, res))
        return res

    engine._call = watch
    try:
        for t in leaves:
            t._grad = None
        engine._run(roots, True, False, None)
    finally:
        engine._call = call
        for t, g in zip(leaves, kept):
            t._grad = g
    return _build(rec, (node, nr, ("slot", gslot)), calls), gslot


def _check_graph(rec, node):
    """Every node behind ``node`` was recorded and has no hooks; every leaf was loaded."""
    stack, seen = [node], set()
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        if n.__class__.__name__ == "AccumulateGrad":
            _leaf(rec, n)
            continue
        if id(n) not in rec.node_ops:
            rec.fail("the returned tensor's graph reaches outside the compiled region")
        if n._pre_hooks or n._post_hooks:
            rec.fail("a graph node has hooks")
        stack.extend(c for c, _ in n._edges if c is not None)


def _root(rec, roots, retain_graph, create_graph, targets):
    if targets is not None:
        rec.fail("autograd.grad or backward(inputs=...) inside the compiled region")
    if create_graph or retain_graph:
        rec.fail("backward with create_graph or retain_graph inside the compiled region")
    if len(roots) != 1:
        rec.fail("backward of several tensors at once inside the compiled region")
    node, nr, g, owned = roots[0]
    op = rec.node_ops.get(id(node))
    if op is None:
        rec.fail("backward reaches a graph built outside the compiled region")
    if owned:
        return node, nr, ("ones", op.outs[nr])
    s = rec.slots.get(id(g))
    if s is None:
        rec.fail("backward with a gradient made outside the recorded ops")
    return node, nr, ("slot", s)


def _build(rec, root, calls):
    """The backward program: (root, calls, leaf accumulations) over slots."""
    node, nr, spec = root
    bufs = {}  # (id(node), output_nr) or id(leaf) -> buffer slot

    def buf(key):
        if key not in bufs:
            bufs[key] = rec.scratch()
        return bufs[key]

    root_buf = buf((id(node), nr))
    steps, leaves = [], []
    for node, out in calls:
        op = rec.node_ops.get(id(node))
        if op is None or not isinstance(node, Primitive):
            rec.fail("backward runs a node the recorder did not see (a custom Function?)")
        if node._pre_hooks or node._post_hooks:
            rec.fail("a graph node has hooks")
        rec.consumed.add(id(node))
        if op.ctx_slot is None:
            op.ctx_slot = rec.scratch()
        ins = tuple(bufs.get((id(node), i)) for i in range(node._n_out))
        routes = []
        for i, (child, cnr) in enumerate(node._edges):
            g = out[i] if i < len(out) else None
            if child is None or g is None:
                continue
            if g.dtype.kind == "c":
                rec.fail("complex gradients are replayed eagerly")
            shape = node._in_shapes[i]
            shape = shape if shape is not None and g.shape != shape else None
            if child.__class__.__name__ == "AccumulateGrad":
                leaf = _leaf(rec, child)
                if id(leaf) not in bufs:
                    leaves.append((rec.sources[id(leaf)], buf(id(leaf))))
                routes.append((i, buf(id(leaf)), shape, True))
            else:
                routes.append((i, buf((id(child), cnr)), shape, False))
        steps.append((op, ins, tuple(routes)))
    return spec, root_buf, tuple(steps), tuple(leaves)


def _leaf(rec, acc):
    t = acc.variable
    if t is None or id(t) not in rec.leaves:
        rec.fail("backward reaches a leaf the recorder did not load")
    meta = t._meta
    if meta is not None and (meta.hooks or meta.post_accumulate_hooks or meta.retains_grad):
        rec.fail("a leaf tensor has hooks")
    if t._grad is not None and t._grad._rg:
        rec.fail("a .grad that requires grad")
    return t
