"""The backward pass: reverse-mode differentiation over the graph of nodes.

One loop, no recursion (a 100,000-op chain is fine), in four steps:

1. schedule (``_schedule``): count how many consumers each node has;
2. call a node (``_call``) once every consumer has delivered its gradient;
3. route (``_route``, ``_add``): send each returned gradient to the node of that input, summed
   back to the input's shape (broadcasting is undone here, once, for every op) and added to
   what already arrived there (in place once the engine owns the buffer);
4. accumulate into leaves (``_accumulate``): ``.grad``, after the leaf's hooks.

The gradients are arrays, or Tensors under ``create_graph`` (grad_kinds.py): the pass's kind
is picked once and every step asks it, rather than branching on the mode. A buffer is dropped
as soon as its node has run, and saved tensors are freed unless ``retain_graph``. ``_run``,
``_call``, ``_accumulate`` and ``_sum_to`` are what the ``torch.compile`` recorder wraps and
replays.
"""

from __future__ import annotations

import warnings

from .. import _backend
from .._tensor import Tensor, wrap
from . import anomaly_mode, grad_mode
from .function import Primitive
from .grad_kinds import _as_tensor, of_pass
from .node import AccumulateGrad, edge

_STATE = grad_mode.STATE


def _as_tuple(x):
    if x is None:
        return ()
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _root_grads(outputs, grad_outputs, kind):
    """The gradient each output starts with: given, or 1 for a scalar."""
    grad_outputs = _as_tuple(grad_outputs) if grad_outputs is not None else (None,) * len(outputs)
    grad_outputs = grad_outputs[: len(outputs)]  # as in PyTorch, extra gradients are ignored
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(f"got {len(outputs)} tensors and {len(grad_outputs)} gradients")
    roots = []
    for i, (t, g) in enumerate(zip(outputs, grad_outputs)):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}"
            )
        if not t._rg:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn"
            )
        if g is None:
            if t._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if t._data.dtype.kind not in "fV":
                raise RuntimeError(
                    f"grad can be implicitly created only for real scalar outputs but got {t.dtype}"
                )
            g = kind.of(_backend.array_module(t._data).ones_like(t._data))
            owned = True
        else:
            if not isinstance(g, Tensor):
                g = wrap(_backend.array_module(t._data).asarray(g, dtype=t._data.dtype))
            if g._data.shape != t._data.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and "
                    f"output[{i}] has a shape of {t.shape}."
                )
            g = kind.take(g)
            owned = False
        roots.append((*edge(t), g, owned))
    return roots


def backward(
    tensors,
    grad_tensors=None,
    retain_graph=None,
    create_graph=False,
    grad_variables=None,
    inputs=None,
):
    """``torch.autograd.backward``: accumulate d(tensors)/d(leaf) into each leaf's ``.grad``."""
    outputs = _as_tuple(tensors)
    if grad_tensors is None:
        grad_tensors = grad_variables
    if retain_graph is None:
        retain_graph = create_graph
    if create_graph:
        warnings.warn(
            "Using backward() with create_graph=True will create a reference cycle between the "
            "parameter and its gradient which can cause a memory leak. We recommend using "
            "autograd.grad when creating the graph to avoid this. If you have to use this "
            "function, make sure to reset the .grad fields of your parameters to None after use "
            "to break the cycle and avoid the leak.",
            UserWarning,
            stacklevel=3,
        )
    kind = of_pass(create_graph)
    roots = _root_grads(outputs, grad_tensors, kind)
    inputs = _as_tuple(inputs)
    if not inputs:
        _run(roots, retain_graph, create_graph, targets=None)
        return
    captured = _run(roots, retain_graph, create_graph, targets=_targets(inputs))
    for t, (g, owned) in zip(inputs, captured):
        if g is not None:
            _accumulate(t, g, owned, kind)


