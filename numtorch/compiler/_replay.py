"""The replay: a recorded call as a flat list of steps over a list of arrays.

No Tensor, no graph node, no engine: each primitive's own ``forward`` and ``backward`` run on
arrays (so every value is computed by the same code as in eager mode, bit for bit), gradients
meet in the order the engine summed them, and leaves receive theirs through the engine's own
accumulation. Only ``.grad`` tensors, the returned tensors and optimizer calls touch Tensors.
"""

from __future__ import annotations

from .._backend import array_module, ensure_array, ndarray
from .._tensor import Tensor, wrap
from ..autograd import grad_mode
from . import _arrays
from ._grads import accumulating, backward_runner, consumed_node, escaping_node
from ._lower import lower
from ._optim import in_place_step

_new = object.__new__


def _load(slot, source):
    kind, where = source
    if kind == "arg":

        def step(S, A):
            S[slot] = A[where]._data

    elif kind == "const":

        def step(S, A):
            S[slot] = where

    else:

        def step(S, A):
            S[slot] = where._data

    return step


def _forward(op, ctx, xp, drop):
    """One primitive's forward on the slots. An op whose backward the replay runs gets a ctx
    set up as the engine would: one kept across calls where the backward runs inside the
    call (``ctx``), a new one per call where it runs later, outside."""
    cls, outs, spec, cslot = op.cls, op.outs, op.spec, op.ctx_slot
    args = _arguments(spec)
    single = outs[0] if len(outs) == 1 else None

    def step(S, A):
        if ctx is not None:
            c = ctx
        else:
            c = _new(cls) if cslot is None else _ctx(op, xp)
        c._saved = ()
        out = c.forward(*args(S))
        if single is not None:
            S[single] = out if out.__class__ is ndarray else ensure_array(out)
        else:
            for s, o in zip(outs, out):
                S[s] = o if o.__class__ is ndarray else ensure_array(o)
        if cslot is not None:
            S[cslot] = c
        for d in drop:  # intermediates nothing reads any more
            S[d] = None

    return step


def _ctx(op, xp):
    ctx = _new(op.cls)
    ctx.needs_input_grad, ctx._in_shapes = op.needs, op.shapes
    ctx._graph, ctx._refs, ctx.xp = False, (), xp
    return ctx


def _arguments(spec):
    """The function that gathers an op's arguments from the slots (arity-specialised: this
    runs once per op per call)."""
    if not all(is_slot for is_slot, _ in spec):
        return lambda S: [S[v] if is_slot else v for is_slot, v in spec]
    ins = tuple(v for _, v in spec)
    if len(ins) == 1:
        (a,) = ins
        return lambda S: (S[a],)
    if len(ins) == 2:
        a, b = ins
        return lambda S: (S[a], S[b])
    return lambda S: [S[i] for i in ins]


def _eager(fn, spec, slot):
    """A tensor method outside the primitives, called on tensors around the slots' arrays."""

    def step(S, A):
        S[slot] = fn(*[wrap(S[v]) if is_slot else v for is_slot, v in spec])._data

    return step


def _call(fn, args, kwargs):
    opt = getattr(fn, "__self__", None)
    if fn.__name__ == "step" and not args and not kwargs and _plain_step(opt):
        return _optimizer_step(opt, fn)

    def step(S, A):
        fn(*args, **kwargs)

    return step


def _plain_step(opt) -> bool:
    from ..optim import Optimizer

    return isinstance(opt, Optimizer) and type(opt).step is Optimizer.step


def _optimizer_step(opt, method):
    """``opt.step()`` without its wrapper while no step hook is registered: the updates
    themselves, under no_grad, as ``Optimizer.step`` runs them."""
    from ..optim import optimizer

    state = grad_mode.STATE
    in_place = in_place_step(opt)

    def step(S, A):
        if (
            optimizer._global_pre_hooks
            or optimizer._global_post_hooks
            or opt._optimizer_step_pre_hooks
            or opt._optimizer_step_post_hooks
        ):
            method()
            return
        prev, state.enabled = state.enabled, False
        try:
            if in_place is None or not in_place():
                opt._run_updates()
        finally:
            state.enabled = prev

    return step


class Program:
    """A recorded call, ready to replay on new inputs of the same guards."""

    def __init__(self, rec, template, escape=None):
        self.template = template
        self.steps = []
        self.escape = None
        lowered = {}
        for entry in rec.program:
            low = lower(entry[1], rec.arrays, rec.scratch) if entry[0] == "op" else None
            if low is not None:
                lowered[id(entry[1])] = low
        self.n = len(rec.arrays)
        keep = _kept(rec.program, template, lowered)
        dead = _dead_after(rec.program, keep)
        in_place = _in_place(rec.program, lowered, keep)
        for i, entry in enumerate(rec.program):
            kind = entry[0]
            if kind == "load":
                self.steps.append(_load(entry[1], entry[2]))
            elif kind == "op" and id(entry[1]) in lowered:
                low = lowered[id(entry[1])]
                self.steps.append(low.step(dead.get(i, ()), id(entry[1]) in in_place))
            elif kind == "op":
                op = entry[1]
                xp = array_module(rec.arrays[op.outs[0]])
                reuse = escape is None and op.ctx_slot is not None
                ctx = _ctx(op, xp) if reuse else None
                self.steps.append(_forward(op, ctx, xp, dead.get(i, ())))
            elif kind == "eager":
                self.steps.append(_eager(*entry[1:]))
            elif kind == "array":
                self.steps.append(_arrays.replay(*entry[1:]))
            elif kind == "backward":
                self.steps.append(
                    accumulating(entry[1], backward_runner(entry[1], lowered, rec.arrays))
                )
            else:
                self.steps.append(_call(*entry[1:]))
        if escape is not None:
            program, gslot = escape
            self.escape = (backward_runner(program, lowered, rec.arrays), gslot, program[3])

    def __call__(self, flat):
        S = [None] * self.n
        for step in self.steps:
            step(S, flat)
        return _build(self.template, S, flat, self.escape)


