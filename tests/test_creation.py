"""Factories: dtype inference, arguments and errors as PyTorch has them."""

import numpy as np
import pytest
from helpers import torch

import numtorch as nt

DATA = [
    [1, 2],
    [1.0, 2],
    [True, False],
    [1 + 2j],
    [[1, 2], [3, 4]],
    3,
    2.5,
    True,
    np.array([1, 2], np.int32),
    np.array([1.0], np.float64),
    [np.int32(3)],
    [np.float32(1.0), 2.0],
    [np.int32(3), 1],
    np.float32(2.0),
    [],
]


@pytest.mark.parametrize("data", DATA, ids=repr)
def test_tensor_infers_pytorchs_dtype(data):
    a, b = nt.tensor(data), torch.tensor(data)
    assert str(a.dtype) == str(b.dtype) and tuple(a.shape) == tuple(b.shape)
    assert repr(a) == repr(b)


@pytest.mark.parametrize(
    "call",
    [
        "arange(5)",
        "arange(1, 4, 0.5)",
        "arange(0, 1, 0.1)",
        "linspace(0, 1, 7)",
        "linspace(-2, 3, 10, dtype=M.float64)",
        "logspace(0, 2, 5)",
        "eye(3)",
        "eye(2, 3)",
        "full((2, 2), 7)",
        "full((2,), 1.5)",
        "full((1,), True)",
        "zeros(2, 3, dtype=M.int32)",
        "ones((2,), dtype=M.float16)",
        "zeros_like(M.ones(2, dtype=M.int64))",
        "full_like(M.ones(2), 3)",
        "ones(2).new_zeros(3)",
        "ones(2).new_tensor([1, 2])",
    ],
)
def test_factories_match_torch(call):
    a, b = eval("M." + call, {"M": nt}), eval("M." + call, {"M": torch})
    assert str(a.dtype) == str(b.dtype)
    np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_from_numpy_and_as_tensor_share_memory():
    arr = np.zeros(3, np.float32)
    t = nt.from_numpy(arr)
    arr[0] = 5
    assert t[0].item() == 5
    assert nt.as_tensor(arr).numpy() is arr or np.shares_memory(nt.as_tensor(arr).numpy(), arr)
    with pytest.raises(TypeError):
        nt.from_numpy(np.array(["a"]))


def test_factory_errors():
    with pytest.raises(RuntimeError, match="zeros: Dimension size must be non-negative."):
        nt.zeros(2, -1)  # PyTorch's zeros has its own text
    for make in (lambda: nt.ones(-1), lambda: nt.empty(3, -2), lambda: nt.ones(1).new_zeros(-1)):
        with pytest.raises(RuntimeError, match="Trying to create tensor with negative dimension"):
            make()
    with pytest.raises(TypeError):
        nt.zeros(2.5)
    with pytest.raises(RuntimeError, match="Only Tensors of floating point"):
        nt.zeros(2, dtype=nt.int64, requires_grad=True)


def test_legacy_types():
    t = nt.FloatTensor([1, 2])
    assert t.dtype is nt.float32 and isinstance(t, nt.FloatTensor)
    assert nt.LongTensor(2, 3).shape == (2, 3)
    assert t.type() == "torch.FloatTensor" and t.type(nt.LongTensor).dtype is nt.int64
    assert nt.Tensor([1, 2]).dtype is nt.float32
