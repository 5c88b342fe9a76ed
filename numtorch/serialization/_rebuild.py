"""Turning what a checkpoint's pickle names (storage classes, ``torch._utils._rebuild_*``) into
numtorch tensors, checking every size, stride and offset against the storage first."""

from __future__ import annotations

import pickle

import numpy

from .. import _dtype
from .._backend import array_module
from .._tensor import Size, Tensor, wrap
from ._zip import CheckpointError

_MAX_DIMS = 64  # NumPy's limit; anything above it in a file is corruption

# torch storage class names -> dtype names
STORAGE_DTYPES = {
    "DoubleStorage": "float64",
    "FloatStorage": "float32",
    "HalfStorage": "float16",
    "BFloat16Storage": "bfloat16",
    "LongStorage": "int64",
    "IntStorage": "int32",
    "ShortStorage": "int16",
    "CharStorage": "int8",
    "ByteStorage": "uint8",
    "BoolStorage": "bool",
    "ComplexDoubleStorage": "complex128",
    "ComplexFloatStorage": "complex64",
    "QInt8Storage": "qint8",
    "QUInt8Storage": "quint8",
    "QInt32Storage": "qint32",
    "QUInt4x2Storage": "quint4x2",
    "QUInt2x4Storage": "quint2x4",
}
STORAGE_NAMES = {v: k for k, v in STORAGE_DTYPES.items()}
# Every dtype name PyTorch 2.13 pickles as ``torch.<name>``.
TORCH_DTYPE_NAMES = (
    "float32",
    "float64",
    "float16",
    "bfloat16",
    "complex32",
    "complex64",
    "complex128",
    "uint8",
    "int8",
    "int16",
    "int32",
    "int64",
    "bool",
    "uint16",
    "uint32",
    "uint64",
    "float8_e4m3fn",
    "float8_e4m3fnuz",
    "float8_e5m2",
    "float8_e5m2fnuz",
    "float8_e8m0fnu",
    "float4_e2m1fn_x2",
    "qint8",
    "quint8",
    "qint32",
    "quint4x2",
    "quint2x4",
    "bits1x8",
    "bits2x4",
    "bits4x2",
    "bits8",
    "bits16",
    "half",
    "float",
    "double",
    "long",
    "int",
    "short",
    "cfloat",
    "cdouble",
    "chalf",
    *(f"uint{i}" for i in range(1, 8)),
    *(f"int{i}" for i in range(1, 8)),
)
_ALIASES = {
    "half": "float16",
    "float": "float32",
    "double": "float64",
    "long": "int64",
    "int": "int32",
    "short": "int16",
    "cfloat": "complex64",
    "cdouble": "complex128",
    "chalf": "complex32",
}


_ITEMSIZES = {"bfloat16": 2, "complex32": 4, "qint32": 4, "bits16": 2}


class MissingDtype:
    """A dtype named in a checkpoint that numtorch cannot represent here."""

    __slots__ = ("name", "itemsize")

    def __init__(self, name: str):
        self.name = name
        self.itemsize = _ITEMSIZES.get(name, 1)

    def __repr__(self):
        return f"torch.{self.name}"

    def error(self) -> RuntimeError:
        if self.name == "bfloat16":
            return RuntimeError(
                "this file holds bfloat16 tensors; numtorch reads them with the ml_dtypes "
                "package: pip install 'numtorch[bfloat16]'"
            )
        return RuntimeError(f"numtorch has no dtype torch.{self.name}, used in this file")


def lookup_dtype(name: str):
    """The numtorch dtype called ``name`` in PyTorch, or a MissingDtype placeholder."""
    name = _ALIASES.get(name, name)
    d = getattr(_dtype, name, None)
    return d if isinstance(d, _dtype.dtype) else MissingDtype(name)


class StorageType:
    """What ``torch.FloatStorage`` (or ``torch.storage.UntypedStorage``) stands for: a dtype."""

    __slots__ = ("name", "dtype")

    def __init__(self, name: str, dtype_name: str):
        self.name = name
        self.dtype = lookup_dtype(dtype_name)

    def __repr__(self):
        return f"torch.{self.name}"


