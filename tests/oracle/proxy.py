"""A stand-in for the ``torch`` module that records what PyTorch returns, or replays it.

Every operation a test performs on the stand-in (attribute, call, index, arithmetic,
comparison, iteration, conversion) is one numbered step of the running test. While recording,
each step runs on real PyTorch: a result that is PyTorch's own object (a tensor, a dtype, a
module) comes back wrapped in a new ``Proxy``; plain data (NumPy arrays, numbers, strings,
containers of them) comes back as it is and is recorded under the step's number, as are the
exceptions and warnings PyTorch raises. While replaying, nothing is computed: a step returns
what was recorded under its number, or a new empty ``Proxy`` where PyTorch's object stood.
Inside a call into PyTorch (a callback, a hook) the stand-in passes real objects through
uncounted, since a replay never runs those calls.
"""

from __future__ import annotations

import copy
import functools
import operator
import types
import warnings

import numpy as np

from .session import SESSION

REPLAY = object()  # the ``_real`` of a replayed proxy: there is nothing behind it


class Proxy:
    """One PyTorch object as the test sees it."""

    __slots__ = ("_real",)
    __array_priority__ = 1000  # as torch.Tensor's: NumPy defers ``array + tensor`` to us

    def __init__(self, real=REPLAY):
        object.__setattr__(self, "_real", real)

    def __getattr__(self, name):
        if name.startswith("__") and name not in _PUBLIC_DUNDERS:
            # protocol probes (copy, pickle, NumPy) must not count as steps
            raise AttributeError(name)
        return _step(self, "." + name, (), lambda r: getattr(r, name))

    def __setattr__(self, name, value):
        _step(self, "=" + name, (value,), lambda r, v: setattr(r, name, v))

    def __call__(self, *args, **kwargs):
        return _step(self, "()", (args, kwargs), lambda r, a, k: r(*a, **k))

    def __getitem__(self, key):
        return _step(self, "[]", (key,), operator.getitem)

    def __setitem__(self, key, value):
        _step(self, "[]=", (key, value), operator.setitem)

    def __iter__(self):
        return iter(_step(self, "iter", (), list, concrete=True))

    def __next__(self):
        return _step(self, "next", (), next)

    def __enter__(self):
        return _step(self, "enter", (), lambda r: r.__enter__())

    def __exit__(self, *exc):
        return _step(self, "exit", (), lambda r: r.__exit__(*exc))

    def __array__(self, dtype=None, copy=None):
        arr = _step(self, "array", (), np.asarray, concrete=True)
        return arr if dtype is None else arr.astype(dtype)

    def __hash__(self):
        key = _step(self, "hash", (), _value_hash_key, concrete=True)
        return object.__hash__(self) if key is None else hash(key)

    def __format__(self, spec):
        return _step(self, "format", (spec,), format, concrete=True)

    def __instancecheck__(self, obj):
        return _step(self, "isinstance", (obj,), lambda r, o: isinstance(o, r), concrete=True)

    def __subclasscheck__(self, cls):
        return _step(self, "issubclass", (cls,), lambda r, c: issubclass(c, r), concrete=True)

    def __mro_entries__(self, bases):
        # NOTE: a test class deriving from a PyTorch class runs PyTorch's own code, which a
        # replay cannot: its instances skip there
        if self._real is REPLAY:
            return (_NeedsLiveTorch,)
        return (self._real,)

    def __deepcopy__(self, memo):
        return _step(self, "deepcopy", (), copy.deepcopy)

    def __copy__(self):
        return _step(self, "copy", (), copy.copy)

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        # reached only when PyTorch, inside a recorded call, meets a proxy the test captured
        return func(*unwrap(args), **unwrap(kwargs or {}))


_PUBLIC_DUNDERS = {"__version__", "__name__", "__qualname__"}


class _NeedsLiveTorch:
    def __new__(cls, *args, **kwargs):
        import pytest

        pytest.skip(f"{cls.__name__} subclasses a PyTorch class: needs PyTorch installed")


def _value_hash_key(real):
    # dtypes and devices are equal by value, so a replay must hash them by value; anything
    # else hashes by identity
    if type(real).__name__ in ("dtype", "device", "layout", "memory_format"):
        return repr(real)
    return None


def _make_unary(label, fn, concrete):
    return lambda self: _step(self, label, (), fn, concrete=concrete)


def _make_binary(label, fn, reflected):
    if reflected:
        return lambda self, other: _step(self, label, (other,), lambda r, o: fn(o, r))
    return lambda self, other: _step(self, label, (other,), fn)


