"""``numtorch.save``: the object's pickle and each distinct storage once, in PyTorch's zip format.

Tensors that view the same memory (``x`` and ``x[2:5]``, ``w`` and ``w.t()``) share one
``data/<key>`` record, as in PyTorch: the record holds the whole memory block their arrays
belong to, and each tensor is an offset and strides into it.
"""

from __future__ import annotations

import os
import stat
import sys
import zlib
from concurrent.futures import ThreadPoolExecutor

import numpy

from .._backend import to_host
from ._pickler import Pickler
from ._rebuild import STORAGE_NAMES
from ._zip import ZipWriter


class _Region:
    """A raw uint8 window onto memory another array owns (kept alive through ``owner``)."""

    def __init__(self, ptr: int, nbytes: int, owner, readonly: bool):
        self.owner = owner
        self.__array_interface__ = {
            "data": (ptr, readonly),
            "shape": (nbytes,),
            "typestr": "|u1",
            "version": 3,
        }


def _bounds(arr) -> tuple:
    """The byte range [lo, hi) an array's elements occupy."""
    lo = hi = arr.__array_interface__["data"][0]
    if arr.size == 0:
        return lo, lo
    for n, s in zip(arr.shape, arr.strides):
        if s < 0:
            lo += (n - 1) * s
        else:
            hi += (n - 1) * s
    return lo, hi + arr.itemsize


def _contiguous_strides(shape) -> tuple:
    out, step = [], 1
    for n in reversed(shape):
        out.append(step)
        step *= max(n, 1)
    return tuple(reversed(out))


class StorageTable:
    """Assigns each memory block a key ('0', '1', ... in order of first use)."""

    def __init__(self):
        self._by_root = {}
        self.records = []  # (key, uint8 array of the block)

    def describe(self, t) -> tuple:
        arr = to_host(t._data)
        if not isinstance(arr, numpy.ndarray):  # a 0-d value held as a NumPy scalar
            arr = numpy.asarray(arr)
        dt = t.dtype
        root, lo, hi, offset, stride = self._place(arr)
        rec = self._by_root.get(id(root))
        if rec is None:
            key = str(len(self.records))
            region = numpy.asarray(_Region(lo, hi - lo, root, not arr.flags.writeable))
            rec = self._by_root[id(root)] = (key, dt, root)
            self.records.append((key, region))
        elif rec[1] is not dt:
            raise RuntimeError(
                "Cannot save multiple tensors or storages that view the same data as different "
                f"types: {rec[1]} and {dt}"
            )
        key = rec[0]
        numel = (hi - lo) // arr.itemsize
        device = t.device
        location = "cpu" if device.type == "cpu" else f"{device.type}:{device.index or 0}"
        name = STORAGE_NAMES.get(dt.name)
        if name is None:  # uint16/32/64: an untyped storage plus the dtype, as PyTorch writes
            return (
                ("torch.storage", "UntypedStorage"),
                key,
                location,
                hi - lo,
                offset,
                arr.shape,
                stride,
                dt.name,
            )
        return (("torch", name), key, location, numel, offset, arr.shape, stride, None)

    @staticmethod
    def _place(arr) -> tuple:
        """The owning array, its byte range, and the tensor's offset and strides in elements."""
        item = arr.itemsize
        ok = arr.size > 0 and all(
            s >= 0 and s % item == 0 for n, s in zip(arr.shape, arr.strides) if n > 1
        )
        if ok:
            root = arr
            while isinstance(root.base, numpy.ndarray):
                root = root.base
            lo, hi = _bounds(root)
            ptr = arr.__array_interface__["data"][0]
            a_lo, a_hi = _bounds(arr)
            ok = lo <= a_lo and a_hi <= hi and (ptr - lo) % item == 0 and (hi - lo) % item == 0
        if not ok:  # a layout PyTorch cannot express (negative strides ...): save a copy
            root = numpy.ascontiguousarray(arr)
            lo, hi = _bounds(root)
            ptr = lo
        contiguous = _contiguous_strides(arr.shape)
        stride = tuple(
            s // item if n > 1 else c for n, s, c in zip(arr.shape, arr.strides, contiguous)
        )
        if not ok:
            stride = contiguous
        return root, lo, hi, (ptr - lo) // item, stride


def archive_name(path) -> str:
    base = os.path.splitext(os.path.basename(os.fsdecode(path)))[0]
    return base if base and "/" not in base else "archive"


def write_archive(obj, fileobj, prefix: str) -> None:
    table = StorageTable()
    pickled = Pickler(table.describe).dumps(obj)
    zf = ZipWriter(fileobj, prefix)
    zf.write("data.pkl", pickled)
    zf.write("byteorder", sys.byteorder.encode("ascii"))
    # zlib releases the GIL: the CRC of the next storage is computed while this one is written
    with ThreadPoolExecutor(1) as pool:
        crcs = pool.map(zlib.crc32, [region for _, region in table.records])
        for (key, region), crc in zip(table.records, crcs):
            zf.write(f"data/{key}", region, crc)
    zf.write("version", b"3\n")
    zf.close()


def write_legacy(obj, fileobj) -> None:
    """The pre-1.6 format: five pickles, then each storage as an int64 element count and its
    bytes (native byte order, recorded in the system-info pickle)."""
    from ._legacy import MAGIC_NUMBER, PROTOCOL_VERSION

    table = StorageTable()
    counts = {}

    def describe(t):
        out = table.describe(t)
        if out[-1] is not None:
            raise RuntimeError(
                f"the legacy format cannot hold {t.dtype} tensors; save with the zip format"
            )
        counts[out[1]] = out[3]
        return out

    info = {
        "protocol_version": PROTOCOL_VERSION,
        "little_endian": sys.byteorder == "little",
        "type_sizes": {"short": 2, "int": 4, "long": 4},
    }
    for part in (MAGIC_NUMBER, PROTOCOL_VERSION, info):
        fileobj.write(Pickler(None).dumps(part))
    fileobj.write(Pickler(describe, legacy=True).dumps(obj))
    fileobj.write(Pickler(None).dumps([key for key, _ in table.records]))
    for key, region in table.records:
        fileobj.write(numpy.int64(counts[key]).tobytes())
        fileobj.write(region)


def write_path(path, write) -> None:
    """Run ``write(fileobj)`` for the file at ``path`` as PyTorch's ``save`` does: through a
    symlink to the file it names, and straight into a device or FIFO. A regular file (or a new
    one) is written atomically, so readers see the old file or the complete new one."""
    path = os.fspath(path)
    real = os.path.realpath(path)
    try:
        regular = stat.S_ISREG(os.stat(real).st_mode)
    except FileNotFoundError:
        regular = True
    if regular:
        _atomic_write(real, write)
        return
    with open(real, "wb") as f:
        write(f)


def _atomic_write(path: str, write) -> None:
    """``write`` into a new file beside ``path``, then rename it over ``path``."""
    folder = os.path.dirname(path)
    tmp = os.path.join(folder, f".{os.path.basename(path)}.{os.getpid()}.{id(write):x}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.chmod(tmp, os.stat(path).st_mode & 0o7777)
        except FileNotFoundError:
            pass
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
