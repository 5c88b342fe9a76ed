"""Changing dtype or device, copying: ``to``, ``float()``, ``type``, ``clone``, ``contiguous``,
and the legacy tensor types (``FloatTensor``, ``LongTensor`` ...) that older tutorials use."""

from __future__ import annotations

from .. import _backend, _dtype
from .._tensor import Tensor
from ..autograd.function import Primitive
from .shape import linear

__all__ = [
    "clone",
    "FloatTensor",
    "DoubleTensor",
    "HalfTensor",
    "BFloat16Tensor",
    "ByteTensor",
    "CharTensor",
    "ShortTensor",
    "IntTensor",
    "LongTensor",
    "BoolTensor",
]


class ToCopy(Primitive):
    _name = "ToCopyBackward0"
    __slots__ = ("src",)

    def forward(ctx, x, np_dtype):
        ctx.src = x.dtype
        return x.astype(np_dtype)

    def backward(ctx, g):
        # NOTE: a real input takes the real part of a complex output's gradient
        return linear(ctx, ToCopy, g if ctx.src.kind == "c" else g.real, ctx.src), None


class ToDevice(Primitive):
    """A copy on another device; the gradient goes back to the source device."""

    _name = "ToCopyBackward0"
    __slots__ = ("src",)

    def forward(ctx, x, dev):
        ctx.src = _backend.device_of(x)
        return _backend.transfer(x, dev)

    def backward(ctx, g):
        return linear(ctx, ToDevice, g, ctx.src), None


class Clone(Primitive):
    _name = "CloneBackward0"

    def forward(ctx, x):
        return x.copy()

    def backward(ctx, g):
        return g


def clone(input, *, memory_format=None) -> Tensor:
    """A copy of ``input`` with its own memory; gradients flow back to ``input``."""
    return Clone.apply(input)


def contiguous(self, memory_format=None) -> Tensor:
    return self if self._data.flags.c_contiguous else Clone.apply(self)


