"""``torch.testing``: ``assert_close`` (PyTorch's default tolerances per dtype and its failure
messages), the deprecated ``assert_allclose``, and ``make_tensor``.

Inputs may be tensors, NumPy arrays, Python numbers, or sequences / mappings of those (compared
item by item, the failing item named in the message).
"""

from __future__ import annotations

import collections.abc
import math
from typing import Any, Callable

import numpy as np

from . import _dtype
from ._tensor import Tensor

__all__ = ["assert_close", "assert_allclose", "make_tensor"]

# (rtol, atol) by dtype name; other dtypes (integers, bool) compare exactly
_DEFAULT_TOLERANCES = {
    "float16": (1e-3, 1e-5),
    "bfloat16": (1.6e-2, 1e-5),
    "float32": (1.3e-6, 1e-5),
    "float64": (1e-7, 1e-7),
    "complex32": (1e-3, 1e-5),
    "complex64": (1.3e-6, 1e-5),
    "complex128": (1e-7, 1e-7),
}


class _Mismatch(AssertionError):
    pass


def _tolerances(*dtypes, rtol=None, atol=None) -> tuple[float, float]:
    if (rtol is None) != (atol is None):
        missing = "atol" if atol is None else "rtol"
        raise ValueError(
            f"Both 'rtol' and 'atol' must be either specified or omitted, but got no {missing}."
        )
    if rtol is not None:
        return rtol, atol
    tols = [_DEFAULT_TOLERANCES.get(str(d).rsplit(".", 1)[-1], (0.0, 0.0)) for d in dtypes]
    return max(t[0] for t in tols), max(t[1] for t in tols)


def _number_str(v) -> str:
    return repr(v.item() if hasattr(v, "item") else v)


def _compare_arrays(
    a: np.ndarray, b: np.ndarray, rtol: float, atol: float, equal_nan: bool, scalar: bool
) -> str | None:
    """The failure message for two same-shape arrays, or None when they are close."""
    if a.dtype.kind in "biu" and b.dtype.kind in "biu":
        close = a == b
    else:
        close = np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)
    if close.all():
        return None
    abs_diff, rel_diff = _differences(a, b, close)
    kind = "equal" if rtol == 0 and atol == 0 else "close"
    if scalar:
        # NOTE: scalars report their differences as Python numbers (float64)
        if a.dtype.kind in "fc":
            abs_diff = (
                abs(complex(a) - complex(b)) if a.dtype.kind == "c" else abs(float(a) - float(b))
            )
            rel_diff = abs_diff / abs(b.item()) if b.item() != 0 else math.inf
        lines = [
            f"Scalars are not {kind}!",
            "",
            f"Expected {_number_str(b)} but got {_number_str(a)}.",
            f"Absolute difference: {_number_str(abs_diff)}",
            f"Relative difference: {_number_str(rel_diff)}",
        ]
        return _with_tolerances(lines, rtol, atol)
    total, bad = close.size, int((~close).sum())
    i_abs, i_rel = _worst(abs_diff), _worst(rel_diff)
    lines = [
        f"Tensor-likes are not {kind}!",
        "",
        f"Mismatched elements: {bad} / {total} ({bad / total:.1%})",
        f"Greatest absolute difference: {_number_str(abs_diff[i_abs])} at index {i_abs}",
        f"Greatest relative difference: {_number_str(rel_diff[i_rel])} at index {i_rel}",
    ]
    return _with_tolerances(lines, rtol, atol)


def _differences(a, b, close):
    """The absolute and relative differences, zero where the elements are close."""
    # NOTE: differences are taken in the compared dtype (as PyTorch reports them); integer and
    # bool inputs report relative differences in the default float dtype.
    if a.dtype.kind in "biu":
        ai, bi = a.astype(np.int64), b.astype(np.int64)
        abs_diff = np.abs(ai - bi)
        fdt = _dtype.get_default_dtype().np
        with np.errstate(divide="ignore", invalid="ignore"):
            return abs_diff, abs_diff.astype(fdt) / np.abs(bi).astype(fdt)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        abs_diff = np.abs(a - b)
        rel_diff = abs_diff / np.abs(b)
    return np.where(close, 0, abs_diff), np.where(close, 0, rel_diff)


def _worst(diff) -> tuple:
    """The index of the greatest difference (of the first NaN, where there is one)."""
    flat = diff.ravel()
    nan = np.isnan(flat)
    i = np.argmax(nan if nan.any() else flat)
    return tuple(int(k) for k in np.unravel_index(int(i), diff.shape))


