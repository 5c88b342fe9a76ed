"""Shared test helpers: compare an op with PyTorch, and check gradients by finite differences.

    check_op(lambda x, y: x * y, shapes=[(3, 1), (4,)])       # one line per op

``check_op`` runs the function on numtorch and (where installed) on PyTorch with the same
random inputs, compares values, dtypes, shapes and gradients at the tolerance of each dtype
(``tolerance``), then runs a float64 gradcheck (and gradgradcheck) on numtorch alone, which
needs no PyTorch.

Complex inputs follow PyTorch's convention for complex autograd: for a real loss ``L`` the
gradient of ``z = x + iy`` is ``dL/dx + i dL/dy``, and ``backward(gradient=v)`` differentiates
``L = Re(sum(conj(v) * out))``.
"""

from __future__ import annotations

import numpy as np
from oracle import torch

import numtorch

DTYPES = {"float32": (numtorch.float32, "float32"), "float64": (numtorch.float64, "float64")}

# (atol, rtol) that a correct formula meets against PyTorch, values and gradients alike.
# float64: 1e-12 relative is thousands of ulp, room for a different summation order or libm,
# yet a wrong constant (1e-6 relative) or a dropped term fails. float32 at ~1e-5 (about 100
# ulp); the half types at their own eps.
TOLERANCES = {
    "float64": (1e-12, 1e-12),
    "complex128": (1e-12, 1e-12),
    "float32": (1e-5, 1e-5),
    "complex64": (1e-5, 1e-5),
    "float16": (9.8e-4, 9.8e-4),
    "bfloat16": (7.9e-3, 7.9e-3),
}

# PyTorch's float64 trigamma (polygamma(1, x), also digamma's derivative) is a short asymptotic
# series, good to ~5e-10 relative against mpmath; numtorch's is good to ~1e-16
TRIGAMMA_RTOL = 1e-9


def tolerance(dtype) -> tuple[float, float]:
    """(atol, rtol) for values of ``dtype`` (a numtorch, torch or NumPy dtype, or its name);
    integers and bools compare exactly."""
    name = str(dtype).rsplit(".", 1)[-1]
    return TOLERANCES.get(name, (0.0, 0.0))


def rand(shape, dtype="complex128", seed=0, low=-2.0, high=2.0):
    """Random values of ``shape``: real, or complex with random real and imaginary parts."""
    rng = np.random.default_rng(seed)
    a = rng.uniform(low, high, size=shape)
    if np.dtype(dtype).kind == "c":
        a = a + 1j * rng.uniform(low, high, size=shape)
    return a.astype(dtype)


def rand_arrays(shapes, dtype="float32", low=-2.0, high=2.0, seed=0, positive=False):
    rng = np.random.default_rng(seed)
    out = []
    for s in shapes:
        a = rng.uniform(low, high, size=s)
        if positive:
            a = np.abs(a) + 0.1
        out.append(a.astype(dtype))
    return out


def _np(t):
    # NOTE: ``+ 0`` materialises PyTorch's lazy zero tensors (returned e.g. by sgn's backward)
    if hasattr(t, "detach"):
        t = t.detach()
        return (t.resolve_conj() + 0).numpy() if hasattr(t, "resolve_conj") else t.numpy()
    return np.asarray(t)


def _check_type(ours, theirs, check_dtype):
    if hasattr(theirs, "detach"):
        assert isinstance(ours, numtorch.Tensor), f"{type(ours).__name__} where torch has a Tensor"
        if check_dtype:
            assert str(ours.dtype) == str(theirs.dtype), f"dtype {ours.dtype} != {theirs.dtype}"
    elif isinstance(theirs, (bool, int, float, complex)):
        assert type(ours) is type(theirs), f"{type(ours).__name__} != {type(theirs).__name__}"


def assert_close(nt_value, torch_value, atol=None, rtol=None, check_dtype=True):
    """numtorch's result equals PyTorch's: type (Tensor or Python scalar), dtype, shape, and
    values within ``tolerance`` of the dtype unless ``atol``/``rtol`` are given."""
    _check_type(nt_value, torch_value, check_dtype)
    a, b = _np(nt_value), _np(torch_value)
    assert a.shape == b.shape, f"shape {a.shape} != torch {b.shape}"
    default_atol, default_rtol = tolerance(getattr(torch_value, "dtype", b.dtype))
    if atol is None:
        # NOTE: scaled by the largest magnitude: an element that cancels to ~0 carries the
        # rounding of the large terms it came from
        finite = np.abs(b[np.isfinite(b)]) if b.size else b
        atol = default_atol * max(1.0, float(finite.max(initial=0.0)))
    rtol = default_rtol if rtol is None else rtol
    np.testing.assert_allclose(a, b, atol=atol, rtol=rtol, equal_nan=True)


def _outputs(res):
    return list(res) if isinstance(res, (tuple, list)) else [res]


def _seed_like(arr, rng):
    g = rng.standard_normal(arr.shape)
    if arr.dtype.kind == "c":
        g = g + 1j * rng.standard_normal(arr.shape)
    return g.astype(arr.dtype)


