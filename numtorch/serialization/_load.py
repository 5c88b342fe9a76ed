"""Reading a checkpoint: storages from the zip (read, or memory-mapped), ``map_location``, and
the choice between the safe interpreter and Python's full unpickler."""

from __future__ import annotations

import importlib
import pickle
import re
import sys

import numpy

from .. import _backend
from .._backend import device
from .._tensor import Tensor, wrap
from . import _globals
from ._rebuild import MissingDtype, Storage, StorageType, storage_reference
from ._unpickler import CheckpointUnpickler
from ._zip import CheckpointError


def restorer(map_location):
    """``map_location`` as a function ``(flat array, location) -> flat array``."""
    if map_location is None:
        return _to_device
    if isinstance(map_location, (str, bytes, device)):
        target = map_location.decode() if isinstance(map_location, bytes) else str(map_location)
        return lambda arr, loc: _to_device(arr, target)
    if isinstance(map_location, dict):
        return lambda arr, loc: _to_device(arr, str(map_location.get(loc, loc)))
    if callable(map_location):

        def restore(arr, loc):
            out = map_location(wrap(arr), loc)
            if out is None:
                return _to_device(arr, loc)
            if not isinstance(out, Tensor):
                raise TypeError(
                    f"map_location returned {type(out).__name__}; it must return a tensor "
                    "(the storage it was given, or a copy on another device) or None"
                )
            if out._data.nbytes != arr.nbytes or out._data.ndim != 1:
                raise RuntimeError("map_location must return a storage of the same size")
            return out._data

        return restore
    raise TypeError(
        f"map_location must be a str, device, dict or callable, not {type(map_location).__name__}"
    )


# the locations PyTorch's deserializers claim: cpu, meta, mps..., and <backend>, <backend>:...,
# <backend><digits> for its other backends
_LOCATION = re.compile(r"(cpu|meta)\Z|mps|(cuda|privateuseone|hpu|xpu|mtia)(\Z|:|[0-9]+)")


def _to_device(arr, location):
    if not isinstance(location, str):
        raise CheckpointError(f"checkpoint gives a non-string storage location: {location!r:.40}")
    if not _LOCATION.match(location):
        raise RuntimeError(  # PyTorch's text
            "don't know how to restore data location of torch.storage.UntypedStorage (tagged "
            f"with {location})"
        )
    dev = device(location)
    if dev.type == "cpu":
        return arr
    try:
        xp = _backend.module_for(dev)
    except (RuntimeError, AssertionError):  # AssertionError: CUDA without CuPy
        raise RuntimeError(
            f"Attempting to deserialize object on a {dev.type.upper()} device but "
            f"torch.{dev.type}.is_available() is False. If you are running on a CPU-only "
            "machine, please use torch.load with map_location=torch.device('cpu') to map your "
            "storages to the CPU."
        ) from None
    return xp.asarray(arr)


class StorageLoader:
    """``persistent_load`` for zip checkpoints: each ``data/<key>`` read once, then shared."""

    def __init__(self, reader, restore, mm=None, meta=False):
        self.reader, self.restore, self.mm, self.meta = reader, restore, mm, meta
        self.cache = {}
        # a checkpoint without the record is little-endian, as PyTorch assumes
        order = reader.read("byteorder") if reader.has("byteorder") else b"little"
        if order not in (b"little", b"big"):
            raise CheckpointError(f"{reader.name}: unknown byte order record")
        self.swap = order != sys.byteorder.encode()

    def __call__(self, pid):
        stype, key, location, numel = storage_reference(pid)  # PyTorch's ValueError
        if isinstance(location, bytes):
            location = location.decode("ascii")
        if not isinstance(stype, StorageType):
            raise CheckpointError(f"storage reference names {type(stype).__name__}, not a storage")
        if not isinstance(key, str) or type(numel) is not int or numel < 0:
            raise CheckpointError(f"invalid storage reference {pid!r:.120}")
        if key in self.cache:
            return self.cache[key]
        dtype = stype.dtype
        if isinstance(dtype, MissingDtype) and not self.meta:
            raise dtype.error()
        if self.meta:
            self.reader.check(f"data/{key}", numel * dtype.itemsize)
            storage = Storage(key, dtype, numel, None, location)
        else:
            storage = Storage(key, dtype, numel, self._array(key, numel, dtype, location), location)
        self.cache[key] = storage
        return storage

    def _array(self, key, numel, dtype, location):
        nbytes = numel * dtype.itemsize
        record = f"data/{key}"
        if self.mm is not None:
            offset = self.reader.locate(record, nbytes)
            raw = (
                numpy.frombuffer(self.mm, numpy.uint8, nbytes, offset)
                if nbytes
                else numpy.empty(0, numpy.uint8)
            )
        else:
            raw = self.reader.read_array(record, nbytes)
        arr = raw.view(dtype.np)
        if self.swap:
            arr = arr.byteswap()
        return self.restore(arr, location)


class FullUnpickler(pickle.Unpickler):
    """``weights_only=False``: Python's unpickler (runs any code the file names), with
    PyTorch's names mapped onto numtorch's."""

    def __init__(self, file, persistent_load, **kwargs):
        super().__init__(file, **kwargs)
        self._persistent = persistent_load

    def find_class(self, module, name):
        full = f"{module}.{name}"
        table = _globals.default_globals()
        if full in table:
            return table[full]
        if module == "torch" or module.startswith("torch."):
            try:
                obj = importlib.import_module("numtorch" + module[len("torch") :])
                for part in name.split("."):
                    obj = getattr(obj, part)
                return obj
            except (ImportError, AttributeError):
                raise pickle.UnpicklingError(f"numtorch has no counterpart of {full}") from None
        return super().find_class(module, name)

    def persistent_load(self, pid):
        if isinstance(pid, tuple) and pid and pid[0] in ("module", b"module"):
            return pid[1]
        return self._persistent(pid)


def unpickle(
    data: bytes,
    persistent_load,
    weights_only: bool,
    encoding: str = "utf-8",
    pos: int = 0,
    describe: bool = False,
    **pickle_load_args,
):
    """Run one pickle from ``data[pos:]``; returns (object, position after it). ``describe``
    keeps the globals a weights-only load refuses as inert records (``numtorch inspect``)."""
    if describe:
        from ._describe import DescribingUnpickler

        up = DescribingUnpickler(data, persistent_load, pos, encoding)
        return up.load(), up.pos
    if weights_only:
        up = CheckpointUnpickler(data, persistent_load, pos, encoding)
        obj = up.load()
        return obj, up.pos
    import io

    bio = io.BytesIO(data)
    bio.seek(pos)
    obj = FullUnpickler(bio, persistent_load, encoding=encoding, **pickle_load_args).load()
    return obj, bio.tell()
