"""A protocol-2 pickle writer that names PyTorch's globals without importing PyTorch.

Python's own pickler refuses to write ``GLOBAL torch._utils _rebuild_tensor_v2`` unless it can
import that object, so the opcodes are emitted here: tensors as PyTorch writes them (a
``('storage', ...)`` persistent id plus ``_rebuild_tensor_v2``), containers and numbers with the
same opcodes Python's protocol-2 pickler uses, anything else through its ``__reduce_ex__(2)``.
A file with only tensors, numbers, strings and containers loads under PyTorch's
``weights_only=True``.
"""

from __future__ import annotations

import collections
import copyreg
import pickle
import struct
import types
from _compat_pickle import REVERSE_IMPORT_MAPPING, REVERSE_NAME_MAPPING

from .._backend import device
from .._dtype import dtype
from .._tensor import Size, Tensor

_BATCH = 1000
_FUNCTIONS = (types.FunctionType, types.BuiltinFunctionType, type)


def _parameter_class():
    try:
        from ..nn.parameter import Parameter
    except ImportError:  # pragma: no cover - nn is part of the package
        return ()
    return Parameter


class Pickler:
    """Pickles one object; ``describe(tensor)`` gives each tensor's storage reference."""

    def __init__(self, describe, legacy: bool = False):
        self._describe = describe
        self._legacy = legacy  # pre-1.6 storage references carry a sixth field (None)
        self._out = [b"\x80\x02"]
        self._memo = {}
        self._keep = []
        self._globals = {}
        self._busy = set()
        self._parameter = _parameter_class()

    def dumps(self, obj) -> bytes:
        self.save(obj)
        self._out.append(b".")
        return b"".join(self._out)

    # --- primitives ------------------------------------------------------------------------
    def _put(self, obj) -> None:
        idx = len(self._memo)
        self._memo[id(obj)] = idx
        self._keep.append(obj)
        self._out.append(b"q" + bytes((idx,)) if idx < 256 else b"r" + struct.pack("<I", idx))

    def _get(self, idx: int) -> None:
        self._out.append(b"h" + bytes((idx,)) if idx < 256 else b"j" + struct.pack("<I", idx))

    def _global(self, module: str, name: str) -> None:
        key = (module, name)
        if key in REVERSE_NAME_MAPPING:
            module, name = REVERSE_NAME_MAPPING[key]
        elif module in REVERSE_IMPORT_MAPPING:
            module = REVERSE_IMPORT_MAPPING[module]
        idx = self._globals.get((module, name))
        if idx is not None:
            self._get(idx)
            return
        self._out.append(f"c{module}\n{name}\n".encode("utf-8"))
        idx = self._globals[(module, name)] = len(self._memo)
        self._memo[("global", module, name)] = idx
        self._out.append(b"q" + bytes((idx,)) if idx < 256 else b"r" + struct.pack("<I", idx))

    def _int(self, x: int) -> None:
        if 0 <= x < 256:
            self._out.append(b"K" + bytes((x,)))
        elif 0 <= x < 65536:
            self._out.append(b"M" + struct.pack("<H", x))
        elif -(2**31) <= x < 2**31:
            self._out.append(b"J" + struct.pack("<i", x))
        else:
            raw = pickle.encode_long(x)
            head = (
                b"\x8a" + bytes((len(raw),))
                if len(raw) < 256
                else b"\x8b" + struct.pack("<i", len(raw))
            )
            self._out.append(head + raw)

    def _str(self, s: str) -> None:
        raw = s.encode("utf-8", "surrogatepass")
        self._out.append(b"X" + struct.pack("<I", len(raw)) + raw)

    def _tuple(self, items) -> None:
        n = len(items)
        if n == 0:
            self._out.append(b")")
            return
        if n > 3:
            self._out.append(b"(")
        for x in items:
            self.save(x)
        self._out.append(b"t" if n > 3 else b"\x85\x86\x87"[n - 1 : n])

    def _reduce_global(self, module: str, name: str, args: tuple) -> None:
        self._global(module, name)
        self._tuple(args)
        self._out.append(b"R")

    def _items(self, pairs, op: bytes) -> None:
        """Batches of SETITEMS (``op=b'u'``) or APPENDS (``op=b'e'``)."""
        batch = []
        for item in pairs:
            batch.append(item)
            if len(batch) == _BATCH:
                self._batch(batch, op)
                batch = []
        if batch:
            self._batch(batch, op)

    def _batch(self, batch, op: bytes) -> None:
        self._out.append(b"(")
        for item in batch:
            if op == b"u":
                self.save(item[0])
                self.save(item[1])
            else:
                self.save(item)
        self._out.append(op)

    # --- objects ---------------------------------------------------------------------------
    def save(self, obj) -> None:
        t = type(obj)
        if obj is None:
            self._out.append(b"N")
        elif t is bool:
            self._out.append(b"\x88" if obj else b"\x89")
        elif t is int:
            self._int(obj)
        elif t is float:
            self._out.append(b"G" + struct.pack(">d", obj))
        elif t is str:
            self._str(obj)
        elif id(obj) in self._memo:
            self._get(self._memo[id(obj)])
        else:
            self._save_object(obj, t)

    def _save_object(self, obj, t) -> None:
        if isinstance(obj, Tensor):
            self._tensor(obj)
        elif t is dict or t is collections.OrderedDict:
            if t is dict:
                self._out.append(b"}")
            else:
                self._reduce_global("collections", "OrderedDict", ())
            self._put(obj)
            self._items(obj.items(), b"u")
            if t is not dict and obj.__dict__:
                self.save(obj.__dict__)
                self._out.append(b"b")
        elif t is list:
            self._out.append(b"]")
            self._put(obj)
            self._items(obj, b"e")
        elif t is tuple:
            if id(obj) in self._busy:
                raise ValueError("numtorch.save cannot save a tuple that contains itself")
            self._busy.add(id(obj))
            self._tuple(obj)
            self._busy.discard(id(obj))
            if id(obj) not in self._memo:
                self._put(obj)
        elif isinstance(obj, Size):
            self._reduce_global("torch", "Size", (tuple(obj),))
        elif isinstance(obj, dtype):
            self._global("torch", obj.name)
        elif isinstance(obj, device):
            self._reduce_global("torch", "device", (str(obj),))
        elif t is bytes:
            self._reduce_global("_codecs", "encode", (obj.decode("latin1"), "latin1"))
        elif t is bytearray:
            self._reduce_global("builtins", "bytearray", (bytes(obj),))
        elif t is complex:
            self._reduce_global("builtins", "complex", (obj.real, obj.imag))
        elif t is set or t is frozenset:
            self._reduce_global("builtins", t.__name__, (list(obj),))
        elif isinstance(obj, _FUNCTIONS):
            self._global(obj.__module__, obj.__qualname__)
        else:
            self._reduce(obj)
            return
        if t not in (dict, collections.OrderedDict, list, tuple) and id(obj) not in self._memo:
            self._put(obj)

    def _tensor(self, t: Tensor) -> None:
        if self._parameter and isinstance(t, self._parameter):
            self._global("torch._utils", "_rebuild_parameter")
            self._plain_tensor(t, False)
            self.save(bool(t._rg))
            self._reduce_global("collections", "OrderedDict", ())
            self._out.append(b"\x87R")
        else:
            self._plain_tensor(t, bool(t._rg))

    def _plain_tensor(self, t: Tensor, requires_grad: bool) -> None:
        storage_class, key, location, numel, offset, size, stride, dtype_name = self._describe(t)
        self._global("torch._utils", "_rebuild_tensor_v3" if dtype_name else "_rebuild_tensor_v2")
        self._out.append(b"((")
        self._str("storage")
        self._global(*storage_class)
        self._str(key)
        self._str(location)
        self._int(numel)
        self._out.append(b"NtQ" if self._legacy else b"tQ")
        self._int(offset)
        self._tuple(size)
        self._tuple(stride)
        self.save(requires_grad)
        self._reduce_global("collections", "OrderedDict", ())
        if dtype_name:
            self._global("torch", dtype_name)
        self._out.append(b"tR")

    def _reduce(self, obj) -> None:
        """Any other object, through the protocol Python's pickler uses."""
        try:
            rv = obj.__reduce_ex__(2)
        except TypeError as e:
            raise pickle.PicklingError(f"cannot save {type(obj).__name__} object: {e}") from None
        if isinstance(rv, str):
            self._global(pickle.whichmodule(obj, rv), rv)
            self._put(obj)
            return
        func, args, state, listitems, dictitems = (tuple(rv) + (None,) * 5)[:5]
        if getattr(func, "__name__", "") == "__newobj__" and func is copyreg.__newobj__:
            self.save(args[0])
            self._tuple(args[1:])
            self._out.append(b"\x81")
        else:
            self.save(func)
            self._tuple(args)
            self._out.append(b"R")
        self._put(obj)
        if listitems is not None:
            self._items(listitems, b"e")
        if dictitems is not None:
            self._items(dictitems, b"u")
        if state is not None:
            self.save(state)
            self._out.append(b"b")
