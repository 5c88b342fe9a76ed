"""The replay of a recorded backward: each node's backward in the engine's order, its gradients
routed to the buffers of the nodes (or leaves) they flow to and summed there in the order the
engine summed them, then each leaf's gradient accumulated into its ``.grad``."""

from __future__ import annotations

from collections import Counter

from .._backend import array_module
from .._tensor import Tensor
from ..autograd import engine
from ..autograd.function import Primitive
from ..autograd.grad_kinds import ARRAYS
from ..autograd.node import FREED_MSG

_new = object.__new__


def backward_runner(program, lowered, arrays):
    """The recorded backward as a function of the slots, returning the buffers it owns;
    ``lowered`` maps ``id(op)`` to the ``Lowered`` form of the ops that have one, ``arrays``
    are the recording's (for the root's shape)."""
    spec, root_buf, calls, _ = program
    kind, src = spec
    targets = [t for _, _, routes in calls for _, t, _, _ in routes]
    counts = Counter(targets)
    buffers = tuple(dict.fromkeys([root_buf] + targets))
    steps = tuple(_call(op, ins, routes, lowered.get(id(op)), counts) for op, ins, routes in calls)
    ones = _ones(arrays[src]) if kind == "ones" else None

    def run(S):
        for b in buffers:
            S[b] = None
        out = S[src]
        S[root_buf] = out if ones is None else ones(out)
        owned = set() if ones is None else {root_buf}
        for step in steps:
            step(S, owned)
        return owned

    return run


def _ones(recorded):
    """The gradient a backward of ``out`` starts from: ``ones_like(out)``; for a 0-d ``out``
    (a loss) one call of ``ones``, which gives the same array."""
    xp = array_module(recorded)
    if recorded.ndim:
        return xp.ones_like
    dtype = recorded.dtype
    return lambda out: xp.ones((), dtype)


def _call(op, ins, routes, low, counts):
    """One node's backward and the routing of its gradients."""
    if low is not None:
        return _lowered_call(low.backward, ins[0], routes, low.fresh, counts)
    route = _router(routes, None)
    cslot = op.ctx_slot
    if len(ins) == 1:
        (i0,) = ins

        def one(S, owned):
            g = S[i0]
            res = S[cslot].backward(g)
            route(S, owned, res if type(res) is tuple else (res,), (g,))

        return one

    def several(S, owned):
        grads = [None if b is None else S[b] for b in ins]
        res = S[cslot].backward(*grads)
        route(S, owned, res if type(res) is tuple else (res,), grads)

    return several


def _lowered_call(backward, i0, routes, fresh, counts):
    """A lowered op's backward. Where each gradient is the only one its buffer receives and
    needs no summing to a broadcast shape, it is stored as it is."""
    if any(counts[t] != 1 or shape is not None for _, t, shape, _ in routes):
        route = _router(routes, fresh)

        def general(S, owned):
            route(S, owned, backward(S, S[i0]), None)

        return general
    stores = tuple((i, t) for i, t, _, _ in routes)
    own = {t for i, t, _, leaf in routes if leaf and fresh[i]}

    def direct(S, owned):
        res = backward(S, S[i0])
        for i, t in stores:
            S[t] = res[i]
        if own:
            owned.update(own)

    return direct


def _router(routes, fresh):
    """Where a node's gradients go. A leaf's buffer may become its ``.grad`` only if the array
    is new: ``fresh`` says so for a lowered op; for any other, an array that is neither a view
    nor one of the gradients the node received (``grads``) is new."""
    sum_to = engine._sum_to

    def route(S, owned, res, grads):
        for i, target, shape, leaf in routes:
            g = res[i]
            if g is None:
                continue
            new = False
            if shape is not None:
                g, new = sum_to(g, shape), True
            elif leaf:
                new = (
                    fresh[i] if grads is None else g.base is None and all(g is not x for x in grads)
                )
            cur = S[target]
            if cur is None:
                S[target] = g
                if leaf and new:
                    owned.add(target)
            else:
                S[target] = cur + g
                owned.add(target)

    return route


def accumulating(program, run):
    """A backward inside the call: run it, then add each leaf's gradient into its .grad."""
    leaves = program[3]
    accumulate = engine._accumulate
    add_to_grad = ARRAYS.add_to_grad

    def step(S, A):
        owned = run(S)
        for (kind, where), b in leaves:
            g = S[b]
            if g is not None:
                t = A[where] if kind == "arg" else where
                meta = t._meta
                if meta is None or not (meta.hooks or meta.post_accumulate_hooks):
                    add_to_grad(t, g, b in owned)  # no hooks to run: the accumulation itself
                else:
                    accumulate(t, g, b in owned, ARRAYS)

    return step


class _Consumed(Primitive):
    """The node of a returned tensor whose graph the region's own backward already used:
    a second backward through it fails as it does in eager mode."""

    _name = "CompiledFunctionBackward"

    def backward(ctx, g):
        raise RuntimeError(FREED_MSG)


def consumed_node():
    node = _new(_Consumed)
    node._saved = None
    node._edges, node._in_shapes, node._n_out = (), (), 1
    node._pre_hooks = node._post_hooks = None
    return node


class CompiledFunctionBackward(Primitive):
    """The node of a returned tensor whose backward runs after the call: it replays the
    recorded backward on this call's arrays and hands each leaf its gradient."""

    __slots__ = ("_S", "_run", "_gslot", "_bufs")
    _name = "CompiledFunctionBackward"

    def backward(self, g):
        if self._S is None:
            raise RuntimeError(FREED_MSG)
        if isinstance(g, Tensor):
            raise RuntimeError(
                "backward with create_graph=True through a torch.compile'd function is not "
                "supported: call the function without torch.compile for higher-order gradients"
            )
        S = self._S
        S[self._gslot] = g
        owned = self._run(S)
        # NOTE: an array returned for two leaves would become both their .grad: copy it
        return tuple(S[b] if b in owned or S[b] is None else S[b].copy() for b in self._bufs)

    def _release(self):
        self._S = None


def escaping_node(escape, S, A):
    run, gslot, leaves = escape
    node = _new(CompiledFunctionBackward)
    node._S, node._run, node._gslot = S, run, gslot
    node._bufs = tuple(b for _, b in leaves)
    tensors = [A[where] if kind == "arg" else where for (kind, where), _ in leaves]
    node._edges = tuple((t._accumulator(), 0) for t in tensors)
    node._in_shapes = tuple(t._data.shape for t in tensors)
    node.needs_input_grad = (True,) * len(tensors)
    node._n_out, node._saved = 1, ()
    node._pre_hooks = node._post_hooks = None
    return node
