"""A stand-in GPU for machines without one: NumPy arrays of a subclass, served as device "cuda".

It lets the suite exercise the device plumbing (device checks, transfers, mixed-device errors,
save/load locations) with no GPU. Like CuPy, its arrays refuse to mix with NumPy arrays (0-d
ones aside, as PyTorch lets a 0-d CPU tensor join a GPU op), so an op that builds a host array
where it should ask its operands' ``xp`` fails here as it would on a GPU.
"""

from __future__ import annotations

import types

import numpy as np

from numtorch import _backend

CUDA0 = _backend.device("cuda", 0)


def _plain(x):
    if isinstance(x, StandinArray):
        return x.view(np.ndarray)
    if isinstance(x, (list, tuple)):
        return type(x)(_plain(v) for v in x)
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    return x


def _check(x):
    if type(x) is np.ndarray and x.ndim:
        raise TypeError(f"Unsupported type {type(x)}")
    if isinstance(x, (list, tuple)):
        for v in x:
            _check(v)


def _on_device(res):
    if isinstance(res, np.ndarray):
        return res.view(StandinArray)
    if isinstance(res, np.generic):
        return np.asarray(res).view(StandinArray)
    if isinstance(res, (list, tuple)):  # split's list, as CuPy's, holds device arrays
        items = [_on_device(r) for r in res]
        return type(res)(*items) if hasattr(res, "_fields") else type(res)(items)
    return res


def _defers_to(x):
    return not isinstance(x, np.ndarray) and getattr(x, "__array_priority__", 0) > 100


class StandinArray(np.ndarray):
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if any(_defers_to(x) for x in inputs):
            return NotImplemented  # as CuPy: ``array / tensor`` becomes ``tensor.__rtruediv__``
        _check(inputs)
        if "out" in kwargs:
            kwargs["out"] = _plain(kwargs["out"])
        return _on_device(getattr(ufunc, method)(*_plain(inputs), **kwargs))

    def __array_function__(self, func, types, args, kwargs):
        _check(args)
        _check(tuple(kwargs.values()))
        return _on_device(func(*_plain(args), **_plain(kwargs)))


class StandinRng:
    """A NumPy ``Generator`` whose draws land on the stand-in device, as CuPy's do on a GPU."""

    def __init__(self, rng):
        self._rng = rng

    def __getattr__(self, name):
        method = getattr(self._rng, name)
        return lambda *a, **k: _on_device(method(*_plain(a), **_plain(k)))


class StandinModule:
    """NumPy, with every function's array results on the stand-in device."""

    def __init__(self, module):
        self._module = module

    def __getattr__(self, name):
        if name == "default_rng":  # numpy.random's
            return lambda *a, **k: StandinRng(self._module.default_rng(*a, **k))
        attr = getattr(self._module, name)
        if isinstance(attr, types.ModuleType):
            return StandinModule(attr)
        # a ufunc keeps its methods (reduce, at): stand-in operands route it to __array_ufunc__
        if callable(attr) and not isinstance(attr, (type, np.ufunc)):
            return lambda *a, **k: _on_device(attr(*a, **k))
        return attr


def _from_host(host, index):
    return np.array(host).view(StandinArray)


def _special():
    import scipy.special

    return StandinModule(scipy.special)


BACKEND = _backend.Backend(
    StandinModule(np),
    StandinArray,
    lambda arr: CUDA0,
    lambda arr: np.array(arr.view(np.ndarray)),
    _from_host,
    special=_special,
)