def compare_with_torch(fn, arrays, torch_fn=None, atol=None, rtol=None, grad=True, seed=1):
    """Run ``fn`` on numtorch and ``torch_fn`` (default: ``fn``) on torch; compare outputs, then
    the gradients of every float or complex input for random output gradients (complex where
    the output is). Tolerances are the dtype's unless given."""
    torch_fn = torch_fn or fn
    diff = [a.dtype.kind in "fc" and grad for a in arrays]
    nt_in = [numtorch.tensor(a, requires_grad=d) for a, d in zip(arrays, diff)]
    t_in = [torch.tensor(a, requires_grad=d) for a, d in zip(arrays, diff)]
    nt_out, t_out = _outputs(fn(*nt_in)), _outputs(torch_fn(*t_in))
    assert len(nt_out) == len(t_out)
    for a, b in zip(nt_out, t_out):
        assert_close(a, b, atol, rtol)
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
        assert_close(a, b, atol, rtol)


def second_derivatives(lib, fn, arrays, seeds, seed_grad=False):
    """The gradient of <grad fn(x) . v, w> in each input ``x`` of ``fn(lib, *x)`` (``seeds``
    holds v, then one w per input), and with ``seed_grad`` in v too; None where the gradient
    has no graph at all."""
    xs = [lib.tensor(a, requires_grad=True) for a in arrays]
    # (in the order of the oracle calls the recordings of existing tests hold)
    grad = lib.autograd.grad
    out = fn(lib, *xs)
    v = lib.tensor(seeds[0], requires_grad=True) if seed_grad else lib.tensor(seeds[0])
    gs = grad(out, xs, v, create_graph=True)
    total = sum((g * lib.tensor(w)).sum() for g, w in zip(gs, seeds[1:]))
    if not total.requires_grad:
        return None
    wrt, like = (xs + [v], arrays + [seeds[0]]) if seed_grad else (xs, arrays)
    res = lib.autograd.grad(total, wrt, allow_unused=True)
    # force: PyTorch's zero gradient of a piecewise linear function is a ZeroTensor
    kw = {"force": True} if lib is torch else {}
    return [np.zeros_like(a) if r is None else r.detach().numpy(**kw) for r, a in zip(res, like)]


def gradcheck(fn, arrays, second_order=True, eps=1e-6, atol=1e-5, rtol=1e-3):
    """Finite-difference check (float64, or complex128 where an input is complex) of first
    and second derivatives at PyTorch's gradcheck defaults; no torch needed."""
    arrays = [a if a.dtype.kind == "c" else a.astype("float64") for a in arrays]
    inputs = [numtorch.tensor(a, requires_grad=True) for a in arrays]
    if any(a.dtype.kind == "c" for a in arrays) or any(
        isinstance(o, numtorch.Tensor) and o.is_complex() for o in _outputs(fn(*inputs))
    ):
        _complex_gradcheck(fn, arrays, eps, atol, rtol, second_order)
        return
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
    atol=None,
    rtol=None,
    grad=True,
    second_order=True,
    seed=0,
):
    """The one-line op test: against torch in each dtype at its tolerance (where torch is
    installed), then a float64 gradcheck."""
    for dt in dtypes:
        arrays = rand_arrays(shapes, dt, low, high, seed, positive)
        compare_with_torch(fn, arrays, torch_fn, atol=atol, rtol=rtol, grad=grad)
    if grad:
        small = rand_arrays(shapes, "float64", low, high, seed + 7, positive)
        gradcheck(fn, small, second_order=second_order)


def _loss(outs, seeds):
    return sum(np.real(np.sum(np.conj(v) * o)) for o, v in zip(outs, seeds))


def _complex_gradcheck(fn, arrays, eps, atol, rtol, second_order, seed=3):
    """Finite differences against autograd for a random real projection of the outputs
    (numtorch.autograd.gradcheck perturbs real parts only); with ``second_order``, the same
    check of the gradient map."""
    inputs = [numtorch.tensor(a, requires_grad=a.dtype.kind in "fc") for a in arrays]
    _projected_check(fn, inputs, eps, atol, rtol, np.random.default_rng(seed))
    if second_order:

        def grads(*xs):
            outs = _outputs(fn(*xs))
            rng = np.random.default_rng(seed + 1)
            seeds = [numtorch.tensor(_seed_like(o._data, rng)) for o in outs]
            wrt = [x for x in xs if x.requires_grad]
            gs = numtorch.autograd.grad(outs, wrt, seeds, create_graph=True, allow_unused=True)
            return tuple(g for g in gs if g is not None and g.requires_grad)

        _projected_check(grads, inputs, eps, atol, rtol, np.random.default_rng(seed + 2))


def _projected_check(fn, inputs, eps, atol, rtol, rng):
    outs = _outputs(fn(*inputs))
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
                plus = _loss([o._data for o in _outputs(fn(*inputs))], seeds)
                flat[k] = orig - eps * unit
                minus = _loss([o._data for o in _outputs(fn(*inputs))], seeds)
                flat[k] = orig
                num[k] += unit * (plus - minus) / (2 * eps)
        got = np.zeros_like(num) if a is None else a._data.reshape(-1)
        np.testing.assert_allclose(got, num, atol=atol, rtol=rtol)
