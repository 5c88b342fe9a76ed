"""bfloat16 tensors through the ops whose kernels test a dtype's kind: NumPy files ml_dtypes'
bfloat16 under kind "V", its clip and nan_to_num have no bfloat16 loop, its sums round every
partial sum to bfloat16, and its matrix products and some ``where`` calls return float32. Each
op keeps the dtype and values of PyTorch's bfloat16 result."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import assert_close, tolerance
from oracle import torch

import numtorch as nt

pytestmark = pytest.mark.skipif(nt.bfloat16 is None, reason="bfloat16 needs ml_dtypes")

X = np.random.default_rng(0).standard_normal((2, 3, 6, 6)).astype("float32")


def _f(T):
    return T.nn.functional


CASES = {
    "max_pool2d": lambda T, x: _f(T).max_pool2d(x, 2),
    "max_pool1d": lambda T, x: _f(T).max_pool1d(x.flatten(2), 2),
    "max_pool2d_nan": lambda T, x: _f(T).max_pool2d(x / (x * 0), 2),
    "scatter_reduce_amax": lambda T, x: T.zeros(2, dtype=x.dtype).scatter_reduce(
        0, T.tensor([0, 1, 0]), x.flatten()[:3], "amax", include_self=False
    ),
    "scatter_reduce_amin": lambda T, x: T.zeros(2, dtype=x.dtype).scatter_reduce(
        0, T.tensor([0, 1, 0]), x.flatten()[:3], "amin", include_self=False
    ),
    "clamp": lambda T, x: x.clamp(-0.5, 0.5),
    "clamp_min": lambda T, x: x.clamp_min(-0.5),
    "clamp_max": lambda T, x: x.clamp(max=0.5),
    "hardtanh": lambda T, x: _f(T).hardtanh(x),
    "relu6": lambda T, x: _f(T).relu6(x),
    "nan_to_num": lambda T, x: T.nan_to_num(x / (x * 0 + (x > 0).to(x.dtype) - 0.5) / 0),
    "nan_to_num_values": lambda T, x: T.nan_to_num(x / 0, nan=1.0, posinf=2.0, neginf=-2.0),
    "vector_norm": lambda T, x: T.linalg.vector_norm(x),
    "norm": lambda T, x: x.norm(),
    "dist": lambda T, x: T.dist(x, x * 0),
    "sum": lambda T, x: x.sum(),
    "sum_dim": lambda T, x: x.sum((1, 2)),
    "xlogy": lambda T, x: T.xlogy(x.abs(), x.abs() + 1),
    "adaptive_avg_pool2d": lambda T, x: _f(T).adaptive_avg_pool2d(x, 4),
    "cross_entropy_probs": lambda T, x: _f(T).cross_entropy(
        x.flatten(1)[:, :5], x.flatten(1)[:, 5:10].softmax(-1)
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_bfloat16_op_matches_torch(name):
    want = CASES[name](torch, torch.tensor(X).bfloat16())
    got = CASES[name](nt, nt.tensor(X).to(nt.bfloat16))
    assert str(got.dtype) == str(want.dtype)
    # NOTE: compared in float32 (PyTorch's bfloat16 has no NumPy form), at bfloat16's tolerance
    atol, rtol = tolerance(torch.bfloat16)
    assert_close(got.float(), want.float(), atol=atol, rtol=rtol)
