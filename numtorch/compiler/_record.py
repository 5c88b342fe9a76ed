"""Recording one eager call: what the primitives computed, on which arrays, in which order.

While a compiled function runs for the first time with given guards, ``Primitive.apply`` and
the engine's ``_run``/``_call`` are wrapped (and only then: eager numtorch pays nothing). Every
array an op reads must be accounted for: an input of the region, a parameter or buffer of a
module the function uses, or the output of an op recorded before. Anything else (a tensor made
from values read in Python, an array changed in place behind the recorder's back, ``.item()``,
a branch on a tensor's value) is a graph break: recording stops, the call finishes eagerly, and
that function runs eagerly for those guards from then on.
"""

from __future__ import annotations

import sys

from .._backend import is_array
from .._tensor import Tensor
from ..autograd import engine
from ..autograd.function import Primitive
from . import _state

# Tensor methods that hand a tensor's values to Python: the region can branch on them, so
# recording cannot continue past them.
_VALUE_READS = (
    "item",
    "tolist",
    "numpy",
    "__array__",
    "__bool__",
    "__float__",
    "__int__",
    "__index__",
    "__repr__",
    "__format__",
    "data_ptr",
)
# Factories whose values follow from their arguments alone: what they make inside the region is
# a constant of the recording (the arguments are Python values the guards hold).
_FACTORIES = (
    "arange",
    "zeros",
    "ones",
    "full",
    "eye",
    "linspace",
    "zeros_like",
    "ones_like",
    "full_like",
)
# Tensor methods numtorch computes outside its primitives (no gradient): recorded as calls of
# the method itself, which the replay makes on tensors around the slots' arrays.
_EAGER_METHODS = (
    "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__invert__",
    "eq", "ne", "lt", "le", "gt", "ge",
    "logical_not", "logical_and", "logical_or", "logical_xor",
)  # fmt: skip
# Primitives whose output shape depends on input values: what follows would be traced for one
# shape only.
_VALUE_SHAPED = {"Nonzero", "MaskedSelect", "Unique", "BoolIndex"}


class GraphBreak(Exception):
    """Raised inside the recorder to stop recording; never escapes to the user."""


class Op:
    """One recorded primitive call: class, argument template, output slots, graph node."""

    __slots__ = ("cls", "spec", "outs", "needs", "shapes", "ctx_slot")

    def __init__(self, cls, spec, outs, node):
        self.cls, self.spec, self.outs = cls, spec, outs
        self.needs = node.needs_input_grad if node is not None else None
        self.shapes = node._in_shapes if node is not None else None  # some backwards read them
        self.ctx_slot = None  # where the replay keeps the op's ctx, once backward needs it


