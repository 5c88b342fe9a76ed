"""dtype objects and PyTorch's type-promotion rules.

numtorch dtypes are objects of their own (``numtorch.float32`` prints as ``torch.float32``,
as PyTorch's do, so printed programs read the same); each maps to one array dtype in ``_TABLE``.
"""

from __future__ import annotations

import numpy

_BOOL, _INT, _FLOAT, _COMPLEX = range(4)
# PyTorch's float8 formats (ml_dtypes provides them); e8m0fnu is an unsigned exponent format.
FLOAT8 = ("float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz", "float8_e5m2fnuz", "float8_e8m0fnu")
_E8M0 = FLOAT8[-1]


class dtype:
    __slots__ = ("name", "np", "itemsize", "is_floating_point", "is_complex", "is_signed", "_cat")

    def __init__(self, name: str, np_dtype, cat: int):
        self.name = name
        self.np = numpy.dtype(np_dtype)
        self.itemsize = self.np.itemsize
        self._cat = cat
        self.is_floating_point = cat == _FLOAT
        self.is_complex = cat == _COMPLEX
        self.is_signed = name not in ("bool", "uint8", "uint16", "uint32", "uint64", _E8M0)

    def __repr__(self):
        return "torch." + self.name

    def __reduce__(self):
        return self.name

    def to_real(self) -> "dtype":
        return {complex64: float32, complex128: float64}.get(self, self)

    def to_complex(self) -> "dtype":
        return {float64: complex128, complex128: complex128}.get(self, complex64)

    @property
    def legacy_name(self) -> str:
        """The legacy tensor type name: ``torch.FloatTensor`` for float32."""
        return "torch." + _LEGACY[self.name] + "Tensor"

    @property
    def scalar_type_name(self) -> str:
        """PyTorch's ScalarType name (``Float`` for float32), as its error messages print it."""
        return _LEGACY[self.name]

    @property
    def c_type_name(self) -> str:
        """The C++ type name (``float``, ``short int``, ``c10::Half``) that some of PyTorch's
        errors print for a dtype."""
        return _C_TYPES.get(self.name, self.name)

    @property
    def is_integral(self) -> bool:
        return self._cat <= _INT


def not_implemented(kernel: str, dt: dtype) -> NotImplementedError:
    """PyTorch's error for a kernel that has no implementation for ``dt``."""
    return NotImplementedError(f"\"{kernel}\" not implemented for '{_LEGACY[dt.name]}'")


_LEGACY = {
    "float32": "Float",
    "float64": "Double",
    "float16": "Half",
    "bfloat16": "BFloat16",
    "complex64": "ComplexFloat",
    "complex128": "ComplexDouble",
    "uint8": "Byte",
    "int8": "Char",
    "int16": "Short",
    "int32": "Int",
    "int64": "Long",
    "bool": "Bool",
    "uint16": "UInt16",
    "uint32": "UInt32",
    "uint64": "UInt64",
}
_LEGACY.update({name: "F" + name[1:] for name in FLOAT8})
_C_TYPES = {
    "float32": "float",
    "float64": "double",
    "float16": "c10::Half",
    "bfloat16": "c10::BFloat16",
    "complex64": "c10::complex<float>",
    "complex128": "c10::complex<double>",
    "int64": "long int",
    "int32": "int",
    "int16": "short int",
    "int8": "signed char",
    "uint8": "unsigned char",
    "bool": "bool",
}

float32 = float = dtype("float32", numpy.float32, _FLOAT)
float64 = double = dtype("float64", numpy.float64, _FLOAT)
float16 = half = dtype("float16", numpy.float16, _FLOAT)
complex64 = cfloat = dtype("complex64", numpy.complex64, _COMPLEX)
complex128 = cdouble = dtype("complex128", numpy.complex128, _COMPLEX)
uint8 = dtype("uint8", numpy.uint8, _INT)
uint16 = dtype("uint16", numpy.uint16, _INT)
uint32 = dtype("uint32", numpy.uint32, _INT)
uint64 = dtype("uint64", numpy.uint64, _INT)
int8 = dtype("int8", numpy.int8, _INT)
int16 = short = dtype("int16", numpy.int16, _INT)
int32 = int = dtype("int32", numpy.int32, _INT)
int64 = long = dtype("int64", numpy.int64, _INT)
bool = dtype("bool", numpy.bool_, _BOOL)  # noqa: A001 - PyTorch's public name

ALL = [
    float32,
    float64,
    float16,
    complex64,
    complex128,
    uint8,
    uint16,
    uint32,
    uint64,
    int8,
    int16,
    int32,
    int64,
    bool,
]

