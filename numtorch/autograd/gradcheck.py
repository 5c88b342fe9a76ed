"""Finite-difference checks of gradients: ``gradcheck`` and ``gradgradcheck``.

The numerical Jacobian comes from central differences on float64 inputs; the analytical one
from one vector-Jacobian product per output element. They must agree within
``atol + rtol * |numerical|``.
"""

from __future__ import annotations

from .._tensor import Tensor
from . import engine


class GradcheckError(RuntimeError):
    """Raised when analytical and numerical gradients disagree."""


def _flat_outputs(out):
    return (out,) if isinstance(out, Tensor) else tuple(o for o in out if isinstance(o, Tensor))


def _numerical(func, inputs, wrt, eps):
    """d(outputs)/d(input) by central differences, one column per input element."""
    columns = []
    for t in wrt:
        arr = t._data
        cols = []
        for k in range(arr.size):
            idx = _unravel(k, arr.shape)  # works for any strides, so views can be checked too
            orig = arr[idx].item()
            # NOTE: evaluated with grad mode on, so a func that differentiates inside (as in
            # gradgradcheck) still works; the graphs built here are simply dropped
            arr[idx] = orig + eps
            plus = [o._data.copy() for o in _flat_outputs(func(*inputs))]
            arr[idx] = orig - eps
            minus = [o._data.copy() for o in _flat_outputs(func(*inputs))]
            arr[idx] = orig
            cols.append([(p - m).reshape(-1) / (2 * eps) for p, m in zip(plus, minus)])
        columns.append(cols)
    return columns


def _unravel(k, shape):
    idx = []
    for s in reversed(shape):
        idx.append(k % s)
        k //= s
    return tuple(reversed(idx))


def _analytical(func, inputs, wrt):
    outs = _flat_outputs(func(*inputs))
    rows = []  # rows[o][j] = gradient of output element j of output o w.r.t. each input
    for o in outs:
        per_out = []
        xp_arr = o._data
        for j in range(xp_arr.size):
            seed = xp_arr.__class__(xp_arr.shape, dtype=xp_arr.dtype)
            seed[...] = 0
            seed.reshape(-1)[j] = 1
            if not o._rg:
                per_out.append([None] * len(wrt))
                continue
            grads = engine.grad(
                o, wrt, grad_outputs=_wrap(seed), retain_graph=True, allow_unused=True
            )
            per_out.append([None if g is None else g._data.reshape(-1).copy() for g in grads])
        rows.append(per_out)
    return outs, rows


def _wrap(arr):
    from .._tensor import wrap

    return wrap(arr)


def gradcheck(
    func,
    inputs,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_undefined_grad=True,
    check_grad_dtypes=False,
    check_batched_grad=False,
    fast_mode=False,
    masked=None,
) -> bool:
    """Check the gradients of ``func`` at ``inputs`` (float64 tensors with requires_grad)
    against central differences. Returns True, or raises ``GradcheckError`` naming the
    input and output whose Jacobians differ."""
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    wrt = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
    outs, analytical = _analytical(func, inputs, wrt)
    numerical = _numerical(func, inputs, wrt, eps)
    for i, t in enumerate(wrt):
        for o in range(len(outs)):
            for k in range(t._data.size):
                num_col = numerical[i][k][o]
                for j in range(num_col.size):
                    a = analytical[o][j][i]
                    a_val = 0.0 if a is None else a[k]
                    n_val = num_col[j]
                    if abs(a_val - n_val) > atol + rtol * abs(n_val):
                        if not raise_exception:
                            return False
                        raise GradcheckError(
                            f"Jacobian mismatch for output {o} with respect to input {i}: "
                            f"element ({j}, {k}) numerical {n_val!r} vs analytical {a_val!r}"
                        )
    return True


def gradgradcheck(
    func,
    inputs,
    grad_outputs=None,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    gen_non_contig_grad_outputs=False,
    raise_exception: bool = True,
    **kwargs,
) -> bool:
    """Check second derivatives: gradcheck of the map (inputs, v) -> vJ(inputs)."""
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    outs = [o for o in _flat_outputs(func(*inputs)) if o.is_floating_point() or o.is_complex()]
    if grad_outputs is None:
        # NOTE: random, as PyTorch draws them, so the random stream advances the same way
        from ..testing import make_tensor

        grad_outputs = [
            make_tensor(o.shape, dtype=o.dtype, low=-1, high=1, requires_grad=True) for o in outs
        ]
    n = len(inputs)
    wrt_mask = [isinstance(t, Tensor) and t.requires_grad for t in inputs]

    def first_order(*args):
        ins, gos = args[:n], args[n:]
        outs = [o for o in _flat_outputs(func(*ins)) if o.requires_grad]
        diff = [t for t, m in zip(ins, wrt_mask) if m]
        grads = engine.grad(outs, diff, grad_outputs=gos, create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(
        first_order,
        tuple(inputs) + tuple(grad_outputs),
        eps=eps,
        atol=atol,
        rtol=rtol,
        raise_exception=raise_exception,
    )