def _with_tolerances(lines, rtol, atol) -> str:
    """The message, with the tolerances beside the differences unless the check was exact."""
    if rtol != 0 or atol != 0:
        lines[3] += f" (up to {atol} allowed)"
        lines[4] += f" (up to {rtol} allowed)"
    return "\n".join(lines)


def _compare_leaf(actual, expected, rtol, atol, equal_nan, check_dtype, allow_subclasses):
    tensorish = (Tensor, np.ndarray)
    if isinstance(actual, tensorish) or isinstance(expected, tensorish):
        kinds = (type(actual), type(expected))
        both_tensor = isinstance(actual, Tensor) and isinstance(expected, Tensor)
        both_np = isinstance(actual, np.ndarray) and isinstance(expected, np.ndarray)
        if not (both_tensor or both_np):
            raise TypeError(
                f"No comparison pair was able to handle inputs of type {kinds[0]} and {kinds[1]}."
            )
        if not allow_subclasses and kinds[0] is not kinds[1]:
            raise _Mismatch(
                f"Except for Python scalars, input types need to match, but got "
                f"{kinds[0]} and {kinds[1]} instead."
            )
        if both_tensor:
            a_dt, b_dt = actual.dtype, expected.dtype
            a, b = actual.detach()._data, expected.detach()._data
        else:
            a, b = actual, expected
            a_dt, b_dt = a.dtype, b.dtype
        if a.shape != b.shape:
            shape = (lambda s: f"torch.Size({list(s)})") if both_tensor else str
            raise _Mismatch(
                f"The values for attribute 'shape' do not match: "
                f"{shape(a.shape)} != {shape(b.shape)}."
            )
        if check_dtype and a_dt != b_dt:
            raise _Mismatch(f"The values for attribute 'dtype' do not match: {a_dt} != {b_dt}.")
        rtol, atol = _tolerances(a_dt, b_dt, rtol=rtol, atol=atol)
        if a.dtype != b.dtype:
            common = np.promote_types(a.dtype, b.dtype)
            a, b = a.astype(common), b.astype(common)
        a, b = np.asarray(a), np.asarray(b)
        return _compare_arrays(a, b, rtol, atol, equal_nan, scalar=a.ndim == 0)
    numbers = (bool, int, float, complex)
    if isinstance(actual, numbers) and isinstance(expected, numbers):
        if check_dtype and type(actual) is not type(expected):
            raise _Mismatch(f"The (d)types do not match: {type(actual)} != {type(expected)}.")
        a, b = np.asarray(actual), np.asarray(expected)
        if isinstance(actual, float) or isinstance(expected, float):
            a, b = a.astype(np.float64), b.astype(np.float64)
        rtol, atol = _tolerances(a.dtype.name, rtol=rtol, atol=atol)
        return _compare_arrays(a, b, rtol, atol, equal_nan, scalar=True)
    if actual is None or expected is None:
        if actual is expected:
            return None
        raise _Mismatch(f"None mismatch: {actual} is not {expected}")
    raise TypeError(
        f"No comparison pair was able to handle inputs of type {type(actual)} and {type(expected)}."
    )


def _sequence(x) -> bool:
    return isinstance(x, collections.abc.Sequence) and not isinstance(x, (str, bytes))


def _compare(actual, expected, path, **kw):
    """Yields (message, path) for the first mismatch in a nested structure."""
    if _sequence(actual) and _sequence(expected):
        if len(actual) != len(expected):
            raise _Mismatch(
                f"The length of the sequences mismatch: {len(actual)} != {len(expected)}"
            )
        for i, (a, b) in enumerate(zip(actual, expected)):
            _compare(a, b, path + [i], **kw)
        return
    if isinstance(actual, collections.abc.Mapping) and isinstance(
        expected, collections.abc.Mapping
    ):
        if set(actual) != set(expected):
            raise _Mismatch(
                f"The keys of the mappings do not match:\nMissing keys in the "
                f"actual mapping: {sorted(set(expected) - set(actual), key=str)}\n"
                f"Additional keys in the actual mapping: "
                f"{sorted(set(actual) - set(expected), key=str)}"
            )
        for k in actual:
            _compare(actual[k], expected[k], path + [k], **kw)
        return
    msg = _compare_leaf(actual, expected, **kw)
    if msg is not None:
        if path:
            msg += "\n\nThe failure occurred for item " + "".join(f"[{p!r}]" for p in path)
        raise _Mismatch(msg)


