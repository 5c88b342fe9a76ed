"""What PyTorch returned, as JSON plus arrays, and back.

Plain data (numbers, strings, NumPy arrays, containers of them) is stored; any other object
(a tensor, a dtype, a module) is a placeholder that a replay turns into a new proxy, or a
reference to an object an earlier step returned (``out is y`` for an in-place method).
Exception and warning classes are stored by name and rebuilt on their nearest built-in base,
so that ``pytest.raises(torch.linalg.LinAlgError)`` and ``pytest.raises(RuntimeError)`` both
still catch a replayed error.
"""

from __future__ import annotations

import builtins
import collections
import functools

import numpy as np

PLACEHOLDER = {"p": 0}
_SCALARS = (type(None), bool, int, float, str)


def encode(obj, arrays: list, wrap):
    """(what the test gets, the JSON form) of ``obj``; arrays are appended to ``arrays``,
    ``wrap(obj)`` gives both for a PyTorch object."""
    if type(obj) in _SCALARS:
        return obj, obj
    if isinstance(obj, complex):
        return obj, {"c": [obj.real, obj.imag]}
    if isinstance(obj, (np.ndarray, np.generic)) and obj.dtype.kind != "O":
        arrays.append(np.array(obj))  # a copy: PyTorch's .numpy() shares the tensor's memory
        return obj, {"a" if isinstance(obj, np.ndarray) else "g": len(arrays) - 1}
    if isinstance(obj, type) and issubclass(obj, BaseException):
        return obj, {"xc": class_info(obj)}
    if isinstance(obj, (tuple, list, dict)):
        return _encode_container(obj, arrays, wrap)
    return wrap(obj)


def _encode_container(obj, arrays, wrap):
    if isinstance(obj, dict):
        pairs = [(encode(k, arrays, wrap), encode(v, arrays, wrap)) for k, v in obj.items()]
        value = {k[0]: v[0] for k, v in pairs}
        return value, {"d": [[k[1], v[1]] for k, v in pairs]}
    pairs = [encode(o, arrays, wrap) for o in obj]
    values, forms = [p[0] for p in pairs], [p[1] for p in pairs]
    if isinstance(obj, list):
        return values, forms
    fields = getattr(obj, "_fields", None) or getattr(type(obj), "__match_args__", None)
    if fields:  # a named tuple, or PyTorch's return_types (values, indices)
        name = type(obj).__name__
        return _named(name, tuple(fields))(*values), {"n": [name, list(fields), forms]}
    return tuple(values), {"t": forms}


def decode(form, array, wrap):
    """The value of a JSON form; ``array(i)`` loads the i-th stored array, ``wrap(kind, n)``
    gives the proxy of a placeholder ("p") or of a reference to object ``n`` ("s")."""
    if type(form) in _SCALARS:
        return form
    if isinstance(form, list):
        return [decode(f, array, wrap) for f in form]
    (kind, body) = next(iter(form.items()))
    if kind in ("p", "s"):
        return wrap(kind, body)
    if kind == "a":
        return array(body)
    if kind == "g":
        return array(body)[()]
    if kind == "c":
        return complex(*body)
    if kind == "t":
        return tuple(decode(f, array, wrap) for f in body)
    if kind == "d":
        return {decode(k, array, wrap): decode(v, array, wrap) for k, v in body}
    if kind == "n":
        name, fields, forms = body
        return _named(name, tuple(fields))(*(decode(f, array, wrap) for f in forms))
    if kind == "xc":
        return rebuild_class(*body)
    raise ValueError(f"unknown recorded form {kind!r}")


@functools.lru_cache(maxsize=None)
def _named(name, fields):
    return collections.namedtuple(name, fields)


def class_info(cls) -> list:
    """[name, module, nearest built-in base] of an exception or warning class."""
    base = next(c for c in cls.__mro__ if c.__module__ == "builtins")
    return [cls.__name__, cls.__module__, base.__name__]


@functools.lru_cache(maxsize=None)
def rebuild_class(name, module, base):
    """The class ``class_info`` described: the built-in itself, or a stand-in derived from its
    built-in base (one per name, so that a recorded raise matches a recorded class)."""
    if module == "builtins":
        return getattr(builtins, name)
    return type(name, (getattr(builtins, base),), {"__module__": module})


def exception_form(exc: BaseException) -> list:
    plain = all(type(a) in _SCALARS for a in exc.args)
    return [class_info(type(exc)), list(exc.args) if plain else [str(exc)]]


def rebuild_exception(form) -> BaseException:
    info, args = form
    cls = rebuild_class(*info)
    try:
        return cls(*args)
    except TypeError:  # a class built from fields (UnicodeDecodeError): its text was recorded
        return _told(cls)(*args)


@functools.lru_cache(maxsize=None)
def _told(cls):
    """``cls`` built from its recorded text alone."""
    return type(
        cls.__name__,
        (cls,),
        {"__module__": cls.__module__, "__init__": _keep_args, "__str__": _first_arg},
    )


def _keep_args(self, *args):
    pass  # BaseException.__new__ keeps them in .args


def _first_arg(self):
    return self.args[0]
