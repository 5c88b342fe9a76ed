"""Python data and sizes read as arrays: the size arguments every factory takes, the dtype
PyTorch infers for nested lists, numbers and NumPy arrays, and the wrapping of a new array as a
tensor (``requires_grad``, ``out=``)."""

from __future__ import annotations

import functools
import numbers

from .. import _backend, _dtype
from .._tensor import Tensor, arg_type_name, wrap


def size_keyword(fn):
    """Let ``fn(*size, ...)`` also take ``size=`` as a keyword (``torch.randn(size=(2, 3))``)."""

    @functools.wraps(fn)
    def wrapper(*args, size=None, **kwargs):
        if size is None:
            return fn(*args, **kwargs)
        if args:
            raise TypeError(f"{fn.__name__}() got multiple values for argument 'size'")
        return fn(size, **kwargs)

    return wrapper


def size_error(name: str, size: tuple, s, i: int, arg: str = "size") -> TypeError:
    """PyTorch's parser's refusal of element ``i`` (``s``) of the int list ``arg`` given as
    ``size`` (the arguments): of the whole argument where it is one non-sequence; its parser
    checks the first element before it unpacks the rest."""
    kind = arg_type_name(s)
    if len(size) == 1 and not isinstance(size[0], (tuple, list)):
        problem = f"(position 1) must be tuple of ints, not {kind}"
    elif i == 0 and len(size) > 1:
        return TypeError(f"{name}() takes 1 positional argument but {len(size)} were given")
    elif i == 0:
        problem = f"(position 1) must be tuple of ints, but found element of type {kind} at pos 0"
    else:
        problem = (
            f'failed to unpack the object at pos {i + 1} with error "type must be tuple of '
            f'ints,but got {kind}"'
        )
    return TypeError(f"{name}(): argument '{arg}' {problem}")


def parse_size(size, name="zeros"):
    """``(2, 3)``, ``((2, 3),)``, ``([2, 3],)`` or ``(Size,)`` as a tuple of ints."""
    items = size[0] if len(size) == 1 and isinstance(size[0], (tuple, list)) else size
    out = []
    for s in items:
        if isinstance(s, Tensor):
            s = s.__index__()
        if not isinstance(s, numbers.Integral) or isinstance(s, bool):
            raise size_error(name, size, s, len(out))
        out.append(int(s))
    for s in out:
        if s < 0:
            if name == "zeros":  # PyTorch's zeros checks its sizes itself
                raise RuntimeError("zeros: Dimension size must be non-negative.")
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {out}")
    return tuple(out)


def _finish(arr, requires_grad=False, out=None):
    t = wrap(arr)
    if requires_grad:
        if arr.dtype.kind not in "fcV":
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients"
            )
        t._rg = True
    if out is not None:
        out._data = arr
        out._vc[0] += 1
        return out
    return t


def _xp(device):
    return _backend.module_for(_backend.as_device(device))


def _infer_np_dtype(arr, from_python: bool):
    """The dtype PyTorch would give data that NumPy read as ``arr``."""
    kind = arr.dtype.kind
    if not from_python:
        if arr.dtype in _dtype._FROM_NP:
            return arr.dtype
        if kind in "US":
            raise TypeError(
                "can't convert np.ndarray of type numpy.str_. The only supported "
                "types are: float64, float32, float16, complex64, complex128, int64, "
                "int32, int16, int8, uint8, and bool."
            )
    if kind == "f":
        return _dtype.get_default_dtype().np
    if kind == "c":
        return _dtype.default_complex().np
    if kind in "iu":
        return _dtype.int64.np
    if kind == "b":
        return _dtype.bool.np
    what = type(arr.flat[0]).__name__ if arr.size else "data"
    raise TypeError(f"Could not infer dtype of {what}")


def _from_data(data, dtype, device, copy):
    xp = _xp(device)
    if isinstance(data, Tensor):
        arr = data._data
        if dtype is not None and arr.dtype != dtype.np:
            return arr.astype(dtype.np)
        return arr.copy() if copy else arr
    from_python = not hasattr(data, "dtype")
    if dtype is not None:
        try:
            return xp.array(data, dtype=dtype.np, copy=copy or None)
        except (TypeError, ValueError) as e:
            _check_rectangular(data, dtype)
            raise TypeError(str(e)) from None
    try:
        arr = xp.array(data, copy=copy or None)
    except ValueError as e:
        _check_rectangular(data, None)
        raise ValueError(str(e)) from None
    if from_python and arr.dtype.kind == "O":
        raise TypeError(f"Could not infer dtype of {type(data).__name__}")
    want = _infer_np_dtype(arr, from_python)
    if from_python and _first_leaf_is_numpy(data) and arr.dtype.kind in "biufc":
        want = _scalars_dtype(data) or want
    return arr if arr.dtype == want else arr.astype(want)


def _check_rectangular(data, dtype) -> None:
    """PyTorch's errors for a ragged nested list: each dim's length is the first element's,
    and the elements are checked depth first."""
    shape, first = [], data
    while isinstance(first, (list, tuple)):
        shape.append(len(first))
        if not first:
            break
        first = first[0]
    floating = dtype.is_floating_point if dtype is not None else isinstance(first, float)
    stack = [(data, 0)]
    while stack:
        item, dim = stack.pop()
        is_seq = isinstance(item, (list, tuple))
        if dim == len(shape):
            if not is_seq:
                continue
            kind = type(item).__name__
            raise TypeError(
                f"must be real number, not {kind}"
                if floating
                else f"'{kind}' object cannot be interpreted as an integer"
            )
        if not is_seq:
            raise TypeError("not a sequence")
        if len(item) != shape[dim]:
            raise ValueError(
                f"expected sequence of length {shape[dim]} at dim {dim} (got {len(item)})"
            )
        stack.extend((x, dim + 1) for x in reversed(item))


def _first_leaf_is_numpy(data) -> bool:
    """A cheap look at the first element: only lists of NumPy scalars need the full walk."""
    while isinstance(data, (list, tuple)) and data:
        data = data[0]
    return hasattr(data, "dtype") and not isinstance(data, Tensor)


def _scalars_dtype(data):
    """Where a nested list holds NumPy scalars, PyTorch keeps their dtypes (promoted with the
    Python numbers' defaults): ``[np.int32(3)]`` gives int32. None where it holds none."""
    found, dt, stack = False, None, [data]
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(item)
            continue
        if isinstance(item, Tensor):
            d = item.dtype
        elif hasattr(item, "dtype") and item.dtype in _dtype._FROM_NP:
            found, d = True, _dtype.from_np(item.dtype)
        else:
            d = _dtype.scalar_dtype(item)
        dt = d if dt is None else _dtype.promote_types(dt, d)
    return dt.np if found else None
