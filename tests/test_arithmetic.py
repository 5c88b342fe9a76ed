"""Arithmetic operators: values, gradients, PyTorch's type promotion, in-place forms."""

import numpy as np
import pytest
from helpers import check_op, torch

import numtorch as nt

BINARY = [
    ("add", lambda a, b: a + b),
    ("sub", lambda a, b: a - b),
    ("mul", lambda a, b: a * b),
    ("div", lambda a, b: a / b),
    ("add_alpha", lambda a, b: a.add(b, alpha=2.5)),
    ("sub_alpha", lambda a, b: a.sub(b, alpha=0.5)),
]
SHAPES = [
    [(), ()],
    [(3,), (3,)],
    [(2, 3), (3,)],
    [(4, 1), (1, 5)],
    [(2, 1, 3), (4, 1)],
    [(0, 3), (3,)],
]


@pytest.mark.parametrize("name,fn", BINARY, ids=[b[0] for b in BINARY])
@pytest.mark.parametrize("shapes", SHAPES, ids=str)
def test_binary(name, fn, shapes):
    check_op(fn, shapes, low=0.5, high=2.0, second_order=shapes[0] != (0, 3))


@pytest.mark.parametrize("shapes", [[()], [(3,)], [(2, 3)]], ids=str)
def test_unary_arith(shapes):
    check_op(lambda a: -a, shapes)
    check_op(lambda a: a**3, shapes)
    check_op(lambda a: a**2.5, shapes, positive=True)
    check_op(lambda a: 1 / a, shapes, low=0.5, high=2.0)
    check_op(lambda a: 2 - a, shapes)
    check_op(lambda a: 3.0 / a, shapes, low=0.5, high=2.0)
    check_op(lambda a: 2.0**a, shapes)
    check_op(lambda a: a.reciprocal(), shapes, low=0.5, high=2.0)


def test_tensor_pow_tensor():
    check_op(lambda a, b: a**b, [(3,), (3,)], positive=True)


def test_non_contiguous_operands():
    check_op(lambda a, b: a.t() * b, [(3, 2), (2, 3)])


MATRIX_PRODUCTS = [
    ("mm", "mm", [(3, 4), (4, 2)]),
    ("mm_square", "mm", [(3, 3), (3, 3)]),
    ("mv", "mv", [(3, 4), (4,)]),
    ("matmul_square", "matmul", [(4, 4), (4, 4)]),
    ("matmul_batched", "matmul", [(2, 3, 3), (3, 3)]),
    ("matmul_broadcast", "matmul", [(2, 1, 3, 4), (3, 4, 2)]),
    ("vector_matrix", "matmul", [(4,), (2, 4, 3)]),
    ("matrix_vector", "matmul", [(2, 3, 4), (4,)]),
    ("bmm", "bmm", [(2, 3, 3), (2, 3, 3)]),
    ("linear", "linear", [(5, 4), (3, 4), (3,)]),
    ("linear_one_row", "linear", [(1, 4), (3, 4), (3,)]),
    ("linear_3d", "linear", [(2, 5, 4), (4, 4)]),
]


def _product(module, name):
    return module.nn.functional.linear if name == "linear" else getattr(module, name)


@pytest.mark.parametrize("case,name,shapes", MATRIX_PRODUCTS, ids=[c[0] for c in MATRIX_PRODUCTS])
def test_matrix_products(case, name, shapes):
    check_op(lambda *a: _product(nt, name)(*a), shapes, lambda *a: _product(torch, name)(*a))


@pytest.mark.parametrize(
    "a,b",
    [
        (np.array([1, 2]), 2.5),
        (np.array([1, 2]), 2),
        (np.array([True, False]), 1),
        (np.array([1, 2], np.int32), np.array([1, 2], np.int64)),
        (np.array([1.0, 2.0], np.float32), np.array(2.0, np.float64)),
        (np.array([1, 2], np.int64), np.array(2.0, np.float64)),
        (np.array([1.0], np.float16), np.array([1], np.int64)),
        (np.array([1, 2], np.uint8), np.array([1, 2], np.int8)),
        (np.array([1.0, 2.0], np.float32), 1j),
        (np.array([True]), np.array([True])),
        (np.array([1, 2], np.int32), True),
    ],
)
@pytest.mark.parametrize("op", ["add", "mul", "truediv", "floordiv", "lt", "eq"])
def test_type_promotion_matches_torch(a, b, op):
    def make(module, v):
        return module.tensor(v) if isinstance(v, np.ndarray) else v

    def run(module):
        x, y = make(module, a), make(module, b)
        return getattr(x, f"__{op}__")(y)

    try:
        expected = run(torch)
    except RuntimeError:
        with pytest.raises(RuntimeError):
            run(nt)
        return
    if expected is NotImplemented:
        return
    got = run(nt)
    assert str(got.dtype) == str(expected.dtype)
    np.testing.assert_allclose(got.numpy(), expected.numpy())


