"""Checks for ops with complex inputs or outputs, in PyTorch's convention for complex autograd:
for a real loss ``L`` the gradient of ``z = x + iy`` is ``dL/dx + i dL/dy``, and
``backward(gradient=v)`` differentiates ``L = Re(sum(conj(v) * out))``."""

from __future__ import annotations

import numpy as np

import numtorch

try:
    import torch
except ImportError:  # the oracle is optional
    torch = None


def rand(shape, dtype="complex128", seed=0, low=-2.0, high=2.0):
    """Random values of ``shape``: real, or complex with random real and imaginary parts."""
    rng = np.random.default_rng(seed)
    a = rng.uniform(low, high, size=shape)
    if np.dtype(dtype).kind == "c":
        a = a + 1j * rng.uniform(low, high, size=shape)
    return a.astype(dtype)


def _outs(res):
    return list(res) if isinstance(res, (tuple, list)) else [res]


def _seed_like(arr, rng):
    g = rng.standard_normal(arr.shape)
    if arr.dtype.kind == "c":
        g = g + 1j * rng.standard_normal(arr.shape)
    return g.astype(arr.dtype)


def _np(t):
    return t.detach().resolve_conj().numpy() if hasattr(t, "detach") else np.asarray(t)


def assert_same(a, b, atol=1e-5, rtol=1e-4):
    """numtorch tensor ``a`` equals torch tensor ``b``: shape, dtype and values."""
    x, y = _np(a), _np(b)
    assert x.shape == y.shape, f"shape {x.shape} != torch {y.shape}"
    assert str(a.dtype) == str(b.dtype), f"dtype {a.dtype} != torch {b.dtype}"
    np.testing.assert_allclose(x, y, atol=atol, rtol=rtol, equal_nan=True)


def compare(fn, arrays, torch_fn=None, atol=1e-5, rtol=1e-4, grad=True, seed=1):
    """``fn`` on numtorch and ``torch_fn`` (default ``fn``) on torch: outputs, then the
    gradients of every float/complex input for random (complex where the output is) output
    gradients."""
    torch_fn = torch_fn or fn
    diff = [a.dtype.kind in "fc" and grad for a in arrays]
    nt_in = [numtorch.tensor(a, requires_grad=d) for a, d in zip(arrays, diff)]
    t_in = [torch.tensor(a, requires_grad=d) for a, d in zip(arrays, diff)]
    nt_out, t_out = _outs(fn(*nt_in)), _outs(torch_fn(*t_in))
    assert len(nt_out) == len(t_out)
    for a, b in zip(nt_out, t_out):
        assert_same(a, b, atol, rtol)
    if not grad:
        return
    rng = np.random.default_rng(seed)
    pairs = [
        (a, b, _seed_like(_np(b), rng))
        for a, b in zip(nt_out, t_out)
        if isinstance(b, torch.Tensor) and b.requires_grad
    ]
    nt_x = [t for t in nt_in if t.requires_grad]
    t_x = [t for t in t_in if t.requires_grad]
    if not pairs or not t_x:
        return
    tg = torch.autograd.grad(
        [p[1] for p in pairs], t_x, [torch.tensor(p[2]) for p in pairs], allow_unused=True
    )
    ng = numtorch.autograd.grad(
        [p[0] for p in pairs], nt_x, [numtorch.tensor(p[2]) for p in pairs], allow_unused=True
    )
    for i, (a, b) in enumerate(zip(ng, tg)):
        if b is None:
            assert a is None or not _np(a).any(), f"input {i}: torch gives no gradient"
            continue
        assert a is not None, f"input {i}: numtorch gave no gradient"
        assert_same(a, b, atol * 10, rtol * 10)


def _loss(outs, seeds):
    total = 0.0
    for o, v in zip(outs, seeds):
        total += np.real(np.sum(np.conj(v) * o))
    return total


def gradcheck(fn, arrays, eps=1e-6, atol=1e-6, rtol=1e-4, second_order=True, seed=3):
    """Finite differences (float64 / complex128) against autograd for a random real
    projection of the outputs; with ``second_order``, the same check of the gradient map."""
    inputs = [numtorch.tensor(a, requires_grad=a.dtype.kind in "fc") for a in arrays]
    _check(fn, inputs, eps, atol, rtol, np.random.default_rng(seed))
    if second_order:

        def grads(*xs):
            outs = _outs(fn(*xs))
            rng = np.random.default_rng(seed + 1)
            seeds = [numtorch.tensor(_seed_like(o._data, rng)) for o in outs]
            wrt = [x for x in xs if x.requires_grad]
            gs = numtorch.autograd.grad(outs, wrt, seeds, create_graph=True, allow_unused=True)
            return tuple(g for g in gs if g is not None and g.requires_grad)

        _check(grads, inputs, eps, atol, rtol, np.random.default_rng(seed + 2))


def _check(fn, inputs, eps, atol, rtol, rng):
    outs = _outs(fn(*inputs))
    seeds = [_seed_like(o._data, rng) for o in outs]
    wrt = [x for x in inputs if x.requires_grad]
    analytic = numtorch.autograd.grad(
        outs, wrt, [numtorch.tensor(s) for s in seeds], allow_unused=True
    )
    for x, a in zip(wrt, analytic):
        flat = x._data.reshape(-1)
        num = np.zeros(flat.shape, flat.dtype)
        parts = (1.0, 1j) if flat.dtype.kind == "c" else (1.0,)
        for k in range(flat.size):
            orig = flat[k]
            for unit in parts:
                flat[k] = orig + eps * unit
                plus = _loss([o._data for o in _outs(fn(*inputs))], seeds)
                flat[k] = orig - eps * unit
                minus = _loss([o._data for o in _outs(fn(*inputs))], seeds)
                flat[k] = orig
                num[k] += unit * (plus - minus) / (2 * eps)
        got = np.zeros_like(num) if a is None else a._data.reshape(-1)
        np.testing.assert_allclose(got, num, atol=atol, rtol=rtol)