def _parse_to(args, kwargs):
    """PyTorch's three forms: ``to(dtype, non_blocking, copy)``, ``to(device, dtype,
    non_blocking, copy)`` and ``to(other, non_blocking, copy)``, positional or by keyword."""
    dtype = _dtype.as_dtype(kwargs.pop("dtype", None))
    device = kwargs.pop("device", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    first = _dtype.as_dtype(args[0]) if args else None
    rest = args[1:]
    if isinstance(first, _dtype.dtype):
        dtype = first
    elif isinstance(first, Tensor):
        dtype, device = first.dtype, first.device
    elif first is None and len(args) == 1 and _dtype.bfloat16 is None:
        raise TypeError(
            "to() got None as dtype; numtorch.bfloat16 is None because the ml_dtypes "
            "package is missing: pip install 'numtorch[bfloat16]'"
        )
    elif args and (first is None or isinstance(first, (str, _backend.device, int))):
        if isinstance(first, bool):
            raise TypeError(f"to() received an invalid combination of arguments - got {first!r}")
        device = first
        if rest and not isinstance(rest[0], bool):  # the dtype after a device
            dtype, rest = _dtype.as_dtype(rest[0]), rest[1:]
    elif args:
        raise TypeError(f"to() received an invalid combination of arguments - got {first!r}")
    if len(rest) > 2 or not all(isinstance(a, bool) for a in rest):
        raise TypeError(f"to() received an invalid combination of arguments - got {args!r}")
    if len(rest) == 2:
        copy = rest[1]
    if kwargs:
        raise TypeError(f"to() got an unexpected keyword argument '{next(iter(kwargs))}'")
    return dtype, device, copy


def to(self, *args, **kwargs) -> Tensor:
    """``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(other_tensor)``: the same
    tensor when nothing changes, else a converted copy that gradients flow through."""
    dtype, device, copy = _parse_to(args, kwargs)
    out = self
    if device is not None:
        dev = _backend.as_device(device)
        if dev.type == "cuda" and dev.index is None:
            dev = _backend.device("cuda", 0)
        if dev != self.device:
            out, copy = ToDevice.apply(self, dev), False
    if dtype is None or dtype.np == out._data.dtype:
        return clone(out) if copy else out
    return ToCopy.apply(out, dtype.np)


def _caster(dt):
    def cast(self, memory_format=None):
        return to(self, dt)

    cast.__name__ = dt.name
    return cast


def cpu(self, memory_format=None) -> Tensor:
    return to(self, _backend.CPU)


def cuda(self, device=None, non_blocking=False, memory_format=None) -> Tensor:
    return to(self, "cuda" if device is None else device)


class _LegacyType(type):
    """``torch.FloatTensor`` and friends: callable like the old constructors, and
    ``isinstance(t, torch.FloatTensor)`` tests the dtype."""

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.dtype is cls.dtype

    def __call__(cls, *args, device=None):
        from .creation import legacy_constructor

        t = Tensor.__new__(Tensor)
        legacy_constructor(t, args, device, dtype=cls.dtype)
        return t

    def __repr__(cls):
        return f"<class 'torch.{cls.__name__}'>"


def _legacy(name, dt):
    return _LegacyType(name, (), {"dtype": dt, "__module__": "torch"})


FloatTensor = _legacy("FloatTensor", _dtype.float32)
DoubleTensor = _legacy("DoubleTensor", _dtype.float64)
HalfTensor = _legacy("HalfTensor", _dtype.float16)
BFloat16Tensor = _legacy("BFloat16Tensor", _dtype.bfloat16)
ByteTensor = _legacy("ByteTensor", _dtype.uint8)
CharTensor = _legacy("CharTensor", _dtype.int8)
ShortTensor = _legacy("ShortTensor", _dtype.int16)
IntTensor = _legacy("IntTensor", _dtype.int32)
LongTensor = _legacy("LongTensor", _dtype.int64)
BoolTensor = _legacy("BoolTensor", _dtype.bool)
_BY_NAME = {
    f"torch.{c.__name__}": c
    for c in (
        FloatTensor,
        DoubleTensor,
        HalfTensor,
        BFloat16Tensor,
        ByteTensor,
        CharTensor,
        ShortTensor,
        IntTensor,
        LongTensor,
        BoolTensor,
    )
}


def type_(self, dtype=None, non_blocking=False, **kwargs):
    """With no argument the legacy type name (``'torch.FloatTensor'``); else a cast to a dtype,
    a legacy type, or its name."""
    if dtype is None:
        return self.dtype.legacy_name
    if isinstance(dtype, str):
        if dtype not in _BY_NAME:
            raise ValueError(f"invalid type: '{dtype}'")
        dtype = _BY_NAME[dtype]
    if isinstance(dtype, _LegacyType):
        dtype = dtype.dtype
    elif isinstance(dtype, type):  # PyTorch takes no Python type here (unlike to())
        raise ValueError(f"invalid type: '{dtype.__name__}'")
    return to(self, dtype)


def type_as(self, other) -> Tensor:
    return to(self, other.dtype)


METHODS = {
    "to": to,
    "clone": clone,
    "contiguous": contiguous,
    "cpu": cpu,
    "cuda": cuda,
    "type": type_,
    "type_as": type_as,
    "float": _caster(_dtype.float32),
    "double": _caster(_dtype.float64),
    "half": _caster(_dtype.float16),
    "long": _caster(_dtype.int64),
    "int": _caster(_dtype.int32),
    "short": _caster(_dtype.int16),
    "char": _caster(_dtype.int8),
    "byte": _caster(_dtype.uint8),
    "bool": _caster(_dtype.bool),
    "cfloat": _caster(_dtype.complex64),
    "cdouble": _caster(_dtype.complex128),
}
if _dtype.bfloat16 is not None:
    METHODS["bfloat16"] = _caster(_dtype.bfloat16)