def storage_reference(pid) -> tuple:
    """The fields of a storage reference after its tag; a reference that is no tuple, or an
    empty one, is refused as PyTorch's loader refuses it."""
    if not isinstance(pid, tuple):
        raise AssertionError(f"saved_id must be a tuple, got {type(pid).__name__}")
    pid[0]  # noqa: B018 - an empty reference: PyTorch's IndexError
    return pid[1:]


class TensorInfo:
    """What ``numtorch inspect`` sees of a tensor: its description without its values."""

    __slots__ = ("shape", "dtype", "requires_grad", "is_parameter")

    def __init__(self, shape, dtype, requires_grad):
        self.shape, self.dtype, self.requires_grad = Size(shape), dtype, requires_grad
        self.is_parameter = False

    def numel(self) -> int:
        return Size.numel(self.shape)

    @property
    def nbytes(self) -> int:
        return self.numel() * self.dtype.itemsize


class Storage:
    """One ``data/<key>`` record: a flat array of its dtype (None when only inspecting)."""

    __slots__ = ("key", "dtype", "numel", "array", "location")

    def __init__(self, key, dtype, numel, array, location):
        self.key, self.dtype, self.numel = key, dtype, numel
        self.array, self.location = array, location

    def tensor(self, offset, size, stride, dtype=None, requires_grad=False):
        """The tensor ``offset``/``size``/``stride`` select from this storage (no copy)."""
        dtype = self.dtype if dtype is None else dtype
        missing = isinstance(dtype, MissingDtype)
        if missing and self.array is not None:
            raise dtype.error()
        if not missing and not isinstance(dtype, _dtype.dtype):
            raise CheckpointError(f"checkpoint names {type(dtype).__name__} where a dtype belongs")
        size = _int_tuple(size, "size")
        stride = _int_tuple(stride, "stride")
        if len(size) != len(stride):
            raise CheckpointError(f"tensor size {size} and stride {stride} differ in length")
        offset = _int_tuple((offset,), "storage offset")[0]
        nbytes = self.numel * self.dtype.itemsize
        if nbytes % dtype.itemsize:
            raise CheckpointError(f"a storage of {nbytes} bytes cannot hold {dtype} elements")
        numel = nbytes // dtype.itemsize
        if Size.numel(size) >= 2**62:
            raise CheckpointError(f"tensor of size {list(size)} has too many elements")
        if 0 not in size:
            need = offset + sum((n - 1) * s for n, s in zip(size, stride)) + 1
            if need > numel:  # PyTorch's set_ would grow the storage, which a loaded one refuses
                raise RuntimeError("Trying to resize storage that is not resizable")
        if not isinstance(requires_grad, bool):
            raise CheckpointError("checkpoint gives a non-boolean requires_grad")
        if requires_grad and not missing and not (dtype.is_floating_point or dtype.is_complex):
            raise CheckpointError(f"a {dtype} tensor cannot require gradients")
        if self.array is None:
            return TensorInfo(size, dtype, requires_grad)
        return wrap(_strided(self.array, dtype, offset, size, stride), requires_grad)


def _strided(array, dtype, offset, size, stride):
    np_dtype = dtype.np
    xp = array_module(array)
    if 0 in size:
        return xp.empty(size, np_dtype)
    flat = array if array.dtype == np_dtype else array.view(np_dtype)
    strides = [s * np_dtype.itemsize for s in stride]
    if xp is numpy:
        return numpy.ndarray(size, np_dtype, buffer=flat[offset:], strides=strides)
    return xp.lib.stride_tricks.as_strided(flat[offset:], size, strides)  # pragma: no cover


def _int_tuple(value, what):
    if not isinstance(value, (tuple, list)) or len(value) > _MAX_DIMS:
        raise CheckpointError(f"checkpoint gives an invalid tensor {what}: {type(value).__name__}")
    for v in value:
        if type(v) is not int or v < 0:
            raise CheckpointError(f"checkpoint gives an invalid tensor {what}: {value!r:.200}")
    return tuple(value)


def _check_storage(storage):
    if not isinstance(storage, Storage):
        raise CheckpointError(f"expected a storage, got {type(storage).__name__}")
    return storage


def _check_hooks(hooks):
    if hooks is not None and not isinstance(hooks, dict):
        raise CheckpointError("checkpoint gives invalid backward hooks")


