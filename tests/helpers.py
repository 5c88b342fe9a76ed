"""Shared test helpers: compare an op with PyTorch, and check gradients by finite differences.

    check_op(lambda x, y: x * y, shapes=[(3, 1), (4,)])       # one line per op

``check_op`` runs the function on numtorch and (where installed) on PyTorch with the same
random inputs, compares values, dtypes, shapes and gradients, then runs a float64 gradcheck
(and gradgradcheck) on numtorch alone, which needs no PyTorch.
"""

from __future__ import annotations

import numpy as np
import pytest

import numtorch

try:
    import torch
except ImportError:  # the oracle is optional
    torch = None

requires_torch = pytest.mark.skipif(torch is None, reason="PyTorch (the oracle) not installed")

DTYPES = {"float32": (numtorch.float32, "float32"), "float64": (numtorch.float64, "float64")}


def rand_arrays(shapes, dtype="float32", low=-2.0, high=2.0, seed=0, positive=False):
    rng = np.random.default_rng(seed)
    out = []
    for s in shapes:
        a = rng.uniform(low, high, size=s)
        if positive:
            a = np.abs(a) + 0.1
        out.append(a.astype(dtype))
    return out


def to_numtorch(arrays, requires_grad=True):
    return [numtorch.tensor(a, requires_grad=requires_grad and a.dtype.kind == "f") for a in arrays]


def to_torch(arrays, requires_grad=True):
    return [torch.tensor(a, requires_grad=requires_grad and a.dtype.kind == "f") for a in arrays]


def assert_close(nt_value, torch_value, atol=1e-5, rtol=1e-4, check_dtype=True):
    """A numtorch tensor equals a torch tensor: shape, dtype name and values."""
    a = nt_value.detach().numpy() if isinstance(nt_value, numtorch.Tensor) else np.asarray(nt_value)
    # NOTE: ``+ 0`` materialises PyTorch's lazy zero tensors (returned e.g. by sgn's backward)
    b = (
        (torch_value.detach() + 0).numpy()
        if hasattr(torch_value, "detach")
        else np.asarray(torch_value)
    )
    assert a.shape == b.shape, f"shape {a.shape} != torch {b.shape}"
    if check_dtype and hasattr(torch_value, "dtype") and isinstance(nt_value, numtorch.Tensor):
        assert str(nt_value.dtype) == str(torch_value.dtype), (
            f"dtype {nt_value.dtype} != torch {torch_value.dtype}"
        )
    np.testing.assert_allclose(a, b, atol=atol, rtol=rtol, equal_nan=True)


def _outputs(res):
    return list(res) if isinstance(res, (tuple, list)) else [res]


def compare_with_torch(fn, arrays, torch_fn=None, atol=1e-5, rtol=1e-4, grad=True, seed=1):
    """Run ``fn`` on numtorch and ``torch_fn`` (default: ``fn``) on torch; compare outputs
    and the gradients of every input for a random output gradient."""
    torch_fn = torch_fn or fn
    nt_in, t_in = to_numtorch(arrays, grad), to_torch(arrays, grad)
    nt_out, t_out = _outputs(fn(*nt_in)), _outputs(torch_fn(*t_in))
    assert len(nt_out) == len(t_out)
    for a, b in zip(nt_out, t_out):
        assert_close(a, b, atol, rtol)
    if not grad:
        return
    rng = np.random.default_rng(seed)
    nt_pairs, t_pairs = [], []
    for a, b in zip(nt_out, t_out):
        if isinstance(b, torch.Tensor) and b.requires_grad:
            g = rng.standard_normal(tuple(b.shape)).astype(b.detach().numpy().dtype)
            nt_pairs.append((a, numtorch.tensor(g)))
            t_pairs.append((b, torch.tensor(g)))
    if not t_pairs:
        return
    nt_diff = [t for t in nt_in if t.requires_grad]
    t_diff = [t for t in t_in if t.requires_grad]
    t_grads = torch.autograd.grad(
        [p[0] for p in t_pairs], t_diff, [p[1] for p in t_pairs], allow_unused=True
    )
    nt_grads = numtorch.autograd.grad(
        [p[0] for p in nt_pairs], nt_diff, [p[1] for p in nt_pairs], allow_unused=True
    )
    for i, (a, b) in enumerate(zip(nt_grads, t_grads)):
        if b is None:
            assert a is None or not a.detach().numpy().any(), f"input {i}: torch grad None"
            continue
        assert a is not None, f"input {i}: numtorch gave no gradient"
        assert_close(a, b, atol * 10, rtol * 10)


def gradcheck(fn, arrays, second_order=True, eps=1e-6, atol=1e-5, rtol=1e-3):
    """Finite-difference check (float64) of first and second derivatives; no torch needed."""
    inputs = [numtorch.tensor(a.astype("float64"), requires_grad=True) for a in arrays]
    assert numtorch.autograd.gradcheck(fn, inputs, eps=eps, atol=atol, rtol=rtol)
    if second_order:
        assert numtorch.autograd.gradgradcheck(fn, inputs, eps=eps, atol=atol, rtol=rtol)


def check_op(
    fn,
    shapes,
    torch_fn=None,
    dtypes=("float32", "float64"),
    low=-2.0,
    high=2.0,
    positive=False,
    atol=1e-5,
    rtol=1e-4,
    grad=True,
    second_order=True,
    seed=0,
):
    """The one-line op test: against torch in each dtype (where torch is installed), then a
    float64 gradcheck."""
    for dt in dtypes:
        arrays = rand_arrays(shapes, dt, low, high, seed, positive)
        if torch is not None:
            compare_with_torch(fn, arrays, torch_fn, atol=atol, rtol=rtol, grad=grad)
    if grad:
        small = rand_arrays(shapes, "float64", low, high, seed + 7, positive)
        gradcheck(fn, small, second_order=second_order)