def _kept(program, template, lowered) -> set:
    """The slots that stay until the call ends: what the return value uses, where each
    backward starts, and what lowered ops' backwards read."""
    keep = set(_slots_of(template))
    for entry in program:
        if entry[0] == "backward":
            keep.add(entry[1][0][1])
        elif entry[0] == "op" and entry[1].ctx_slot is not None and id(entry[1]) in lowered:
            keep.update(lowered[id(entry[1])].reads)
    return keep


def _dead_after(program, keep) -> dict:
    """For each op, the slots whose last reader it is (its own unread outputs included): the
    replay drops them there, as eager mode drops a tensor nobody holds."""
    last = {}
    for i, entry in enumerate(program):
        if entry[0] in ("op", "eager", "array"):
            spec, outs = _reads_writes(entry)
            for is_slot, v in spec:
                if is_slot:
                    last[v] = i
            for s in outs:
                last.setdefault(s, i)
    dead = {}
    for s, i in last.items():
        if s not in keep:
            dead.setdefault(i, []).append(s)
    return {i: tuple(v) for i, v in dead.items()}


def _in_place(program, lowered, keep) -> set:
    """The lowered ops that may compute in their input's array: a new array that a lowered op
    made and that nothing else reads, keeps or returns."""
    fresh, readers, wanting = set(), {}, []
    for entry in program:
        if entry[0] not in ("op", "eager", "array"):
            continue
        spec, outs = _reads_writes(entry)
        for is_slot, v in spec:
            if is_slot:
                readers[v] = readers.get(v, 0) + 1
        low = lowered.get(id(entry[1])) if entry[0] == "op" else None
        if low is not None and low.fresh_out:
            fresh.add(outs[0])
        if low is not None and low.arg is not None:
            wanting.append((id(entry[1]), low.arg))
    return {key for key, s in wanting if s in fresh and readers[s] == 1 and s not in keep}


def _reads_writes(entry):
    """(argument template, output slots) of an "op", "eager" or "array" step."""
    if entry[0] == "op":
        return entry[1].spec, entry[1].outs
    if entry[0] == "eager":
        return entry[2], (entry[3],)
    return entry[2], entry[4]


def _slots_of(template):
    kind, value = template
    if kind in ("new", "consumed", "escape"):
        yield value
    elif kind in ("seq", "dict"):
        for x in value[1]:
            yield from _slots_of(x if kind == "seq" else x[1])


def _build(template, S, A, escape):
    kind, value = template
    if kind == "new":
        return wrap(S[value])
    if kind in ("consumed", "escape"):
        t = wrap(S[value])
        t._rg = True
        t.grad_fn = consumed_node() if kind == "consumed" else escaping_node(escape, S, A)
        return t
    if kind == "same":
        where, obj = value
        if where == "const":
            return wrap(obj.copy())
        return A[obj] if where == "arg" else obj
    if kind == "seq":
        typ, items = value
        return typ(_build(x, S, A, escape) for x in items)
    if kind == "dict":
        typ, items = value
        return typ((k, _build(x, S, A, escape)) for k, x in items)
    return value


def template_of(rec, obj, consumed):
    """How the replay rebuilds the region's return value from its slots."""
    if isinstance(obj, Tensor):
        source = rec.sources.get(id(obj))
        if source is not None:
            return ("same", source)
        s = rec.slots.get(id(obj._data))
        if s is None:
            rec.fail("the function returns a tensor made outside the recorded ops")
        vc, version = rec.vcs[s]
        if vc[0] != version:
            rec.fail("a returned tensor was modified in place outside the recorded ops")
        if not obj._rg:
            return ("new", s)
        if obj.grad_fn is not None and id(obj.grad_fn) in consumed:
            return ("consumed", s)
        if rec.escape is None and obj.grad_fn is not None:
            rec.escape = obj  # its backward runs after the call: recorded by _finish
            return ("escape", s)
        rec.fail("the function returns several tensors whose backward runs after the call")
    if type(obj) in (tuple, list):
        return ("seq", (type(obj), [template_of(rec, x, consumed) for x in obj]))
    if type(obj) is dict:
        return ("dict", (dict, [(k, template_of(rec, v, consumed)) for k, v in obj.items()]))
    return ("const", obj)