def _apply_metadata(t, metadata):
    """PyTorch's lazy conj/neg bits: numtorch materialises them."""
    if not metadata:
        return t
    if not isinstance(metadata, dict):
        raise CheckpointError("checkpoint gives invalid tensor metadata")
    if isinstance(t, TensorInfo):
        return t
    data = t._data
    if metadata.get("conj"):
        data = data.conj()
    if metadata.get("neg"):
        data = -data
    return wrap(data, t._rg)


def _rebuild_tensor(storage, storage_offset, size, stride):
    return _check_storage(storage).tensor(storage_offset, size, stride)


def _rebuild_tensor_v2(
    storage, storage_offset, size, stride, requires_grad, backward_hooks, metadata=None
):
    _check_hooks(backward_hooks)
    t = _check_storage(storage).tensor(storage_offset, size, stride, None, requires_grad)
    return _apply_metadata(t, metadata)


def _rebuild_tensor_v3(
    storage, storage_offset, size, stride, requires_grad, backward_hooks, dtype, metadata=None
):
    _check_hooks(backward_hooks)
    if not isinstance(dtype, (_dtype.dtype, MissingDtype)):
        raise CheckpointError(f"checkpoint gives {type(dtype).__name__} as a dtype")
    t = _check_storage(storage).tensor(storage_offset, size, stride, dtype, requires_grad)
    return _apply_metadata(t, metadata)


def _rebuild_parameter(data, requires_grad, backward_hooks, state=None):
    _check_hooks(backward_hooks)
    if isinstance(data, TensorInfo):
        data.requires_grad, data.is_parameter = requires_grad, True
        return data
    if not isinstance(data, Tensor) or not isinstance(requires_grad, bool):
        raise CheckpointError("checkpoint gives invalid arguments for a Parameter")
    from ..nn.parameter import Parameter

    p = Parameter(data, requires_grad)
    if state:
        _set_state(p, state)
    return p


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    return _rebuild_parameter(data, requires_grad, backward_hooks, state)


def _set_state(obj, state):
    """Python attributes saved with a tensor subclass (only plain names, never slots)."""
    if isinstance(state, tuple) and len(state) == 2:
        state = state[0]
    if state is None:
        return
    if not isinstance(state, dict) or not all(isinstance(k, str) for k in state):
        raise CheckpointError("checkpoint gives invalid tensor state")
    if not hasattr(obj, "__dict__"):
        raise CheckpointError(f"{type(obj).__name__} takes no saved attributes")
    obj.__dict__.update(state)


def rebuild_from_type_v2(func, new_type, args, state):
    if func not in _TENSOR_BUILDERS or not isinstance(args, tuple):
        raise CheckpointError("checkpoint gives invalid arguments for _rebuild_from_type_v2")
    t = func(*args)
    if isinstance(t, TensorInfo):
        return t
    if not (isinstance(new_type, type) and issubclass(new_type, Tensor)):
        raise CheckpointError("_rebuild_from_type_v2 needs a tensor class")
    if type(t) is not new_type:
        from ..nn.parameter import _adopt

        t = _adopt(new_type, t, t._rg)
    if state:
        _set_state(t, state)
    return t


def unsupported(kind: str):
    def refuse(*args, **kwargs):
        raise RuntimeError(f"numtorch cannot load {kind} from a PyTorch checkpoint")

    refuse.__name__ = f"unsupported_{kind.replace(' ', '_')}"
    return refuse


_TENSOR_BUILDERS = (
    _rebuild_tensor,
    _rebuild_tensor_v2,
    _rebuild_tensor_v3,
    _rebuild_parameter,
    _rebuild_parameter_with_state,
)


def get_layout(name):
    if name != "torch.strided":
        raise RuntimeError(f"numtorch supports only the strided layout, not {name!r:.80}")
    return name


def encode(text, encoding="latin1"):
    """``_codecs.encode`` as pickle protocol 2 uses it for bytes: only the latin-1 codec."""
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
        raise pickle.UnpicklingError("_codecs.encode is allowed only as pickle uses it for bytes")
    return text.encode("latin1")


def safe_bytearray(*args):
    """``bytearray`` without the ``bytearray(n)`` form (a file could ask for any n)."""
    if args and not isinstance(args[0], (bytes, str, bytearray)):
        raise pickle.UnpicklingError("bytearray is allowed only from bytes or a string")
    return bytearray(*args)
