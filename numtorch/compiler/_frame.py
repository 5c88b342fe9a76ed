"""A compiled function: its cache of recordings, the guards that pick one, and the first call
that records.

The cache key is what the call's arguments look like (tensor shapes, dtypes, requires_grad,
whether they are leaves; other arguments by value) and the grad mode. Each recording also keeps
guards on what the function reaches without receiving it: the objects its closure and globals
name, every module's submodules, parameters, buffers and ``training`` flag, and every leaf's
shape, dtype and ``requires_grad``. A call whose guards all hold replays; any other records
anew, up to ``torch._dynamo.config.cache_size_limit`` recordings, then the function runs eagerly.
"""

from __future__ import annotations

import functools
import types
import warnings
import weakref

from .._tensor import Tensor
from ..autograd import grad_mode
from . import _state
from ._backward import record_escaping
from ._record import GraphBreak, Recorder
from ._replay import Program, template_of

_SCALARS = (int, float, bool, str, complex)
COMPILED = weakref.WeakSet()  # every CompiledFunction, for torch.compiler.reset()


class _Entry:
    __slots__ = ("guards", "cells", "tensors", "program", "reason")

    def __init__(self, guards, cells, tensors, program, reason):
        self.guards, self.cells, self.program = guards, cells, program
        self.reason = reason  # why the recording broke (None where it replays)
        self.tensors = [(t, t._rg, t._data.shape, t._data.dtype) for t in tensors]

    def holds(self) -> bool:
        for d, key, obj in self.guards:
            if d.get(key, d) is not obj:
                return False
        for cell, obj in self.cells:
            if cell.cell_contents is not obj:
                return False
        for t, rg, shape, dtype in self.tensors:
            a = t._data
            if t._rg is not rg or a.shape != shape or a.dtype != dtype:
                return False
        return True


class CompiledFunction:
    """``torch.compile(fn)``: records ``fn`` once per guard set and replays the recording."""

    def __init__(self, fn, fullgraph: bool = False):
        functools.update_wrapper(self, fn)
        self._fn = fn
        self._fullgraph = fullgraph
        self._cache = {}
        self._recordings = 0
        COMPILED.add(self)

    def __get__(self, obj, objtype=None):
        return self if obj is None else types.MethodType(self, obj)

    def reset(self) -> None:
        self._cache.clear()
        self._recordings = 0

    def __call__(self, *args, **kwargs):
        if _state.RECORDER is not None:  # called from a region being recorded: part of it
            return self._fn(*args, **kwargs)
        flat, key = [], []
        _describe((args, kwargs), flat, key)
        key.append(grad_mode.STATE.enabled)
        key = tuple(key)
        for entry in self._cache.get(key, ()):
            if entry.holds():
                if entry.program is None:
                    return self._fn(*args, **kwargs)
                return entry.program(flat)
        return self._record(key, flat, args, kwargs)

    def _record(self, key, flat, args, kwargs):
        from .._dynamo import config

        limit = max(config.recompile_limit, config.cache_size_limit)
        if self._recordings >= limit:
            if self._recordings == limit:
                warnings.warn(
                    f"torch._dynamo hit config.recompile_limit ({limit}) "
                    f"for {getattr(self._fn, '__qualname__', self._fn)}: it runs eagerly from "
                    "now on for new guards",
                    stacklevel=3,
                )
                self._recordings += 1
            return self._fn(*args, **kwargs)
        self._recordings += 1
        sources, guards, cells, opaque = _discover(self._fn, args, kwargs, flat)
        tensors = flat + [v[1] for v in sources.values() if v[0] == "obj"]
        rec = Recorder(sources, tensors, self._fullgraph)
        restore = _wrap_opaque(rec, opaque)
        _state.begin(rec)
        try:
            result = self._fn(*args, **kwargs)
        finally:
            _state.uninstall()
            restore()
        program = _finish(rec, result)
        entry = _Entry(guards, cells, rec.loaded, program, rec.broken)
        self._cache.setdefault(key, []).append(entry)
        return result


def _finish(rec, result):
    """The Program of a completed recording, or None where it broke (eager from now on)."""
    if rec.broken is not None:
        return None
    try:
        rec.check_leaves()
        template = template_of(rec, result, rec.consumed)
        escape = None if rec.escape is None else record_escaping(rec, rec.escape)
    except GraphBreak:
        return None
    return Program(rec, template, escape)


def _describe(obj, flat, key):
    """Append the tensors in ``obj`` to ``flat`` and what the guards compare to ``key``."""
    if isinstance(obj, Tensor):
        flat.append(obj)
        a = obj._data
        key.append((a.shape, a.dtype, obj._rg, obj.grad_fn is None))
    elif type(obj) in (tuple, list):
        key.append((type(obj), len(obj)))
        for x in obj:
            _describe(x, flat, key)
    elif type(obj) is dict:
        key.append((dict, tuple(obj)))
        for x in obj.values():
            _describe(x, flat, key)
    elif obj is None or type(obj) in (bool, int, float, str):
        key.append((type(obj), obj))
    else:
        key.append(id(obj))


