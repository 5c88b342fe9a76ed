"""``torch.UntypedStorage`` / ``torch.TypedStorage``: the memory a tensor and its views share.

A numtorch tensor holds an array; its storage is the array that owns the memory (the end of
the array's ``base`` chain), so every view of one tensor reports the same storage pointer and
size. Libraries read these to find tensors that share memory (safetensors refuses to save
them) and to count bytes (torchinfo).
"""

from __future__ import annotations

import warnings

__all__ = ["UntypedStorage", "TypedStorage"]


def _owner(array):
    """The array whose memory ``array`` views (itself if it owns its memory)."""
    while getattr(array, "base", None) is not None and hasattr(array.base, "dtype"):
        array = array.base
    return array


def _address(array) -> int:
    interface = getattr(array, "__array_interface__", None)
    return interface["data"][0] if interface is not None else array.data.ptr  # CuPy's


class UntypedStorage:
    """The bytes under one or more tensors."""

    __slots__ = ("_array", "device")

    def __init__(self, size: int = 0, *, device=None):
        from ._backend import as_device, module_for

        dev = as_device(device or "cpu")
        self._array, self.device = module_for(dev).zeros(int(size), dtype="uint8"), dev

    @classmethod
    def _of(cls, array, device) -> UntypedStorage:
        storage = cls.__new__(cls)
        storage._array, storage.device = _owner(array), device
        return storage

    def data_ptr(self) -> int:
        return _address(self._array)

    def nbytes(self) -> int:
        return self._array.nbytes

    size = nbytes
    __len__ = nbytes

    def element_size(self) -> int:
        return 1

    def __sizeof__(self) -> int:
        return super().__sizeof__() + self.nbytes()

    def __eq__(self, other):
        if not isinstance(other, UntypedStorage):
            return NotImplemented
        return (self.data_ptr(), self.nbytes()) == (other.data_ptr(), other.nbytes())

    def __hash__(self):
        return hash((self.data_ptr(), self.nbytes()))

    @classmethod
    def from_file(cls, filename: str, shared: bool = False, nbytes: int = 0) -> UntypedStorage:
        """The first ``nbytes`` bytes of a file (safetensors loads through this); with
        ``shared=True`` the storage maps the file, and writes reach it."""
        import numpy

        if shared:
            array = numpy.memmap(filename, dtype="uint8", mode="r+", shape=(int(nbytes),))
        else:
            array = numpy.fromfile(filename, dtype="uint8", count=int(nbytes))
            if array.size < int(nbytes):
                raise RuntimeError(
                    f"unable to read {nbytes} bytes from {filename}: it holds {array.size}"
                )
        from ._backend import as_device

        return cls._of(array, as_device("cpu"))

    def _bytes(self):
        return self._array.reshape(-1).view("uint8")

    def tolist(self) -> list:
        return self._bytes().tolist()

    def __getitem__(self, index):
        if isinstance(index, slice):  # a storage over those bytes, sharing them
            view = UntypedStorage.__new__(UntypedStorage)
            view._array, view.device = self._bytes()[index], self.device
            return view
        return self._bytes()[index].tolist()

    def is_shared(self) -> bool:
        return False

    def is_pinned(self, device="cuda") -> bool:
        return False

    def untyped(self) -> UntypedStorage:
        return self

    def __repr__(self):
        values = "".join(f" {v}\n" for v in self.tolist())
        return f"{values}[torch.storage.UntypedStorage(device={self.device}) of size {len(self)}]"


class TypedStorage:
    """Deprecated in PyTorch: the storage seen as elements of the tensor's dtype."""

    __slots__ = ("_untyped_storage", "dtype")

    def __init__(self, untyped: UntypedStorage, dtype):
        self._untyped_storage, self.dtype = untyped, dtype

    @property
    def device(self):
        return self._untyped_storage.device

    def untyped(self) -> UntypedStorage:
        return self._untyped_storage

    def data_ptr(self) -> int:
        return self._untyped_storage.data_ptr()

    def nbytes(self) -> int:
        return self._untyped_storage.nbytes()

    def element_size(self) -> int:
        return self.dtype.itemsize

    def size(self) -> int:
        return self.nbytes() // self.element_size()

    __len__ = size

    def __sizeof__(self) -> int:
        return super().__sizeof__() + self.nbytes()

    def _values(self):
        return self._untyped_storage._array.reshape(-1).view(self.dtype.np)

    def tolist(self) -> list:
        return self._values().tolist()

    def __getitem__(self, index):
        return self._values()[index].tolist()

    def _is_view(self) -> bool:
        return False

    def is_shared(self) -> bool:
        return False

    def __repr__(self):
        values = "".join(f" {v}\n" for v in self.tolist())
        return (
            f"{values}[torch.storage.TypedStorage(dtype={self.dtype}, device={self.device}) "
            f"of size {len(self)}]"
        )


def untyped_storage(tensor) -> UntypedStorage:
    return UntypedStorage._of(tensor._data, tensor.device)


_WARNED = [False]


def typed_storage(tensor) -> TypedStorage:
    """``tensor.storage()``, with PyTorch's deprecation warning the first time."""
    if not _WARNED[0]:
        _WARNED[0] = True
        warnings.warn(
            "TypedStorage is deprecated. It will be removed in the future and UntypedStorage will "
            "be the only storage class. This should only matter to you if you are using storages "
            "directly.  To access UntypedStorage directly, use tensor.untyped_storage() instead "
            "of tensor.storage()",
            UserWarning,
            stacklevel=3,
        )
    return TypedStorage(untyped_storage(tensor), tensor.dtype)


def storage_offset(tensor) -> int:
    """Elements from the start of the storage to the tensor's first element."""
    owner = _owner(tensor._data)
    return (_address(tensor._data) - _address(owner)) // tensor._data.itemsize
