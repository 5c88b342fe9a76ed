"""Reading a checkpoint's structure without running any of it, for ``numtorch inspect``.

A whole-module checkpoint (``torch.save(model)``) names the program's classes and PyTorch's
module classes. A weights-only load refuses them; this reader keeps each as an inert
``Opaque`` record of the class's name and the state the pickle gives it, so the tensors inside
can be listed. Nothing outside the allowlist is imported, called or instantiated.
"""

from __future__ import annotations

from pickle import UnpicklingError

from . import _globals
from ._unpickler import SafeUnpickler


class Global:
    """A class or function the file names and this reader does not import."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name


class Opaque:
    """An object the pickle would build by calling ``cls``: the name and what it was given."""

    __slots__ = ("cls", "args", "state", "items", "elements")

    def __init__(self, cls: str, args: tuple):
        self.cls, self.args, self.state = cls, args, None
        self.items, self.elements = {}, []

    def __repr__(self) -> str:
        return f"<{self.cls} object>"

    def attributes(self) -> dict:
        """The instance's attributes as BUILD gave them (``__dict__`` and slots together)."""
        state = self.state
        if isinstance(state, tuple) and len(state) == 2:
            merged = {}
            for part in state:
                if isinstance(part, dict):
                    merged.update(part)
            return merged
        return state if isinstance(state, dict) else {}


class DescribingUnpickler(SafeUnpickler):
    """``SafeUnpickler`` that keeps what it would refuse as ``Global`` / ``Opaque`` records."""

    def _global(self, module: str, name: str):
        try:
            return super()._global(module, name)
        except UnpicklingError:
            module, name = _globals.canonical(module, name)
            return Global(f"{module}.{name}")

    def _call(self, func, args):
        if isinstance(func, (Global, Opaque)):
            return Opaque(repr(func), args if isinstance(args, tuple) else ())
        return super()._call(func, args)

    def _new(self, cls, args):
        if isinstance(cls, (Global, Opaque)):
            return Opaque(repr(cls), args if isinstance(args, tuple) else ())
        return super()._new(cls, args)

    def _build(self, inst, state):
        if isinstance(inst, Opaque):
            inst.state = state
            return
        super()._build(inst, state)

    @staticmethod
    def _settable(target):
        if isinstance(target, Opaque):
            return target.items
        return SafeUnpickler._settable(target)

    @staticmethod
    def _list(target, verb):
        if isinstance(target, Opaque):
            return target.elements
        return SafeUnpickler._list(target, verb)
