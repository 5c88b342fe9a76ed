"""Every row of the derivative table (ops/derivatives.py), tested from the table itself: values
and first derivatives against PyTorch in float32 and float64 (and complex128 where the row is
holomorphic), second derivatives against PyTorch, the node's name, and float64 gradcheck and
gradgradcheck. A new row is tested as soon as it exists: the cases are the table's rows."""

import numpy as np
import pytest
from helpers import assert_close, compare_with_torch, gradcheck, rand, second_derivatives
from oracle import torch

import numtorch
from numtorch.ops.derivatives import ROWS

TENSORS = ("self", "other", "exponent", "end", "weight", "min", "max")

# How a row's op is called where its public function is not ``op(*tensors)`` (a Python number
# operand, or an operator): (call on a library's namespace, number of tensor arguments)
CALLS = {
    "PowBackward0": (lambda lib, x: lib.pow(x, 2.5), 1),
    "PowBackward2": (lambda lib, x: lib.pow(2.5, x), 1),
    "RsubBackward1": (lambda lib, x: 3.0 - x, 1),
    "FmodBackward0": (lambda lib, x: lib.fmod(x, 1.5), 1),
    "RemainderBackward0": (lambda lib, x: lib.remainder(x, 1.5), 1),
    "CopysignBackward1": (lambda lib, x: lib.copysign(x, -1.0), 1),
    "XlogyBackward1": (lambda lib, x: lib.xlogy(2.0, x), 1),
    "XlogyBackward2": (lambda lib, x: lib.xlogy(x, 2.0), 1),
    "ClampBackward1": (lambda lib, x: lib.clamp(x, -0.5, 1.0), 1),
    "ClampMinBackward0": (lambda lib, x: lib.clamp_min(x, -0.5), 1),
    "ClampMaxBackward0": (lambda lib, x: lib.clamp_max(x, 0.5), 1),
    "WhereBackward0": (lambda lib, x, y: lib.where(x > y, x, y * 2), 2),
    "LerpBackward0": (lambda lib, x, y: lib.lerp(x, y, 0.3), 2),
    "RoundBackward1": (lambda lib, x: lib.round(x * 10, decimals=1), 1),
    "PolygammaBackward0": (lambda lib, x: lib.polygamma(2, x), 1),
}
# Inputs where a row's function is smooth (default: -2 to 2)
DOMAINS = {
    "LogBackward0": (0.2, 3),
    "Log2Backward0": (0.2, 3),
    "Log10Backward0": (0.2, 3),
    "Log1PBackward0": (-0.5, 2),
    "SqrtBackward0": (0.2, 3),
    "RsqrtBackward0": (0.2, 3),
    "TanBackward0": (-1.2, 1.2),
    "AsinBackward0": (-0.9, 0.9),
    "AcosBackward0": (-0.9, 0.9),
    "AcoshBackward0": (1.2, 3),
    "AtanhBackward0": (-0.9, 0.9),
    "ReciprocalBackward0": (0.5, 2),
    "DivBackward0": (0.5, 2),
    "PowBackward0": (0.5, 2),
    "PowBackward1": (0.5, 2),
    "XlogyBackward0": (0.5, 2),
    "XlogyBackward1": (0.5, 2),
    "ErfinvBackward0": (-0.9, 0.9),
    "LgammaBackward0": (0.2, 3),
    "DigammaBackward0": (0.2, 3),
    "PolygammaBackward0": (0.5, 3),
    "SpecialNdtriBackward0": (0.1, 0.9),
    "SpecialEntrBackward0": (0.2, 2),
}
# Relative tolerances in float64 where SciPy's kernel and PyTorch's differ in their last digits
# (polygamma(1, x), the derivative of digamma: ~5e-10)
RTOL = {"DigammaBackward0": 1e-8, "LgammaBackward0": 1e-8}
# Rows that save other values than PyTorch's node: erfinv and sinc keep their result where
# PyTorch computes them again, deg2rad/rad2deg keep their factor, and number ** tensor names its
# tensor self (PyTorch: exponent)
SAVED_OTHERWISE = {"ErfinvBackward0", "SincBackward0", "Deg2RadBackward0", "Rad2DegBackward0"}
SAVED_OTHERWISE |= {"PowBackward2"}
# one shape per tensor argument: a broadcast pair and 0-d operands
SHAPES = {1: [[(2, 3)], [()]], 2: [[(2, 3), (3,)], [(), ()]]}
SHAPES[3] = [[(2, 3), (3,), (2, 1)], [(), (), ()]]


