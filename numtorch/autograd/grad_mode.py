"""Switches for gradient recording: no_grad, enable_grad, set_grad_enabled, inference_mode.

The switch is per thread, as in PyTorch: a DataLoader worker thread does not see the main
thread's ``no_grad``.
"""

from __future__ import annotations

import functools
import threading

from .. import _tensor


class _State(threading.local):
    enabled = True
    inference = False


STATE = _State()


def is_grad_enabled() -> bool:
    return STATE.enabled


def is_inference_mode_enabled() -> bool:
    return STATE.inference


class _Mode:
    """Base of the grad-mode switches: usable as a context manager and as a decorator."""

    _target = True

    def __enter__(self):
        self._prev = STATE.enabled
        STATE.enabled = self._target
        return None

    def __exit__(self, *exc):
        STATE.enabled = self._prev
        return False

    def __call__(self, fn):
        mode = self

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with mode._clone():
                return fn(*args, **kwargs)

        return wrapper

    def _clone(self):
        return self.__class__()


class no_grad(_Mode):
    """Context manager and decorator: ops inside record no graph; their results are leaves."""

    _target = False

    def __new__(cls, orig_func=None):
        # ``@no_grad`` without parentheses decorates directly
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class enable_grad(_Mode):
    """Context manager and decorator that turns gradient recording back on."""

    _target = True


class set_grad_enabled(_Mode):
    """``set_grad_enabled(False)`` switches recording off now, or for a ``with`` block."""

    def __init__(self, mode: bool):
        self._prev = STATE.enabled
        self._target = bool(mode)
        STATE.enabled = self._target

    def __enter__(self):
        return None

    def __call__(self, fn):
        STATE.enabled = self._prev  # as a decorator it only applies inside the function
        return super().__call__(fn)

    def _clone(self):
        return set_grad_enabled(self._target)


class inference_mode(_Mode):
    """Like ``no_grad``; tensors made inside report ``is_inference() == True``."""

    def __init__(self, mode: bool = True):
        self._target = not mode
        self._mode = bool(mode)

    def __enter__(self):
        self._prev = STATE.enabled
        self._prev_inf = STATE.inference
        STATE.enabled = self._target
        STATE.inference = self._mode
        _tensor._INFERENCE_OPEN[0] += self._mode
        return None

    def __exit__(self, *exc):
        STATE.enabled = self._prev
        STATE.inference = self._prev_inf
        _tensor._INFERENCE_OPEN[0] -= self._mode
        return False

    def _clone(self):
        return inference_mode(self._mode)
