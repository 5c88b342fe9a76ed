"""The pre-1.6 checkpoint format (``_use_new_zipfile_serialization=False``): five pickles in a
row (magic number, protocol version, system info, the object, the storage keys) followed by
each storage as an int64 element count and its raw bytes."""

from __future__ import annotations

import struct

import numpy

from ._rebuild import MissingDtype, Storage, StorageType, storage_reference
from ._zip import CheckpointError

MAGIC_NUMBER = 0x1950A86A20F9469CFC6C
PROTOCOL_VERSION = 1001
_HEAD = b"\x80\x02\x8a\x0a"  # PROTO 2, LONG1 of 10 bytes: how the magic number pickles


def is_legacy(head: bytes) -> bool:
    return head.startswith(_HEAD)


class _LegacyStorages:
    """``persistent_load`` for the legacy format: storages are allocated when first named and
    filled once the object's pickle is done (the bytes come after it)."""

    def __init__(self, budget: int, restore, meta: bool):
        self.budget, self.restore, self.meta = budget, restore, meta
        self.roots = {}
        self.views = {}

    def __call__(self, pid):
        stype, key, location, numel, view = storage_reference(pid)  # PyTorch's ValueError
        if isinstance(location, bytes):
            location = location.decode("ascii")
        if (
            not isinstance(stype, StorageType)
            or not isinstance(key, str)
            or type(numel) is not int
            or numel < 0
        ):
            raise CheckpointError(f"invalid storage reference {pid!r:.120}")
        root = self.roots.get(key)
        if root is None:
            root = self.roots[key] = self._new(key, stype.dtype, numel, location)
        if view is None:
            return root
        if not (isinstance(view, tuple) and len(view) == 3):
            raise CheckpointError("invalid legacy storage view")
        view_key, offset, size = view
        if (
            type(offset) is not int
            or type(size) is not int
            or offset < 0
            or size < 0
            or offset + size > root.numel
        ):
            raise CheckpointError(f"legacy storage view {view!r:.80} lies outside its storage")
        if view_key not in self.views:
            arr = None if root.array is None else root.array[offset : offset + size]
            self.views[view_key] = Storage(view_key, root.dtype, size, arr, root.location)
        return self.views[view_key]

    def _new(self, key, dtype, numel, location):
        if isinstance(dtype, MissingDtype) and not self.meta:
            raise dtype.error()
        nbytes = numel * dtype.itemsize
        if nbytes > self.budget:
            raise CheckpointError(
                f"legacy checkpoint names storages larger than the file ({nbytes} bytes)"
            )
        self.budget -= nbytes
        arr = None if self.meta else self.restore(numpy.empty(numel, dtype.np), location)
        return Storage(key, dtype, numel, arr, location)

    def fill(self, data, pos: int, keys, little: bool) -> None:
        """Read each listed storage's bytes after the pickles, refusing a damaged file with
        PyTorch's errors (its reader's texts, an unknown key's bare AssertionError)."""
        for key in keys:
            storage = self.roots.get(key)
            if storage is None:
                if key in self.views:
                    raise CheckpointError(f"legacy checkpoint lists view '{key}' as a storage")
                raise AssertionError
            _need(data, pos, 8)
            (numel,) = struct.unpack("<q" if little else ">q", data[pos : pos + 8])
            nbytes = storage.numel * storage.dtype.itemsize
            on_disk = (numel * storage.dtype.itemsize + 2**63) % 2**64 - 2**63  # int64, as C++
            if on_disk != nbytes:  # PyTorch's text, its format string not filled in
                raise RuntimeError(
                    f"storage has wrong byte size: expected %ld got %ld{on_disk}{nbytes}"
                )
            _need(data, pos + 8, nbytes)
            if storage.array is not None and nbytes:
                raw = numpy.frombuffer(data, numpy.uint8, nbytes, pos + 8)
                values = raw.view(storage.dtype.np)
                storage.array[...] = values if little else values.byteswap()
            pos += 8 + nbytes


def _need(data, pos: int, n: int) -> None:
    if pos + n > len(data):
        missing = n - max(len(data) - pos, 0)
        raise RuntimeError(  # PyTorch's text
            f"unexpected EOF, expected {missing} more bytes. The file might be corrupted."
        )


def load_legacy(data: bytearray, restore, unpickle, meta: bool = False):
    """Load a legacy checkpoint held in ``data``; ``unpickle(data, pos, persistent_load)``
    runs one pickle and returns (object, next position)."""

    def refuse(pid):
        raise CheckpointError("unexpected storage reference in a legacy checkpoint header")

    magic, pos = unpickle(data, 0, refuse)
    if magic != MAGIC_NUMBER:
        raise RuntimeError("Invalid magic number; corrupt file?")  # PyTorch's type and text
    version, pos = unpickle(data, pos, refuse)
    if version != PROTOCOL_VERSION:
        raise RuntimeError(f"Invalid protocol version: {version!r:.40}")  # PyTorch's
    info, pos = unpickle(data, pos, refuse)
    little = not isinstance(info, dict) or info.get("little_endian", True) is not False
    storages = _LegacyStorages(len(data), restore, meta)
    obj, pos = unpickle(data, pos, storages)
    keys, pos = unpickle(data, pos, refuse)
    storages.fill(data, pos, keys, little)
    return obj
