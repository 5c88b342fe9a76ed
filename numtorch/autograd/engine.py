"""The backward pass: reverse-mode differentiation over the graph of nodes.

One loop, no recursion (a 100,000-op chain is fine): count how many consumers each node has,
start from the outputs, and run a node's ``backward`` once every consumer has delivered its
gradient. Gradients meeting at a node are summed (in place once the engine owns the buffer);
a buffer is dropped as soon as its node has run, and saved tensors are freed unless
``retain_graph``. Broadcasting is undone here, once, for every op: a gradient whose shape
differs from its input's is summed back to that shape.
"""

from __future__ import annotations

import warnings

from .. import _backend
from .._tensor import Tensor, wrap
from . import anomaly_mode, grad_mode
from .function import AccumulateGrad, Primitive, RetainGrad

_STATE = grad_mode.STATE


def _as_tuple(x):
    if x is None:
        return ()
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _root_grads(outputs, grad_outputs, create_graph):
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
            g = _backend.array_module(t._data).ones_like(t._data)
            owned = True
        else:
            if not isinstance(g, Tensor):
                g = wrap(_backend.array_module(t._data).asarray(g, dtype=t._data.dtype))
            if g._data.shape != t._data.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and "
                    f"output[{i}] has a shape of {t.shape}."
                )
            g = g if create_graph else g._data
            owned = False
        if create_graph and not isinstance(g, Tensor):
            g = wrap(g)
        if t.grad_fn is not None:
            roots.append((t.grad_fn, t._output_nr, g, owned))
        else:
            roots.append((t._accumulator(), 0, g, owned))
    return roots


def _edge_of(t):
    if t.grad_fn is not None:
        return (t.grad_fn, t._output_nr)
    return (t._accumulator(), 0)


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
    roots = _root_grads(outputs, grad_tensors, create_graph)
    inputs = _as_tuple(inputs)
    if not inputs:
        _run(roots, retain_graph, create_graph, targets=None)
        return
    for t in inputs:
        if not t._rg:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    captured = _run(roots, retain_graph, create_graph, targets=[_edge_of(t) for t in inputs])
    for t, (g, owned) in zip(inputs, captured):
        if g is not None:
            _accumulate(t, g, owned, create_graph)


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
    for t in inputs_t:
        if not t._rg:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    roots = _root_grads(outputs, grad_outputs, create_graph)
    captured = _run(roots, retain_graph, create_graph, targets=[_edge_of(t) for t in inputs_t])
    result = []
    for i, (t, (g, owned)) in enumerate(zip(inputs_t, captured)):
        if g is None:
            if materialize_grads:
                result.append(wrap(_backend.array_module(t._data).zeros_like(t._data)))
                continue
            if not allow_unused:
                raise RuntimeError(
                    f"The differentiated Tensor at index {i} appears to not have been used in "
                    "the graph. Set allow_unused=True if this is the desired behavior."
                )
            result.append(None)
        elif isinstance(g, Tensor):
            result.append(g)
        else:
            result.append(wrap(g if owned else g.copy()))
    return tuple(result)


def _discover(roots):
    """Every node reachable from the roots, and how many edges enter each."""
    deps = {}
    stack = list(dict.fromkeys(r[0] for r in roots))  # two outputs of one node: one root
    seen = set(stack)
    while stack:
        node = stack.pop()
        for child, _ in node.next_functions:
            if child is None:
                continue
            deps[child] = deps.get(child, 0) + 1
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return deps, seen


def _needed(roots, deps, seen, target_nodes):
    """The nodes from which some target can be reached; only they need to run."""
    order, indeg = [], dict(deps)
    ready = [n for n in seen if indeg.get(n, 0) == 0]
    while ready:
        node = ready.pop()
        order.append(node)
        for child, _ in node.next_functions:
            if child is not None:
                indeg[child] -= 1
                if indeg[child] == 0:
                    ready.append(child)
    needed = set()
    for node in reversed(order):
        if node in target_nodes or any(c in needed for c, _ in node.next_functions):
            needed.add(node)
    counts = {}
    for node in needed:
        for child, _ in node.next_functions:
            if child in needed:
                counts[child] = counts.get(child, 0) + 1
    return needed, counts


