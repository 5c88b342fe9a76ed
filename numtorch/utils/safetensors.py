"""The safetensors format, through the ``safetensors`` package's NumPy API (an optional
dependency: ``pip install 'numtorch[safetensors]'``).

The same calls as ``safetensors.torch``: ``save_file``/``load_file`` for files, ``save``/``load``
for bytes, ``safe_open`` to read single tensors and the metadata lazily.

    from numtorch.utils.safetensors import save_file, load_file
    save_file(model.state_dict(), "model.safetensors", metadata={"format": "pt"})
"""

from __future__ import annotations

import os

from .. import _dtype
from .._backend import to_host
from .._tensor import Tensor, wrap

__all__ = ["save_file", "load_file", "save", "load", "safe_open"]

_CODES = {"BF16": "bfloat16", "F8_E4M3": "float8_e4m3fn", "F8_E5M2": "float8_e5m2"}


def _package():
    try:
        import safetensors
        import safetensors.numpy
    except ImportError:
        raise ImportError(
            "reading and writing .safetensors files needs the safetensors package: "
            "pip install 'numtorch[safetensors]'"
        ) from None
    return safetensors


def _arrays(tensors: dict) -> dict:
    if not isinstance(tensors, dict):
        raise TypeError(f"expected a dict of tensors, got {type(tensors).__name__}")
    out = {}
    for name, t in tensors.items():
        if not isinstance(name, str) or not isinstance(t, Tensor):
            raise TypeError(
                f"safetensors holds str -> Tensor entries; got {name!r:.60} -> {type(t).__name__}"
            )
        arr = to_host(t._data)
        if arr.dtype.kind == "c" and arr.dtype.itemsize == 16:
            raise TypeError(f"safetensors has no complex128 dtype (tensor '{name}')")
        out[name] = arr if arr.flags.c_contiguous else arr.copy()
    return out


def _check_metadata(metadata):
    if metadata is not None and not (
        isinstance(metadata, dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items())
    ):
        raise TypeError("safetensors metadata must be a dict of str -> str")


def save_file(tensors: dict, filename, metadata: dict | None = None) -> None:
    """Write ``{name: tensor}`` to a .safetensors file (atomically: temporary file + rename).

    Args:
        tensors: the tensors; each is written contiguously on its own.
        filename: the path to write.
        metadata: optional ``{str: str}`` stored in the header.
    """
    st = _package()
    _check_metadata(metadata)
    arrays = _arrays(tensors)
    path = os.fspath(filename)
    tmp = os.path.join(
        os.path.dirname(os.path.abspath(path)), f".{os.path.basename(path)}.{os.getpid()}.tmp"
    )
    try:
        st.numpy.save_file(arrays, tmp, metadata=metadata)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def save(tensors: dict, metadata: dict | None = None) -> bytes:
    """The .safetensors bytes of ``{name: tensor}``."""
    st = _package()
    _check_metadata(metadata)
    return st.numpy.save(_arrays(tensors), metadata=metadata)


def _tensor(arr, device):
    from ..serialization._load import _to_device

    if arr.dtype not in _dtype._FROM_NP:
        raise TypeError(f"numtorch has no dtype for safetensors dtype {arr.dtype}")
    if not arr.flags.writeable:
        arr = arr.copy()
    return wrap(_to_device(arr, str(device)))


def _check_dtypes(handle, names):
    for name in names:
        code = handle.get_slice(name).get_dtype()
        dtype_name = _CODES.get(code)
        if dtype_name and not isinstance(getattr(_dtype, dtype_name, None), _dtype.dtype):
            from ..serialization._rebuild import MissingDtype

            raise MissingDtype(dtype_name).error()


def load_file(filename, device="cpu") -> dict:
    """``{name: tensor}`` from a .safetensors file."""
    with safe_open(filename, framework="pt", device=device) as f:
        return {name: f.get_tensor(name) for name in f.keys()}


def load(data: bytes) -> dict:
    """``{name: tensor}`` from .safetensors bytes."""
    st = _package()
    try:
        arrays = st.numpy.load(data)
    except st.SafetensorError as e:
        raise RuntimeError(f"invalid safetensors data: {e}") from None
    return {name: _tensor(arr, "cpu") for name, arr in arrays.items()}


class safe_open:
    """Lazy access to a .safetensors file: ``keys()``, ``metadata()``, ``get_tensor(name)``.

    Examples:
        >>> with safe_open("model.safetensors", framework="pt") as f:
        ...     w = f.get_tensor("weight")
    """

    def __init__(self, filename, framework: str = "pt", device="cpu"):
        st = _package()
        self._device = device
        try:
            self._handle = st.safe_open(os.fspath(filename), framework="np")
        except st.SafetensorError as e:
            raise RuntimeError(
                f"{os.fspath(filename)} is not a valid safetensors file: {e}"
            ) from None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._handle.__exit__(*exc)
        return False

    def keys(self) -> list:
        return list(self._handle.keys())

    def metadata(self) -> dict | None:
        return self._handle.metadata()

    def get_slice(self, name: str):
        """The package's lazy slice object (``get_shape()``, ``get_dtype()``)."""
        return self._handle.get_slice(name)

    def get_tensor(self, name: str) -> Tensor:
        _check_dtypes(self._handle, [name])
        return _tensor(self._handle.get_tensor(name), self._device)