# --- what the function reaches ----------------------------------------------------------------
def _discover(fn, args, kwargs, flat):
    """Sources of the tensors the function may read, guards on how it reaches them, and the
    optimizers, schedulers and modules whose ``step``/``zero_grad`` calls are replayed."""
    sources = {id(t): ("arg", i) for i, t in enumerate(flat)}
    guards, cells, opaque = [], [], {}
    found = _Found(sources, guards, opaque)
    for obj in list(args) + list(kwargs.values()):
        found.visit(obj)
    target = fn
    while True:
        if isinstance(target, functools.partial):
            for obj in target.args + tuple(target.keywords.values()):
                found.visit(obj)
            target = target.func
        elif isinstance(target, types.MethodType):
            found.visit(target.__self__)
            target = target.__func__
        else:
            break
    code = getattr(target, "__code__", None)
    if code is not None:
        for obj in (target.__defaults__ or ()) + tuple((target.__kwdefaults__ or {}).values()):
            found.visit(obj)
        for cell in target.__closure__ or ():
            try:
                obj = cell.cell_contents
            except ValueError:
                continue
            if found.visit(obj):
                cells.append((cell, obj))
        glob = target.__globals__
        for name in _names(code):
            if name in glob and found.visit(glob[name]):
                guards.append((glob, name, glob[name]))
    return sources, guards, cells, opaque


def _names(code):
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _names(const)
    return names


class _Found:
    def __init__(self, sources, guards, opaque):
        self.sources, self.guards, self.opaque = sources, guards, opaque

    def visit(self, obj, depth: int = 0) -> bool:
        """Record what ``obj`` gives the function; True where it matters to the guards."""
        from ..nn import Module
        from ..optim import Optimizer

        if isinstance(obj, Tensor):
            self.sources.setdefault(id(obj), ("obj", obj))
            return True
        if type(obj) in _SCALARS:  # a number the region may bake in: guarded like a tensor
            return True
        if isinstance(obj, Module):
            self._module(obj)
            return True
        if isinstance(obj, Optimizer):
            self.opaque[id(obj)] = (obj, ("step", "zero_grad"))
            for group in obj.param_groups:
                for p in group["params"]:
                    self.sources.setdefault(id(p), ("obj", p))
            return True
        if hasattr(obj, "optimizer") and hasattr(obj, "get_last_lr"):  # an LR scheduler
            self.opaque[id(obj)] = (obj, ("step",))
            return True
        if depth == 0 and type(obj) in (tuple, list, dict):
            items = obj.values() if type(obj) is dict else obj
            return any([self.visit(x, 1) for x in items])
        return False

    def _module(self, module):
        for m in module.modules():
            if id(m) in self.opaque:
                continue
            self.opaque[id(m)] = (m, ("zero_grad",))
            self.guards.append((m.__dict__, "training", m.training))
            for d in (m._parameters, m._buffers, m._modules):
                for name, value in d.items():
                    self.guards.append((d, name, value))
                    if isinstance(value, Tensor):
                        self.sources.setdefault(id(value), ("obj", value))
            for name, value in m.__dict__.items():
                if isinstance(value, Tensor):
                    self.guards.append((m.__dict__, name, value))
                    self.sources.setdefault(id(value), ("obj", value))
                elif type(value) in _SCALARS and name != "training":
                    self.guards.append((m.__dict__, name, value))


# --- optimizer steps, zero_grad and scheduler steps: replayed as calls ------------------------
def _wrap_opaque(rec, opaque):
    """Route ``step``/``zero_grad`` of the objects the function reaches through the recorder
    while it records; returns the function that undoes it."""
    undo = []
    for obj, names in opaque.values():
        for name in names:
            own = obj.__dict__.get(name)
            obj.__dict__[name] = _recording_call(rec, getattr(obj, name), name)
            undo.append((obj, name, own))

    def restore():
        for obj, name, own in undo:
            if own is None:
                del obj.__dict__[name]
            else:
                obj.__dict__[name] = own

    return restore


def _recording_call(rec, method, name):
    @functools.wraps(method)  # keeps the marks others put on it (an LR scheduler's)
    def call(*args, **kwargs):
        if _state.RECORDER is not rec or rec.depth:
            return method(*args, **kwargs)
        try:
            if name == "step" and (args or kwargs):
                rec.fail("optimizer.step(closure) inside the compiled region")
            rec.check_leaves()
        except GraphBreak:
            return method(*args, **kwargs)
        rec.depth += 1
        try:
            out = method(*args, **kwargs)
        finally:
            rec.depth -= 1
        rec.program.append(("call", method, args, kwargs))
        rec.after_call()
        return out

    return call