def _run(roots, retain_graph, create_graph, targets):
    """Run the backward pass. With ``targets`` (a list of (node, output_nr)), capture the
    gradient arriving at each and return them as (grad, owned) pairs, leaving ``.grad``
    alone; without, accumulate into every leaf reached."""
    deps, seen = _discover(roots)
    needed = None
    if targets is not None:
        target_nodes = {n for n, _ in targets}
        needed, deps = _needed(roots, deps, seen, target_nodes)
        captured = {}
    buffers, owned = {}, set()
    for node, nr, g, is_owned in roots:
        _add(buffers, owned, node, nr, g, is_owned, create_graph)
    ready = []
    for node, *_ in roots:
        if deps.get(node, 0) == 0 and node not in ready and (needed is None or node in needed):
            ready.append(node)
    prev_mode = _STATE.enabled
    _STATE.enabled = create_graph
    accumulate_directly = targets is None
    check_nan = anomaly_mode.MODE.enabled and anomaly_mode.MODE.check_nan
    try:
        while ready:
            node = ready.pop()
            grads = buffers.pop(node, None)
            if grads is not None and node._pre_hooks:
                grads = _run_pre_hooks(node, grads, create_graph)
            if targets is not None and grads is not None and node in target_nodes:
                for nr, g in enumerate(grads):
                    captured[(node, nr)] = (g, (node, nr) in owned)
            if node.__class__ is AccumulateGrad:
                if accumulate_directly and grads is not None and grads[0] is not None:
                    var = node.variable
                    if var is not None:
                        _accumulate(var, grads[0], (node, 0) in owned, create_graph)
                continue
            out = None
            if grads is not None and (len(grads) == 1 or any(g is not None for g in grads)):
                out = _call(node, grads, create_graph)
                if check_nan:
                    anomaly_mode.check_nan(node, out)
            if not retain_graph:
                node._release()
            if node._post_hooks and out is not None:
                for hook in node._post_hooks:
                    hook(tuple(_as_tensor(g) for g in out), tuple(_as_tensor(g) for g in grads))
            shapes = node._in_shapes
            n_out = len(out) if out is not None else 0
            for i, (child, cnr) in enumerate(node.next_functions):
                if child is None or (needed is not None and child not in needed):
                    continue
                g = out[i] if i < n_out else None
                remaining = deps[child] - 1
                deps[child] = remaining
                if g is not None:
                    shape = shapes[i]
                    if shape is not None and g.shape != shape:
                        g = _sum_to(g, shape, create_graph)
                        fresh = True
                    elif create_graph:
                        fresh = False
                    else:
                        fresh = g.base is None and _not_in(g, grads)
                    if (
                        remaining == 0
                        and accumulate_directly
                        and child not in buffers
                        and child.__class__ is AccumulateGrad
                    ):
                        # NOTE: a leaf used once needs no buffer and no trip through the queue
                        var = child.variable
                        if var is not None:
                            _accumulate(var, g, fresh, create_graph)
                        continue
                    _add(buffers, owned, child, cnr, g, fresh, create_graph)
                if remaining == 0:
                    ready.append(child)
    finally:
        _STATE.enabled = prev_mode
    if targets is None:
        return None
    return [captured.get(t, (None, False)) for t in targets]


def _not_in(g, grads):
    for x in grads:
        if g is x:
            return False
    return True


def _add(buffers, owned, node, nr, g, fresh, create_graph):
    bufs = buffers.get(node)
    if bufs is None:
        bufs = buffers[node] = [None] * node._n_out
    cur = bufs[nr]
    key = (node, nr)
    if cur is None:
        bufs[nr] = g
        if fresh:
            owned.add(key)
    elif create_graph:
        bufs[nr] = cur + g
    elif key in owned:
        cur += g
        bufs[nr] = cur  # a NumPy scalar (0-d result) is replaced, not updated in place
    else:
        bufs[nr] = cur + g
        owned.add(key)