def grad(
    outputs,
    inputs,
    grad_outputs=None,
    retain_graph=None,
    create_graph=False,
    only_inputs=True,
    allow_unused=None,
    is_grads_batched=False,
    materialize_grads=False,
):
    """``torch.autograd.grad``: the gradients of ``outputs`` with respect to ``inputs``,
    returned as a tuple, without touching any ``.grad``."""
    outputs = _as_tuple(outputs)
    inputs_t = _as_tuple(inputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    if retain_graph is None:
        retain_graph = create_graph
    targets = _targets(inputs_t)
    roots = _root_grads(outputs, grad_outputs, of_pass(create_graph))
    captured = _run(roots, retain_graph, create_graph, targets=targets)
    return tuple(
        _grad_of(i, t, g, owned, allow_unused, materialize_grads)
        for i, (t, (g, owned)) in enumerate(zip(inputs_t, captured))
    )


def _targets(inputs):
    """The edges whose gradients a pass captures (each input must require grad)."""
    for t in inputs:
        if not t._rg:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    return [edge(t) for t in inputs]


def _grad_of(i, t, g, owned, allow_unused, materialize):
    """What ``grad`` returns for input ``i``: its captured gradient as a Tensor of its own, or
    zeros, or None, or PyTorch's error where the input was not used."""
    if g is not None:
        return g if isinstance(g, Tensor) else wrap(g if owned else g.copy())
    if materialize:
        return wrap(_backend.array_module(t._data).zeros_like(t._data))
    if not allow_unused:
        raise RuntimeError(
            f"The differentiated Tensor at index {i} appears to not have been used in "
            "the graph. Set allow_unused=True if this is the desired behavior."
        )
    return None


class _Pass:
    """The state of one backward pass: the kind of its gradients, each node's gradient buffers
    (one slot per output), which buffers the engine owns (may add into in place), how many
    consumers each node still waits for, and, for ``grad``/``inputs=``, the nodes that lead to
    a target."""

    __slots__ = ("kind", "buffers", "owned", "deps", "needed", "targets", "captured")

    def __init__(self, kind, deps, needed, targets):
        self.kind, self.buffers, self.owned, self.captured = kind, {}, kind.owned(), {}
        self.deps, self.needed, self.targets = deps, needed, targets


def _schedule(roots, targets):
    """Step 1: the nodes to run and how many gradients each waits for. Every node reachable
    from the roots runs, or with ``targets`` only those from which a target can be reached."""
    deps = {}
    stack = list(dict.fromkeys(r[0] for r in roots))  # two outputs of one node: one root
    seen = set(stack)
    while stack:
        for child, _ in stack.pop()._edges:
            if child is None:
                continue
            deps[child] = deps.get(child, 0) + 1
            if child not in seen:
                seen.add(child)
                stack.append(child)
    if targets is None:
        return deps, None
    target_nodes = {n for n, _ in targets}
    order, indeg = [], dict(deps)
    ready = [n for n in seen if indeg.get(n, 0) == 0]
    while ready:
        node = ready.pop()
        order.append(node)
        for child, _ in node._edges:
            if child is not None:
                indeg[child] -= 1
                if indeg[child] == 0:
                    ready.append(child)
    needed = set()
    for node in reversed(order):
        if node in target_nodes or any(c in needed for c, _ in node._edges):
            needed.add(node)
    counts = {}
    for node in needed:
        for child, _ in node._edges:
            if child in needed:
                counts[child] = counts.get(child, 0) + 1
    return counts, needed


def _run(roots, retain_graph, create_graph, targets):
    """Run the backward pass: the scheduling loop. With ``targets`` (a list of (node,
    output_nr)), capture the gradient arriving at each and return them as (grad, owned)
    pairs, leaving ``.grad`` alone; without, accumulate into every leaf reached."""
    deps, needed = _schedule(roots, targets)
    kind = of_pass(create_graph)
    p = _Pass(kind, deps, needed, None if targets is None else set(targets))
    ready = _start(p, roots)
    check_nan = anomaly_mode.MODE.enabled and anomaly_mode.MODE.check_nan
    prev_mode = _STATE.enabled
    _STATE.enabled = kind.graph
    try:
        while ready:
            node = ready.pop()
            grads = p.buffers.pop(node, None)
            if grads is not None and node._pre_hooks:
                grads = _run_pre_hooks(p, node, grads)
            if targets is not None and grads is not None:
                _capture(p, node, grads)
            if node.__class__ is AccumulateGrad:
                if targets is None and grads is not None and grads[0] is not None:
                    var = node.variable
                    if var is not None:
                        _accumulate(var, grads[0], (node, 0) in p.owned, kind)
                continue
            out = None
            if grads is not None and (len(grads) == 1 or any(g is not None for g in grads)):
                out = _call(node, grads, kind)
                if check_nan:
                    anomaly_mode.check_nan(node, out)
            if not retain_graph:
                node._release()
            if node._post_hooks and out is not None:
                node._run_post_hooks(out, grads)
            _route(p, node, out, grads, ready)
    finally:
        _STATE.enabled = prev_mode
    if targets is None:
        return None
    return [p.captured.get(t, (None, False)) for t in targets]


def _start(p, roots):
    """Put the roots' gradients into their buffers; the roots that wait for no other
    gradient are ready."""
    for node, nr, g, is_owned in roots:
        _add(p, node, nr, g, is_owned)
    ready = []
    for node, *_ in roots:
        if p.deps.get(node, 0) == 0 and node not in ready:
            if p.needed is None or node in p.needed:
                ready.append(node)
    return ready


def _capture(p, node, grads):
    for nr, g in enumerate(grads):
        if (node, nr) in p.targets:
            p.captured[(node, nr)] = (g, (node, nr) in p.owned)


def _route(p, node, out, grads, ready):
    """Step 3: send the gradient of each of ``node``'s inputs to the node that made it,
    summed back to the input's shape; a node whose last gradient arrived becomes ready."""
    deps, needed, kind = p.deps, p.needed, p.kind
    shapes = node._in_shapes
    n_out = len(out) if out is not None else 0
    for i, (child, cnr) in enumerate(node._edges):
        if child is None or (needed is not None and child not in needed):
            continue
        g = out[i] if i < n_out else None
        remaining = deps[child] - 1
        deps[child] = remaining
        if g is not None:
            shape = shapes[i]
            if shape is not None and g.shape != shape:
                g = _sum_to(g, shape)
                fresh = True
            else:
                fresh = kind.fresh(p.owned, node, g, grads)
            if (
                remaining == 0
                and needed is None
                and child.__class__ is AccumulateGrad
                and child not in p.buffers
            ):
                # NOTE: a leaf used once needs no buffer and no trip through the queue
                var = child.variable
                if var is not None:
                    _accumulate(var, g, fresh, kind)
                continue
            _add(p, child, cnr, g, fresh)
        if remaining == 0:
            ready.append(child)


def _add(p, node, nr, g, fresh):
    """Step 3's sum: add ``g`` into ``node``'s buffer for output ``nr``."""
    bufs = p.buffers.get(node)
    if bufs is None:
        bufs = p.buffers[node] = [None] * node._n_out
    cur = bufs[nr]
    key = (node, nr)
    if cur is None:
        bufs[nr] = g
        if fresh:
            p.owned.add(key)
    elif key in p.owned:
        cur += g
        bufs[nr] = cur  # a NumPy scalar (0-d result) is replaced, not updated in place
    else:
        bufs[nr] = cur + g
        p.owned.add(key)


def _sum_to(g, shape):
    """Sum a broadcast gradient (an array or a Tensor: both take NumPy's keywords) back to its
    input's shape."""
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, s in enumerate(shape) if s == 1 and g.shape[i + lead] != 1
    )
    return (g.sum(axis=axes, keepdims=True) if axes else g).reshape(shape)