class Recorder:
    """The state of one recording: slots, loads, the instruction list and its checks."""

    def __init__(self, sources: dict, tensors, fullgraph: bool):
        self.sources = sources  # id(tensor) -> ("arg", i) or ("obj", tensor)
        # ops may receive a tensor's array rather than the tensor (``target._data``)
        self.by_array = {id(t._data): t for t in tensors}
        self.fullgraph = fullgraph
        self.loaded = []  # the tensors the region reached without receiving them
        self.slots = {}  # id(array) -> slot
        self.arrays = []  # the array of every slot (kept alive: ids stay unique)
        self.vcs = []  # (version counter, version) of every slot's tensor
        self.program = []  # ("load", slot, source) | ("op", Op) | ("backward", ...) | ("call", ...)
        # | ("eager", ...) | ("array", ...)
        self.leaves = {}  # id(tensor) -> (tensor, slot) for every leaf loaded
        self.grads = {}  # id(leaf) -> the .grad object the recorder expects
        self.node_ops = {}  # id(graph node) -> the Op that made it
        self.nodes = []  # the recorded nodes, kept alive so that their ids stay unique
        self.consumed = set()  # ids of the nodes a recorded backward ran
        self.escape = None  # the returned tensor whose backward runs after the call
        self.depth = 0
        self.broken = None

    # --- breaking -------------------------------------------------------------------------
    def fail(self, reason: str):
        """Stop recording; under ``fullgraph`` the user sees it as PyTorch's Unsupported."""
        if self.broken is None:
            self.broken = reason
        _state.uninstall()
        if self.fullgraph:
            from .._dynamo.exc import Unsupported

            raise Unsupported(reason)
        raise GraphBreak(reason)

    # --- slots ------------------------------------------------------------------------------
    def new_slot(self, array, vc) -> int:
        s = len(self.arrays)
        self.arrays.append(array)
        self.vcs.append((vc, vc[0]))
        self.slots[id(array)] = s
        return s

    def constant(self, t: Tensor) -> None:
        """``t`` was made by a factory inside the region: the replay reuses its values."""
        self.sources[id(t)] = ("const", t._data.copy())
        self.by_array[id(t._data)] = t
        self.nodes.append(t)  # kept alive: its id stays unique

    def scratch(self) -> int:
        """A slot for a value only the replay makes (a gradient buffer, a ctx)."""
        self.arrays.append(None)
        self.vcs.append((None, 0))
        return len(self.arrays) - 1

    def slot_of(self, t: Tensor) -> int:
        s = self.slots.get(id(t._data))
        if s is not None:
            vc, version = self.vcs[s]
            if vc[0] != version:
                self.fail("a tensor was modified in place outside the recorded ops")
            return s
        source = self.sources.get(id(t))
        if source is None:
            self.fail(
                "the function uses a tensor it neither received nor reaches through a module, "
                "optimizer, closure or global (a tensor created from Python values?)"
            )
        s = self.new_slot(t._data, t._vc)
        self.program.append(("load", s, source))
        if source[0] == "obj":
            self.loaded.append(t)
        if t.grad_fn is None:
            self.leaves[id(t)] = (t, s)
            self.grads.setdefault(id(t), t._grad)
        return s

    def spec_of(self, args) -> tuple:
        """The argument template of a primitive call: slots for arrays, constants otherwise."""
        spec = []
        for a in args:
            if isinstance(a, Tensor):
                spec.append((True, self.slot_of(a)))
            elif is_array(a):
                spec.append((True, self._array_slot(a)))
            elif isinstance(a, (tuple, list)) and any(_holds_data(x) for x in a):
                self.fail("a primitive received tensors or arrays inside a sequence")
            else:
                spec.append((False, a))
        return tuple(spec)

    def _array_slot(self, a) -> int:
        s = self.slots.get(id(a))
        if s is not None:
            return s
        t = self.by_array.get(id(a))
        if t is None or t._data is not a:
            self.fail("a primitive received an array made outside the recorded ops")
        return self.slot_of(t)

    # --- checks at the edges of recorded events -------------------------------------------------
    def check_leaves(self):
        """Every leaf still holds the array, version and ``.grad`` the recording expects."""
        for t, s in self.leaves.values():
            vc, version = self.vcs[s]
            if t._data is not self.arrays[s] or vc[0] != version:
                self.fail("a parameter was changed outside the recorded ops")
            if t._grad is not self.grads[id(t)]:
                self.fail("a .grad was changed outside the recorded ops")

    def after_call(self):
        """After an optimizer step or zero_grad: leaves may hold new values and gradients."""
        for key, (t, s) in list(self.leaves.items()):
            self.grads[key] = t._grad
            if t._data is self.arrays[s]:
                self.vcs[s] = (t._vc, t._vc[0])
            else:  # rebound: the next use loads the new array
                del self.leaves[key]
                self.slots.pop(id(self.arrays[s]), None)


def _holds_data(x) -> bool:
    return isinstance(x, Tensor) or is_array(x)


# --- the wrappers installed while recording ---------------------------------------------------
_ORIG = {}


def _apply(cls, *args):
    rec = _state.RECORDER
    if rec is None or rec.depth:
        return _ORIG["apply"].__func__(cls, *args)
    try:
        if cls.__name__ in _VALUE_SHAPED:
            rec.fail(f"{cls.__name__} gives a shape that depends on the values")
        spec = rec.spec_of(args)
    except GraphBreak:
        return _ORIG["apply"].__func__(cls, *args)
    rec.depth += 1
    try:
        out = _ORIG["apply"].__func__(cls, *args)
    finally:
        rec.depth -= 1
    outs = out if type(out) is tuple else (out,)
    node = next((o.grad_fn for o in outs if o.grad_fn is not None and o._rg), None)
    slots = tuple(rec.new_slot(o._data, o._vc) for o in outs)
    node = node if isinstance(node, cls) else None
    op = Op(cls, spec, slots, node)
    if node is not None:
        rec.node_ops[id(node)] = op
        rec.nodes.append(node)
    rec.program.append(("op", op))
    return out