def _sum_to(g, shape, create_graph):
    """Sum a broadcast gradient back to its input's shape."""
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, s in enumerate(shape) if s == 1 and g.shape[i + lead] != 1
    )
    if create_graph:
        return (g.sum(dim=axes, keepdim=True) if axes else g).reshape(shape)
    return (g.sum(axis=axes, keepdims=True) if axes else g).reshape(shape)


def _as_tensor(g):
    return g if g is None or isinstance(g, Tensor) else wrap(g)


def _run_pre_hooks(node, grads, create_graph):
    grads = list(grads)
    # NOTE: as in PyTorch 2, retain_grad's hook runs after every other hook of the tensor, so
    # .grad holds the gradient the hooks made, whatever the order they were registered in
    hooks = sorted(node._pre_hooks, key=lambda entry: isinstance(entry[1], RetainGrad))
    for nr, hook in hooks:
        if nr is None:
            res = hook(tuple(_as_tensor(g) for g in grads))
            if res is not None:
                grads = [r if r is None or create_graph else r._data for r in res]
        elif grads[nr] is not None:
            res = hook(_as_tensor(grads[nr]))
            if res is not None:
                grads[nr] = res if create_graph else res._data
    return grads


def _call(node, grads, create_graph):
    """Run one node's backward; the result is a tuple with one entry per input."""
    if isinstance(node, Primitive):
        node._graph = create_graph
        if create_graph:
            from ..ops import graph_xp

            node.xp = graph_xp
        else:
            node.xp = _backend.array_module(next(g for g in grads if g is not None))
        if node._holomorphic and _any_complex(grads):
            grads = [None if g is None else g.conj() for g in grads]
            out = node.backward(grads[0]) if node._n_out == 1 else node.backward(*grads)
            out = out if type(out) is tuple else (out,)
            return tuple(None if g is None or not hasattr(g, "conj") else g.conj() for g in out)
        out = node.backward(grads[0]) if node._n_out == 1 else node.backward(*grads)
        return out if type(out) is tuple else (out,)
    return _call_function(node, grads, create_graph)


def _any_complex(grads):
    for g in grads:
        if g is not None and (g.is_complex() if isinstance(g, Tensor) else g.dtype.kind == "c"):
            return True
    return False


def _call_function(node, grads, create_graph):
    """Backward of a user-defined ``autograd.Function``: Tensors in, Tensors out."""
    gts = []
    for g, meta in zip(grads, node._out_meta):
        if g is None and node.materialize_grads and meta is not None:
            g = meta[2].zeros(meta[0], meta[1])
        gts.append(_as_tensor(g))
    res = node._cls.backward(node, *gts)
    if not isinstance(res, tuple):
        res = (res,)
    n_in = len(node.next_functions)
    if len(res) < n_in or any(r is not None for r in res[n_in:]):
        raise RuntimeError(
            f"function {node.name()} returned an incorrect number of gradients (expected "
            f"{n_in}, got {len(res)})"
        )
    out = []
    for i, r in enumerate(res[:n_in]):
        if r is None or node.next_functions[i][0] is None:
            out.append(None)
        elif not isinstance(r, Tensor):
            raise TypeError(
                f"function {node.name()} returned a gradient of type {type(r).__name__} at "
                f"index {i}; expected a Tensor or None"
            )
        else:
            out.append(r if create_graph else r._data)
    return tuple(out)


def _accumulate(tensor, g, owned, create_graph):
    """Add a gradient into a leaf's ``.grad`` (after the leaf's hooks)."""
    hooks = tensor._aux.get("hooks") if tensor._aux else None
    if hooks:
        for hook in hooks:
            res = hook(_as_tensor(g))
            if res is not None:
                g = res if create_graph else res._data
                owned = False
    if create_graph:
        g = _as_tensor(g)
        tensor._grad = g if tensor._grad is None else tensor._grad + g
    else:
        if g.dtype != tensor._data.dtype:
            g = g.astype(tensor._data.dtype)
            owned = True
        current = tensor._grad
        if current is None:
            tensor._grad = wrap(g if owned else g.copy())
        elif current._rg:
            tensor._grad = wrap(current._data + g)
        else:
            current._data += g
    post = tensor._aux.get("post_accumulate_hooks") if tensor._aux else None
    if post:
        for hook in post:
            hook(tensor)
