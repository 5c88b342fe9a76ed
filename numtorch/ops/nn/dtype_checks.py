"""The dtype checks of PyTorch's nn kernels, with their exception types and texts: a program
that numtorch runs must not fail on PyTorch for a dtype PyTorch refuses."""

from __future__ import annotations

from ... import _dtype
from ..._autocast import unifies


def _name(t) -> str:
    return t.dtype.scalar_type_name


def expect_same(expected, found) -> None:
    """PyTorch's kernels' check that two tensors share a scalar type (autocast casts the
    floating operands of its listed ops to one before the kernel sees them)."""
    if found is not None and found.dtype is not expected.dtype and not unifies(expected, found):
        raise RuntimeError(f"expected scalar type {_name(expected)} but found {_name(found)}")


def class_target(target, op: str = "nll") -> None:
    """Class-index targets: Long or Byte for nll_loss/cross_entropy, Long for margin losses."""
    if op == "nll":
        if target.dtype not in (_dtype.int64, _dtype.uint8):
            raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_name(target)}")
    elif target.dtype is not _dtype.int64:
        raise RuntimeError(f"expected scalar type Long but found {_name(target)}")


def indices(t, op: str) -> None:
    """``embedding``/``embedding_bag`` indices: Long or Int."""
    if t.dtype not in (_dtype.int64, _dtype.int32):
        got = "CPUBoolType" if t.dtype is _dtype.bool else t.dtype.legacy_name
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got {got} instead (while checking arguments for {op})"
        )


def floating(t, kernel: str) -> None:
    """A kernel that exists for floating dtypes only."""
    if not t.dtype.is_floating_point:
        raise _dtype.not_implemented(kernel, t.dtype)


def norm_params(input, kernel: str, *params) -> list:
    """Normalisation on the CPU: a floating input, and parameters (the first one given sets the
    type) of the input's dtype, or float32 with a float32/half/bfloat16 input. Returns the
    parameters in the input's dtype, the result's dtype in PyTorch."""
    floating(input, kernel)
    given = [p for p in params if p is not None]
    if not given or given[0].dtype is input.dtype:
        return list(params)
    if input.dtype.itemsize > 4:
        raise RuntimeError("mixed dtype (CPU): all inputs must share same datatype.")
    if any(p.dtype is not _dtype.float32 for p in given):
        raise RuntimeError("mixed dtype (CPU): expect parameter to have scalar type of Float")
    return [None if p is None else p.to(input.dtype) for p in params]


def loss_values(input, target, kernel: str) -> None:
    """Regression losses of two integer (or bool) tensors have no kernel."""
    if not (input.dtype.is_floating_point or target.dtype.is_floating_point):
        raise _dtype.not_implemented(kernel, _dtype.promote_types(input.dtype, target.dtype))
