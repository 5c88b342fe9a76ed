"""The running test's steps: numbered, recorded or replayed, and checked against the record.

A recording is kept per context: a test (by node id), the import of a test module, or a
module- or session-scoped fixture. Each holds the number of steps and, by step number, the
steps that returned plain data, raised or warned: ``[label, digest, kind, form, warnings]``.
The digest chains every step's label and argument signature, so that a test whose calls
changed since the recording fails at the first changed step instead of comparing against
values PyTorch gave for other inputs.
"""

from __future__ import annotations

import hashlib
import warnings

import pytest

from . import codec
from .store import STORE

RERECORD = "re-record with `python tests/oracle/record.py` where PyTorch is installed"


_CONTEXT_STATE = ("context", "steps", "_digest", "_events", "_arrays", "_recorded", "_objects")


class Session:
    def __init__(self):
        self.depth = 0  # > 0 while PyTorch runs a recorded call
        self.wrap = None  # the proxy class, set by proxy.py
        self.context = None
        self.steps = 0
        self._digest = hashlib.blake2b(digest_size=4)
        self._events = {}  # recording: step -> event
        self._arrays = []
        self._recorded = None  # replay: the context's recording
        self._objects = {}  # id of each PyTorch object returned -> (its number, its proxy)

    def begin(self, key: str, replay: bool):
        self.context, self.steps = key, 0
        self._digest = hashlib.blake2b(digest_size=4)
        self._events, self._arrays, self._objects = {}, [], {}
        self._recorded = STORE.get(key) if replay else None

    def snapshot(self):
        """The context's recording so far: (steps and events, arrays)."""
        return {"n": self.steps, "e": self._events}, self._arrays

    def end(self):
        """The context's recording; leaves the context."""
        recording = self.snapshot()
        self.context, self._recorded, self._objects = None, None, {}
        return recording

    def suspend(self):
        """Leave the context for a nested one (a wide fixture set up by a test)."""
        state = {k: getattr(self, k) for k in _CONTEXT_STATE}
        self.context = None
        return state

    def resume(self, state):
        for name, value in state.items():
            setattr(self, name, value)

    def next_step(self, label: str, signature: str) -> int:
        self.steps += 1
        self._digest.update(f"{label}{signature};".encode())
        return self.steps

    def recorded_failure(self) -> str:
        """Why the test failed while it was recorded ('' if it passed): such a test compares
        in ways a replay cannot follow (PyTorch runs its callbacks, writes its files)."""
        return (self._recorded or {}).get("why", "")

    def check_count(self):
        """A replayed test must have taken every recorded step: fewer means it changed."""
        if self._recorded is not None and self._recorded["n"] != self.steps:
            pytest.fail(
                f"{self.context}: {self._recorded['n']} PyTorch steps recorded, "
                f"{self.steps} replayed: the test changed since it was recorded; {RERECORD}"
            )

    # --- recording -----------------------------------------------------------------------
    def record_return(self, index, label, result, caught):
        value, form = codec.encode(result, self._arrays, self._wrap)
        warns = self._warning_forms(caught)
        if form is not codec.PLACEHOLDER or warns:
            self._events[index] = [label, self._digest.hexdigest(), "v", form, warns]
        _emit(warns)
        return value

    def record_raise(self, index, label, exc, caught):
        warns = self._warning_forms(caught)
        form = codec.exception_form(exc)
        self._events[index] = [label, self._digest.hexdigest(), "x", form, warns]
        _emit(warns)

    def _wrap(self, real):
        # NOTE: the same PyTorch object comes back as the same proxy, and the recording says
        # so, so that identity (``x.add_(1) is x``) holds in a replay as it does live
        seen = self._objects.get(id(real))
        if seen is not None:
            return seen[1], {"s": seen[0]}
        proxy = self.wrap(real)
        # the object is kept alive with its entry, so that its id is not reused
        self._objects[id(real)] = (len(self._objects), proxy, real)
        return proxy, codec.PLACEHOLDER

    @staticmethod
    def _warning_forms(caught):
        return [[codec.class_info(w.category), str(w.message)] for w in caught]

    # --- replay --------------------------------------------------------------------------
    def replay(self, index, label, concrete):
        if self._recorded is None:
            if self.context and not STORE.has_file(self.context):
                reason = f"PyTorch not installed and {self.context} not recorded"
                pytest.skip(reason, allow_module_level=True)
            where = self.context or "outside a test"
            pytest.fail(f"{where}: no recorded PyTorch values; {RERECORD}")
        event = self._recorded["e"].get(str(index))
        if event is None:
            if concrete:
                self._stale(index, label, "nothing recorded there")
            return self._unwrap_ref("p", None)
        rlabel, digest, kind, form, warns = event
        if rlabel != label or digest != self._digest.hexdigest():
            self._stale(index, label, f"recorded as {rlabel!r} with other arguments")
        _emit(warns)
        if kind == "x":
            raise codec.rebuild_exception(form)
        return codec.decode(form, self._recorded["array"], self._unwrap_ref)

    def _unwrap_ref(self, kind, number):
        if kind == "s":
            return self._objects[number]
        proxy = self.wrap()
        self._objects[len(self._objects)] = proxy
        return proxy

    def _stale(self, index, label, why):
        pytest.fail(f"{self.context}: PyTorch step {index} ({label}): {why}; {RERECORD}")


def _emit(warns):
    for info, message in warns:
        warnings.warn(message, codec.rebuild_class(*info), stacklevel=4)


SESSION = Session()