def assert_close(
    actual: Any,
    expected: Any,
    *,
    allow_subclasses: bool = True,
    rtol: float | None = None,
    atol: float | None = None,
    equal_nan: bool = False,
    check_device: bool = True,
    check_dtype: bool = True,
    check_layout: bool = True,
    check_stride: bool = False,
    msg: str | Callable[[str], str] | None = None,
) -> None:
    """Raise ``AssertionError`` unless ``|actual - expected| <= atol + rtol * |expected|``
    elementwise (shapes and, by default, dtypes equal too). Default tolerances follow the
    dtype: float32 ``rtol=1.3e-6, atol=1e-5``, float64 ``1e-7, 1e-7``, integers exact."""
    try:
        _compare(
            actual,
            expected,
            [],
            rtol=rtol,
            atol=atol,
            equal_nan=equal_nan,
            check_dtype=check_dtype,
            allow_subclasses=allow_subclasses,
        )
    except _Mismatch as e:
        text = str(e)
        if callable(msg):
            text = msg(text)
        elif msg is not None:
            text = msg
        raise AssertionError(text) from None


def assert_allclose(
    actual: Any,
    expected: Any,
    rtol: float | None = None,
    atol: float | None = None,
    equal_nan: bool = True,
    msg: str = "",
) -> None:
    """Deprecated ``torch.testing.assert_allclose``: ``expected`` is converted to a tensor
    like ``actual`` and dtypes may differ."""
    import warnings

    import numtorch

    warnings.warn(
        "`torch.testing.assert_allclose()` is deprecated since 1.12 and will be "
        "removed in a future release. Please use `torch.testing.assert_close()` "
        "instead.",
        FutureWarning,
        stacklevel=2,
    )
    if not isinstance(actual, Tensor):
        actual = numtorch.tensor(actual)
    if not isinstance(expected, Tensor):
        expected = numtorch.tensor(expected, dtype=actual.dtype)
    if rtol is None and atol is None:
        rtol, atol = _tolerances(actual.dtype, expected.dtype)
    assert_close(
        actual,
        expected,
        rtol=rtol,
        atol=atol,
        equal_nan=equal_nan,
        check_dtype=False,
        msg=msg or None,
    )


def make_tensor(
    *shape,
    dtype,
    device=None,
    low: float | None = None,
    high: float | None = None,
    requires_grad: bool = False,
    noncontiguous: bool = False,
    exclude_zero: bool = False,
    memory_format=None,
) -> Tensor:
    """A random tensor of ``shape`` and ``dtype``, uniform on ``[low, high)`` (default
    ``[-9, 9)`` for floats, ``[-9, 10)`` for integers; bools are fair coin flips), drawn with
    numtorch's generator."""
    import numtorch

    if len(shape) == 1 and isinstance(shape[0], (list, tuple)):
        shape = tuple(shape[0])
    if low is not None and high is not None and low > high:
        raise ValueError(f"`low` must be less than or equal to `high`, but got {low} > {high}")
    if any(v is not None and math.isnan(v) for v in (low, high)):
        raise ValueError(f"`low` and `high` cannot be NaN, but got low={low} and high={high}")
    if dtype == numtorch.bool:
        out = numtorch.randint(0, 2, shape).to(numtorch.bool)
    elif dtype.is_floating_point or dtype.is_complex:
        lo = -9.0 if low is None else low
        hi = 9.0 if high is None else high
        out = numtorch.empty(shape, dtype=dtype).uniform_(lo, hi)
        if exclude_zero:
            tiny = numtorch.finfo(dtype).tiny
            out = numtorch.where(out == 0, numtorch.full((), tiny, dtype=dtype), out)
    else:
        lo = -9 if low is None else math.ceil(low)
        hi = 10 if high is None else math.floor(high) + 1
        out = numtorch.randint(lo, hi, shape, dtype=dtype)
        if exclude_zero:
            out = numtorch.where(out == 0, numtorch.ones((), dtype=dtype), out)
    if noncontiguous and out.numel() > 1:
        out = numtorch.repeat_interleave(out.reshape(-1), 2)[::2].reshape(out.shape)
    if memory_format is not None:
        out = out.contiguous(memory_format=memory_format)
    if requires_grad:
        out.requires_grad_(True)
    return out
