"""The CPU backend's own parts: freed memory kept for reuse, and the fast sum of a big array."""

import subprocess
import sys

import numpy as np
import pytest

import numtorch
from numtorch import _backend

_FAULTS = """
import resource, numtorch
a = numtorch.randn(1000, 1000, requires_grad=True)
b = numtorch.randn(1000, 1000, requires_grad=True)
g = numtorch.ones(1000, 1000)
for _ in range(5):
    (a * b).backward(g)
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):
    (a * b).backward(g)
print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 20)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")
def test_a_training_step_does_not_page_fault_its_temporaries_in_again():
    faults = float(
        subprocess.run(
            [sys.executable, "-c", _FAULTS], capture_output=True, text=True, check=True
        ).stdout
    )
    # without the allocator settings: ~1900 faults a step (two 4 MB temporaries, 4 KB pages)
    assert faults < 100


@pytest.mark.parametrize("n", [1 << 16, 1_000_003, 1 << 20])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_big_sums_are_accurate(n, dtype):
    x = np.random.default_rng(n).standard_normal(n).astype(dtype)
    exact = x.astype(np.float64).sum()
    got = _backend.sum_all(x)
    assert got.dtype == x.dtype
    # a small fraction of one rounding of the sum of magnitudes (PyTorch's own error on
    # these inputs is of the same size)
    assert abs(got - exact) <= 0.1 * np.finfo(dtype).eps * np.abs(x).astype(np.float64).sum()


def test_big_sums_keep_infinities_nans_and_dtypes():
    x = np.full(1 << 20, np.inf, np.float32)
    assert _backend.sum_all(x) == np.inf
    x[7] = np.nan
    assert np.isnan(_backend.sum_all(x))
    t = numtorch.ones(1024, 1024, dtype=numtorch.float64)
    assert t.sum().item() == 1024 * 1024 and t.sum().dtype == numtorch.float64
    assert t.sum(dtype=numtorch.float32).dtype == numtorch.float32
    assert t.sum(dim=None, keepdim=True).shape == (1, 1)


@pytest.mark.parametrize("shape", [(1000, 1000), (3, 1 << 17), (1 << 20,)])
def test_big_sum_and_its_gradient_against_pytorch(shape):
    from oracle import torch

    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    ours = numtorch.tensor(x, requires_grad=True)
    theirs = torch.tensor(x, requires_grad=True)
    s, t = ours.sum(), theirs.sum()
    s.backward()
    t.backward()
    np.testing.assert_allclose(s.item(), t.item(), rtol=1e-5, atol=1e-2)
    np.testing.assert_array_equal(ours.grad.numpy(), theirs.grad.numpy())
    assert str(s.dtype) == str(t.dtype)