def break_here(reason: str) -> None:
    """Break the recording under way, if any: the call goes on eagerly (or raises under
    ``fullgraph``)."""
    rec = _state.RECORDER
    if rec is not None and not rec.depth:
        try:
            rec.fail(reason)
        except GraphBreak:
            pass


def _value_read(name):
    orig = getattr(Tensor, name)

    def read(self, *args, **kwargs):
        break_here(f"Tensor.{name.strip('_')}() reads a value into Python")
        return orig(self, *args, **kwargs)

    return read


def _run(roots, retain_graph, create_graph, targets):
    rec = _state.RECORDER
    if rec is None or rec.depth:
        return _ORIG["_run"](roots, retain_graph, create_graph, targets)
    from ._backward import record_backward

    try:
        return record_backward(rec, _ORIG["_run"], roots, retain_graph, create_graph, targets)
    except GraphBreak:
        return _ORIG["_run"](roots, retain_graph, create_graph, targets)


def noted_call(rec, fn, args):
    """``(spec, fn(*args))`` with the recorder idle inside ``fn``; the spec of the arguments
    is None where they broke the recording."""
    try:
        spec = rec.spec_of(args)
    except GraphBreak:
        return None, fn(*args)
    rec.depth += 1
    try:
        return spec, fn(*args)
    finally:
        rec.depth -= 1


def _eager_method(name):
    orig = getattr(Tensor, name)

    def method(*args, **kwargs):
        rec = _state.RECORDER
        if rec is None or rec.depth or kwargs:
            return orig(*args, **kwargs)
        spec, out = noted_call(rec, orig, args)
        if spec is not None and isinstance(out, Tensor):
            rec.program.append(("eager", orig, spec, rec.new_slot(out._data, out._vc)))
        return out

    return method


def _factory(orig):
    def make(*args, **kwargs):
        t = orig(*args, **kwargs)
        rec = _state.RECORDER
        if rec is not None and not rec.depth and isinstance(t, Tensor):
            rec.constant(t)
        return t

    return make


def _refs(functions):
    """Every (namespace, name) in numtorch that holds one of ``functions`` (``torch.ones`` and
    the ``ones`` that modules imported from ``numtorch.ops.creation``)."""
    originals = {id(f) for f in functions}
    refs = []
    for mod_name, module in list(sys.modules.items()):
        if mod_name == "numtorch" or mod_name.startswith("numtorch."):
            space = getattr(module, "__dict__", {})
            refs.extend((space, k) for k, v in space.items() if id(v) in originals)
    return refs


def install():
    if not _ORIG:
        _ORIG["apply"] = Primitive.__dict__["apply"]
        _ORIG["_run"] = engine._run
        for name in _VALUE_READS:
            _ORIG[name] = Tensor.__dict__[name]
    Primitive.apply = classmethod(_apply)
    engine._run = _run
    for name in _VALUE_READS:
        setattr(Tensor, name, _value_read(name))
    _ORIG["methods"] = [(name, Tensor.__dict__[name]) for name in _EAGER_METHODS]
    for name in _EAGER_METHODS:
        setattr(Tensor, name, _eager_method(name))
    from ..ops import creation
    from . import _arrays

    factories = [getattr(creation, name) for name in _FACTORIES]
    _ORIG["factories"] = [(space, k, space[k]) for space, k in _refs(factories)]
    for space, k, orig in _ORIG["factories"]:
        space[k] = _factory(orig)
    _ORIG["arrays"] = [(space, k, space[k]) for space, k in _refs(_arrays.originals())]
    for space, k, orig in _ORIG["arrays"]:
        space[k] = _arrays.recording(orig)


def uninstall():
    if not _ORIG:
        return
    Primitive.apply = _ORIG["apply"]
    engine._run = _ORIG["_run"]
    for name in _VALUE_READS:
        setattr(Tensor, name, _ORIG[name])
    for name, orig in _ORIG.pop("methods", ()):
        setattr(Tensor, name, orig)
    for key in ("factories", "arrays"):
        for space, k, orig in _ORIG.pop(key, ()):
            space[k] = orig