def _call(row):
    """(fn(lib, *tensors), number of tensor arguments) for a row."""
    if row.__name__ in CALLS:
        return CALLS[row.__name__]
    n = sum(a in TENSORS for a in row._signature)
    op = row._op
    if op.startswith("special_"):  # torch.special.i1 ...
        return (lambda lib, *xs: getattr(lib.special, op[8:])(*xs)), n
    return (lambda lib, *xs: getattr(lib, op)(*xs)), n


def _cases():
    for row in ROWS:
        n = _call(row)[1]
        for i, shapes in enumerate(SHAPES[n]):
            yield pytest.param(row, shapes, id=f"{row.__name__}-{'broadcast' if i == 0 else '0d'}")


def _arrays(row, shapes, dtype, seed):
    low, high = DOMAINS.get(row.__name__, (-2, 2))
    return [rand(s, dtype, seed + i, low, high) for i, s in enumerate(shapes)]


@pytest.mark.parametrize("row,shapes", list(_cases()))
def test_values_and_first_derivatives_match_torch(row, shapes):
    fn, _ = _call(row)
    dtypes = ["float32", "float64"] + (["complex128"] if row._holomorphic else [])
    for dt in dtypes:
        compare_with_torch(
            lambda *xs: fn(numtorch, *xs),
            _arrays(row, shapes, dt, 0),
            lambda *xs: fn(torch, *xs),
            rtol=RTOL.get(row.__name__) if dt == "float64" else None,
        )


@pytest.mark.parametrize("row,shapes", list(_cases()))
def test_second_derivatives_match_torch(row, shapes):
    fn, _ = _call(row)
    arrays = _arrays(row, shapes, "float64", 0)
    rng = np.random.default_rng(1)
    out_shape = np.broadcast_shapes(*shapes)
    seeds = [rng.standard_normal(out_shape)] + [rng.standard_normal(s) for s in shapes]
    ours, theirs = (
        second_derivatives(numtorch, fn, arrays, seeds),
        second_derivatives(torch, fn, arrays, seeds),
    )
    if ours is None or theirs is None:
        # piecewise linear: one library's gradient may have no graph, the other's is zero
        assert not any(np.any(v) for v in ours or theirs or ())
        return
    for a, b in zip(ours, theirs):
        assert_close(numtorch.tensor(a), torch.tensor(b), rtol=RTOL.get(row.__name__))


@pytest.mark.parametrize("row", ROWS, ids=[r.__name__ for r in ROWS])
def test_node_is_the_row_and_named_as_torch(row):
    fn, n = _call(row)
    ours = fn(numtorch, *[numtorch.tensor([0.5, 0.75], requires_grad=True) for _ in range(n)])
    theirs = fn(torch, *[torch.tensor([0.5, 0.75], requires_grad=True) for _ in range(n)])
    assert type(ours.grad_fn) is row
    assert ours.grad_fn.name() == theirs.grad_fn.name() == row.__name__
    for name in row._save_names:  # what the row saves is readable as PyTorch's attribute
        getattr(ours.grad_fn, "_saved_" + name)
        if row.__name__ not in SAVED_OTHERWISE:
            getattr(theirs.grad_fn, "_saved_" + name)


@pytest.mark.parametrize("row,shapes", list(_cases()))
def test_gradcheck_and_gradgradcheck(row, shapes):
    fn, _ = _call(row)
    gradcheck(lambda *xs: fn(numtorch, *xs), _arrays(row, shapes, "float64", 7))
