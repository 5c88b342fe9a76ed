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
    "sign_nan": lambda T, x: T.sign(x * 0 / 0),
    "sgn_zero_signbit": lambda T, x: T.sgn(x * 0).signbit(),
    "sum": lambda T, x: x.sum(),
    "sum_dim": lambda T, x: x.sum((1, 2)),
    "xlogy": lambda T, x: T.xlogy(x.abs(), x.abs() + 1),
    "adaptive_avg_pool2d": lambda T, x: _f(T).adaptive_avg_pool2d(x, 4),
    "cross_entropy_probs": lambda T, x: _f(T).cross_entropy(
        x.flatten(1)[:, :5], x.flatten(1)[:, 5:10].softmax(-1)
    ),
}


def _matches_torch(make, array):
    """``make`` on ``array`` in bfloat16 gives PyTorch's dtype and values."""
    want = make(torch, torch.tensor(array).bfloat16())
    got = make(nt, nt.tensor(array).to(nt.bfloat16))
    assert str(got.dtype) == str(want.dtype)
    # NOTE: compared in float32 (PyTorch's bfloat16 has no NumPy form), at bfloat16's tolerance
    atol, rtol = tolerance(torch.bfloat16)
    assert_close(got.float(), want.float(), atol=atol, rtol=rtol)


@pytest.mark.parametrize("name", list(CASES))
def test_bfloat16_op_matches_torch(name):
    _matches_torch(CASES[name], X)


# A thousand values near 3: bfloat16 partial sums stall (at 1792 for this sum) where PyTorch's
# kernels accumulate in float32 and round once
LONG = (np.random.default_rng(1).standard_normal((10, 100)) + 3).astype("float32")
REDUCTIONS = {
    "mean": lambda T, x: x.mean(),
    "mean_dim": lambda T, x: x.mean(0),
    "nansum": lambda T, x: x.nansum(),
    "nanmean": lambda T, x: x.nanmean(),
    "var": lambda T, x: x.var(),
    "std_dim": lambda T, x: x.std(1),
    "var_mean": lambda T, x: T.var_mean(x)[1],
    "cumsum": lambda T, x: x.flatten().cumsum(0),
    "logsumexp": lambda T, x: x.flatten().logsumexp(0),
    "softmax": lambda T, x: x.flatten().softmax(0) * 1000,
    "log_softmax": lambda T, x: x.flatten().log_softmax(0),
    "trace": lambda T, x: x[:, :10].trace(),
    "layer_norm": lambda T, x: _f(T).layer_norm(x, (100,)),
    "batch_norm": lambda T, x: _f(T).batch_norm(x.t(), None, None, training=True),
    "group_norm": lambda T, x: _f(T).group_norm(x.reshape(2, 5, 100), 5),
    "avg_pool1d": lambda T, x: _f(T).avg_pool1d(x[None], 50),
    "adaptive_avg_pool1d": lambda T, x: _f(T).adaptive_avg_pool1d(x.reshape(1, 1, 1000), 3),
}


@pytest.mark.parametrize("name", list(REDUCTIONS))
def test_bfloat16_reductions_accumulate_in_float32(name):
    _matches_torch(REDUCTIONS[name], LONG)


# Rows long enough, and off zero, that a sum rounded to 16 bits at each step drifts by many
# units in the last place; PyTorch accumulates in float32 and rounds once.
WIDE = np.random.default_rng(1).standard_normal((8, 500)).astype("float32") + 3

HALF_REDUCTIONS = {
    "mean": lambda T, x: x.mean(),
    "mean_dim": lambda T, x: x.mean(1),
    "var": lambda T, x: x.var(),
    "std_dim": lambda T, x: x.std(1, keepdim=True),
    "var_mean": lambda T, x: T.cat(T.var_mean(x, 1, correction=0)),
    "std_mean": lambda T, x: T.cat(T.std_mean(x, 0)),
    "nansum": lambda T, x: T.nansum(x + (x - x) / (x > 2), 1),
    "nanmean": lambda T, x: T.nanmean(x + (x - x) / (x > 2), 1),
    "logsumexp": lambda T, x: T.logsumexp(x, 1),
    "l1_loss": lambda T, x: _f(T).l1_loss(x, x * 0),
    "mse_loss": lambda T, x: _f(T).mse_loss(x * 10, x * 0),
    "mse_loss_sum": lambda T, x: _f(T).mse_loss(x / 64, x * 0, reduction="sum"),
    "smooth_l1_loss": lambda T, x: _f(T).smooth_l1_loss(x, x * 0),
    "soft_margin_loss": lambda T, x: _f(T).soft_margin_loss(x, x.detach().sign()),
    "bce_with_logits_sum": lambda T, x: _f(T).binary_cross_entropy_with_logits(
        x, x * 0, reduction="sum"
    ),
}


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
@pytest.mark.parametrize("name", list(HALF_REDUCTIONS))
def test_half_reduction_accumulates_in_float32(name, dtype):
    t = torch.tensor(WIDE).to(getattr(torch, dtype)).requires_grad_()
    n = nt.tensor(WIDE).to(getattr(nt, dtype)).requires_grad_()
    want, got = HALF_REDUCTIONS[name](torch, t), HALF_REDUCTIONS[name](nt, n)
    assert str(got.dtype) == str(want.dtype)
    # NOTE: one rounding of a float32 result gives PyTorch's bits exactly
    np.testing.assert_array_equal(got.detach().float().numpy(), want.detach().float().numpy())
    want.sum().backward()
    got.sum().backward()
    assert str(n.grad.dtype) == str(t.grad.dtype)
    assert_close(n.grad.float().numpy(), t.grad.float().numpy(), *tolerance(t.dtype))