def _run_pre_hooks(p, node, grads):
    for nr in range(len(grads)):
        p.owned.discard((node, nr))  # a hook may keep the gradient it was given
    return node._run_pre_hooks(grads, p.kind.take)


def _call(node, grads, kind):
    """Step 2: run one node's backward; the result is a tuple with one entry per input."""
    if not isinstance(node, Primitive):
        return node._call(grads, kind.take)  # a user-defined Function's node
    node._graph = kind.graph
    node.xp = kind.module(grads)
    try:
        if node._holomorphic and _any_complex(grads):
            grads = [None if g is None else g.conj() for g in grads]
            out = node.backward(grads[0]) if node._n_out == 1 else node.backward(*grads)
            out = out if type(out) is tuple else (out,)
            return tuple(None if g is None or not hasattr(g, "conj") else g.conj() for g in out)
        out = node.backward(grads[0]) if node._n_out == 1 else node.backward(*grads)
    finally:
        node.xp = None  # saved values are read inside backward only (see saved_tensors)
    return out if type(out) is tuple else (out,)


def _any_complex(grads):
    for g in grads:
        if g is not None and (g.is_complex() if isinstance(g, Tensor) else g.dtype.kind == "c"):
            return True
    return False


def _accumulate(tensor, g, owned, kind):
    """Step 4: add a gradient into a leaf's ``.grad`` (after the leaf's hooks)."""
    meta = tensor._meta
    if meta is not None and meta.hooks:
        for hook in meta.hooks:
            res = hook(_as_tensor(g))
            if res is not None:
                g = kind.take(res)
                owned = False
    kind.add_to_grad(tensor, g, owned)
    if meta is not None and meta.post_accumulate_hooks:
        for hook in meta.post_accumulate_hooks:
            hook(tensor)