try:  # bfloat16 exists where the ml_dtypes package is installed
    import ml_dtypes

    bfloat16 = dtype("bfloat16", ml_dtypes.bfloat16, _FLOAT)
    ALL.append(bfloat16)
    float8_e4m3fn, float8_e5m2, float8_e4m3fnuz, float8_e5m2fnuz, float8_e8m0fnu = (
        dtype(name, getattr(ml_dtypes, name), _FLOAT) for name in FLOAT8
    )
    ALL += [float8_e4m3fn, float8_e5m2, float8_e4m3fnuz, float8_e5m2fnuz, float8_e8m0fnu]
except ImportError:  # pragma: no cover - depends on the environment
    bfloat16 = float8_e4m3fn = float8_e5m2 = float8_e4m3fnuz = float8_e5m2fnuz = None
    float8_e8m0fnu = None

_FROM_NP = {d.np: d for d in ALL}


def from_np(np_dtype) -> dtype:
    """The numtorch dtype of an array dtype."""
    try:
        return _FROM_NP[np_dtype]
    except KeyError:
        raise TypeError(f"numtorch has no dtype for array dtype {np_dtype}") from None


def to_np(d):
    """The array dtype for a numtorch dtype (None stays None)."""
    return None if d is None else d.np


class _Defaults:
    """Per-process default dtype (what ``torch.set_default_dtype`` changes)."""

    __slots__ = ("float",)

    def __init__(self):
        self.float = float32


DEFAULTS = _Defaults()


def get_default_dtype() -> dtype:
    return DEFAULTS.float


def set_default_dtype(d: dtype) -> None:
    if not isinstance(d, dtype) or d not in (float32, float64, float16, bfloat16):
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    DEFAULTS.float = d


def default_complex() -> dtype:
    return complex128 if DEFAULTS.float is float64 else complex64


def promote_types(a: dtype, b: dtype) -> dtype:
    """``torch.promote_types``: the smallest dtype both can be converted to."""
    if a is b:
        return a
    if a.name in FLOAT8 or b.name in FLOAT8:
        raise RuntimeError(
            "Promotion for Float8 Types is not supported, attempted to promote "
            f"{_LEGACY[a.name]} and {_LEGACY[b.name]}"
        )
    if a._cat != b._cat:
        hi, lo = (a, b) if a._cat > b._cat else (b, a)
        if hi.is_complex and lo is float64:
            return complex128
        return hi
    if a.is_floating_point and bfloat16 is not None and bfloat16 in (a, b):
        return float32 if float16 in (a, b) else (a if a is not bfloat16 else b)
    if a._cat == _INT and "uint64" in (a.name, b.name):
        raise TypeError(
            f"Promotion for uint16, uint32, uint64 types is not supported, got {a} and {b}"
        )
    return _FROM_NP[numpy.promote_types(a.np, b.np)]


def _combine(higher, lower):
    if higher is None:
        return lower
    if lower is None or higher.is_complex:
        return higher
    if lower.is_complex:
        return higher.to_complex() if higher.is_floating_point else lower
    if higher.is_floating_point:
        return higher
    if higher is bool or lower.is_floating_point:
        return promote_types(higher, lower)
    return higher


def scalar_dtype(x) -> dtype:
    """The dtype a Python number takes as a tensor (``torch.tensor(x).dtype``)."""
    if isinstance(x, builtins_bool):
        return bool
    if isinstance(x, builtins_int):
        return int64
    if isinstance(x, builtins_float):
        return DEFAULTS.float
    if isinstance(x, builtins_complex):
        return default_complex()
    raise TypeError(f"expected a number, got {type(x).__name__}")


import builtins as _b  # noqa: E402

builtins_bool, builtins_int = _b.bool, _b.int
builtins_float, builtins_complex = _b.float, _b.complex

# PyTorch reads Python's number types as dtypes: dtype=float is float64, .to(int) int64.
_PYTHON_TYPES = {
    builtins_bool: "bool",
    builtins_int: "int64",
    builtins_float: "float64",
    builtins_complex: "complex128",
}


def as_dtype(d):
    """``d`` as a numtorch dtype where it is a Python number type; anything else unchanged (the
    caller reports what it cannot use)."""
    if d.__class__ is dtype or d is None:
        return d
    try:
        name = _PYTHON_TYPES.get(d)
    except TypeError:  # unhashable: not a type
        return d
    return d if name is None else globals()[name]


def result_type(*operands) -> dtype:
    """PyTorch's result dtype for an op over tensors and Python numbers.

    Tensors with dimensions outrank 0-d tensors, which outrank Python numbers, within a category
    (bool < integer < floating < complex); a higher category always wins.
    """
    dim_r = zero_r = wrapped_r = None
    for x in operands:
        d = getattr(x, "dtype", None)
        if isinstance(d, dtype):
            if x.ndim:
                dim_r = d if dim_r is None else promote_types(dim_r, d)
            else:
                zero_r = d if zero_r is None else promote_types(zero_r, d)
        else:
            d = scalar_dtype(x)
            wrapped_r = d if wrapped_r is None else promote_types(wrapped_r, d)
    return _combine(dim_r, _combine(zero_r, wrapped_r))