_CONCRETE = {
    "__str__": str,
    "__repr__": repr,
    "__bool__": bool,
    "__len__": len,
    "__int__": int,
    "__float__": float,
    "__complex__": complex,
    "__index__": operator.index,
    "__contains__": None,
}
for _name, _fn in _CONCRETE.items():
    if _fn is not None:
        setattr(Proxy, _name, _make_unary(_name.strip("_"), _fn, True))
Proxy.__contains__ = lambda self, item: _step(
    self, "in", (item,), lambda r, i: i in r, concrete=True
)
Proxy.__round__ = lambda self, n=None: _step(self, "round", (n,), round)
for _name in ("neg", "pos", "abs", "invert"):
    setattr(Proxy, f"__{_name}__", _make_unary(_name, getattr(operator, _name), False))
for _name in ("eq", "ne", "lt", "le", "gt", "ge"):
    setattr(Proxy, f"__{_name}__", _make_binary(_name, getattr(operator, _name), False))
for _name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and", "or"):
    _op = _name + "_" if _name in ("and", "or") else _name
    setattr(Proxy, f"__{_name}__", _make_binary(_name, getattr(operator, _op), False))
    setattr(Proxy, f"__r{_name}__", _make_binary("r" + _name, getattr(operator, _op), True))
    setattr(
        Proxy, f"__i{_name}__", _make_binary("i" + _name, getattr(operator, "i" + _name), False)
    )
for _name in ("xor", "lshift", "rshift"):
    setattr(Proxy, f"__{_name}__", _make_binary(_name, getattr(operator, _name), False))
    setattr(Proxy, f"__r{_name}__", _make_binary("r" + _name, getattr(operator, _name), True))


def unwrap(obj):
    """``obj`` with every proxy replaced by the PyTorch object behind it."""
    if isinstance(obj, Proxy):
        return object.__getattribute__(obj, "_real")
    if isinstance(obj, tuple):
        items = [unwrap(o) for o in obj]
        return type(obj)(*items) if hasattr(obj, "_fields") else tuple(items)
    if isinstance(obj, list):
        return [unwrap(o) for o in obj]
    if isinstance(obj, dict):
        return {k: unwrap(v) for k, v in obj.items()}
    if isinstance(obj, slice):
        return slice(unwrap(obj.start), unwrap(obj.stop), unwrap(obj.step))
    return obj


def signature(obj) -> str:
    """The shape of ``obj`` as a step's arguments: structure, array shapes, integers, short
    strings. Float values and paths are left out, so that a machine's last-bit differences
    and temporary folders do not make a recording look stale."""
    if isinstance(obj, Proxy):
        return "P"
    if isinstance(obj, np.ndarray):
        return f"a{obj.dtype}{obj.shape}"
    if obj is None or isinstance(obj, (bool, int)):
        return repr(obj)
    if isinstance(obj, str):
        return repr(obj) if "/" not in obj and len(obj) < 80 else "s"
    if isinstance(obj, (tuple, list)):
        return "(" + ",".join(signature(o) for o in obj) + ")"
    if isinstance(obj, dict):
        return "{" + ",".join(f"{k}:{signature(v)}" for k, v in obj.items()) + "}"
    if isinstance(obj, slice):
        return "slice" + signature((obj.start, obj.stop, obj.step))
    return type(obj).__name__


def _unwrapping(result):
    # a function a callback takes from the stand-in (``torch.func.functional_call``) may be
    # handed proxies the test captured outside
    if isinstance(result, (types.FunctionType, types.BuiltinFunctionType, types.MethodType)):
        return functools.wraps(result)(lambda *a, **k: result(*unwrap(a), **unwrap(k)))
    return result


def _step(proxy, label, args, fn, concrete=False):
    real = object.__getattribute__(proxy, "_real")
    if SESSION.depth:  # inside a call into PyTorch: real objects, not counted
        return _unwrapping(fn(real, *unwrap(args)))
    index = SESSION.next_step(label, signature(args))
    if real is REPLAY:
        return SESSION.replay(index, label, concrete)
    SESSION.depth += 1
    error = None
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                result = fn(real, *unwrap(args))
            except Exception as exc:
                error = exc
    finally:
        SESSION.depth -= 1
    if error is not None:
        SESSION.record_raise(index, label, error, caught)
        raise error
    return SESSION.record_return(index, label, result, caught)


SESSION.wrap = Proxy