def test_int_division_modes():
    a, b = nt.tensor([7, -7, 7, -7]), nt.tensor([2, 2, -2, -2])
    assert (a / b).dtype is nt.float32
    assert a.div(b, rounding_mode="trunc").tolist() == [3, -3, -3, 3]
    assert a.div(b, rounding_mode="floor").tolist() == [3, -4, -4, 3]
    assert (a // b).tolist() == [3, -4, -4, 3]
    f = nt.tensor([7.5, -7.5])
    assert f.div(2, rounding_mode="trunc").tolist() == [3.0, -3.0]


def test_errors():
    with pytest.raises(RuntimeError, match="Integers to negative integer powers"):
        nt.tensor([2]) ** -1
    with pytest.raises(RuntimeError, match="Subtraction, the `-` operator, with two bool"):
        nt.tensor([True]) - nt.tensor([False])
    with pytest.raises(RuntimeError, match="Negation, the `-` operator, on a bool tensor"):
        -nt.tensor([True])
    with pytest.raises(
        RuntimeError, match="result type Float can't be cast to the desired output type Long"
    ):
        nt.tensor([1, 2]).add_(1.5)
    with pytest.raises(ValueError, match="div expected rounding_mode"):
        nt.tensor([1.0]).div(2, rounding_mode="round")
    with pytest.raises(TypeError):
        nt.tensor([1.0]) + "a"


def test_inplace_ops_and_versions():
    x = nt.tensor([1.0, 2.0])
    y = x
    x += 1
    x *= 2
    x -= 1
    x /= 2
    assert y is x and x.tolist() == [1.5, 2.5] and x._version == 4
    x.add_(nt.tensor([1.0, 1.0]), alpha=2)
    assert x.tolist() == [3.5, 4.5]
    x.zero_()
    x.fill_(3)
    assert x.tolist() == [3.0, 3.0]
    x.copy_(nt.tensor([5, 6]))
    assert x.tolist() == [5.0, 6.0] and x.dtype is nt.float32


def test_out_argument():
    out = nt.empty(2)
    nt.add(nt.tensor([1.0, 2.0]), 1, out=out)
    assert out.tolist() == [2.0, 3.0]


def test_comparisons_and_logic():
    a = nt.tensor([1.0, 2.0, 3.0])
    assert (a > 2).tolist() == [False, False, True]
    assert (2 < a).tolist() == [False, False, True]
    assert (a == nt.tensor([1, 0, 3])).tolist() == [True, False, True]
    assert nt.equal(a, a.clone())
    m = nt.tensor([True, False])
    assert (~m).tolist() == [False, True] and (m & ~m).tolist() == [False, False]
    assert (nt.tensor([6]) ^ 3).tolist() == [5]


def test_numpy_operand_on_the_left_defers_to_tensor():
    r = np.float32(2.0) * nt.tensor([1.0])
    assert isinstance(r, nt.Tensor)


def test_grad_fn_names():
    x = nt.tensor([1.0, 2.0], requires_grad=True)
    names = {
        "AddBackward0": x + 1,
        "SubBackward0": x - 1,
        "RsubBackward1": 1 - x,
        "MulBackward0": x * 2,
        "DivBackward0": x / 2,
        "PowBackward0": x**2,
        "NegBackward0": -x,
    }
    for name, y in names.items():
        assert y.grad_fn.name() == name
    assert (1 / x).grad_fn.name() == "MulBackward0"


@pytest.mark.parametrize("dtype", ["uint8", "int8", "int16", "int32"])
def test_out_of_range_int_wraps_into_the_dtype_as_pytorch_does(dtype):
    vals = [1, -2, 100, 7] if dtype != "uint8" else [1, 2, 200, 7]
    for m, out in ((nt, []), (torch, [])):
        a = m.tensor(vals, dtype=getattr(m, dtype))
        for n in (300, -300, 70000, 2**40 + 3):
            out += [a + n, a - n, n - a, a * n, a // n, a % n, a < n, a == n, a / n, n / a]
        if m is nt:
            ours = out
    for got, want in zip(ours, out):
        assert got.dtype == getattr(nt, str(want.dtype).split(".")[1])
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.where(m.ones(3, dtype=m.bool), m.ones(2, 3), m.ones(4, 5)),
        lambda m: m.ones(2, 3).masked_fill(m.ones(3, 2, dtype=m.bool), 0.0),
        lambda m: m.ones(2, 3) @ m.ones(3, 2, dtype=m.float64),
        lambda m: m.mm(m.ones(2, 3, dtype=m.int32), m.ones(3, 2)),
        lambda m: m.bmm(m.ones(1, 2, 3), m.ones(1, 3, 2, dtype=m.float64)),
        lambda m: m.nn.functional.linear(m.ones(2, 3, dtype=m.float64), m.ones(4, 3), m.ones(4)),
        lambda m: m.nn.functional.linear(m.ones(2, 3, dtype=m.float64), m.ones(4, 3)),
        lambda m: m.nn.functional.linear(m.ones(2, 3), m.ones(4, 3), m.ones(4, dtype=m.float64)),
        lambda m: m.nn.functional.layer_norm(m.ones(2, 3), (4,)),
    ],
)
def test_error_messages_match_pytorch(call):
    messages = []
    for m in (nt, torch):
        with pytest.raises(RuntimeError) as e:
            call(m)
        messages.append(str(e.value))
    assert messages[0] == messages[1]
