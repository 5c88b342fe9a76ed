"""Finite-difference checks of gradients: ``gradcheck`` and ``gradgradcheck``.

The numerical Jacobian comes from central differences on float64 inputs; the analytical one
from one vector-Jacobian product per output element. They must agree within
``atol + rtol * |numerical|``.

Complex numbers are checked as PyTorch's convention defines their gradients: a complex tensor
is its real and imaginary parts, so both Jacobians are those of real maps, the columns of an
input ``z`` being the perturbations of ``Re z`` then of ``Im z``, and the rows of an output
``w`` those of ``Re w`` then ``Im w``. The row of ``Im w`` is the backward with
``grad_output=1j``, since the gradient of a real loss ``L`` is ``dL/dRe z + 1j * dL/dIm z``.
"""

from __future__ import annotations

from .._backend import array_module
from .._tensor import Tensor, wrap
from . import engine


class GradcheckError(RuntimeError):
    """Raised when analytical and numerical gradients disagree."""


def _flat_outputs(out):
    return (out,) if isinstance(out, Tensor) else tuple(o for o in out if isinstance(o, Tensor))


def _real(arr):
    """``arr`` flattened into its real components: the real parts, then the imaginary ones."""
    flat = arr.reshape(-1)
    if flat.dtype.kind != "c":
        return flat
    return array_module(flat).concatenate([flat.real, flat.imag])


def _parts(dtype):
    """The unit steps along the real components of a ``dtype`` value."""
    return (1, 1j) if dtype.kind == "c" else (1,)


def _numerical(func, inputs, wrt, eps):
    """d(outputs)/d(input) by central differences: ``columns[i][c][o]``, the column of input
    ``i``'s real component ``c`` in output ``o``'s Jacobian."""
    columns = []
    for t in wrt:
        arr = t._data
        cols = []
        for step in _parts(arr.dtype):
            for k in range(arr.size):
                idx = _unravel(k, arr.shape)  # works for any strides, so views can be checked too
                orig = arr[idx].item()
                # NOTE: evaluated with grad mode on, so a func that differentiates inside (as in
                # gradgradcheck) still works; the graphs built here are simply dropped
                arr[idx] = orig + step * eps
                plus = [o._data.copy() for o in _flat_outputs(func(*inputs))]
                arr[idx] = orig - step * eps
                minus = [o._data.copy() for o in _flat_outputs(func(*inputs))]
                arr[idx] = orig
                cols.append([_real(p - m) / (2 * eps) for p, m in zip(plus, minus)])
        columns.append(cols)
    return columns


def _unravel(k, shape):
    idx = []
    for s in reversed(shape):
        idx.append(k % s)
        k //= s
    return tuple(reversed(idx))


def _analytical(func, inputs, wrt):
    """``rows[o][r][i]``: the gradient of output ``o``'s real component ``r`` with respect to
    input ``i``'s real components (None where it does not depend on it)."""
    outs = _flat_outputs(func(*inputs))
    rows = []
    for o in outs:
        arr = o._data
        per_out = []
        for part in _parts(arr.dtype):
            for j in range(arr.size):
                if not o._rg:
                    per_out.append([None] * len(wrt))
                    continue
                seed = array_module(arr).zeros(arr.shape, arr.dtype)
                seed.reshape(-1)[j] = part
                grads = engine.grad(
                    o, wrt, grad_outputs=wrap(seed), retain_graph=True, allow_unused=True
                )
                per_out.append([None if g is None else _real(g._data).copy() for g in grads])
        rows.append(per_out)
    return outs, rows


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
    """Check the gradients of ``func`` at ``inputs`` (float64 or complex128 tensors with
    requires_grad) against central differences. Returns True, or raises ``GradcheckError``
    naming the input and output whose Jacobians differ."""
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    wrt = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
    outs, analytical = _analytical(func, inputs, wrt)
    numerical = _numerical(func, inputs, wrt, eps)
    mismatch = _first_mismatch(numerical, analytical, len(outs), atol, rtol)
    if mismatch is None:
        return True
    if raise_exception:
        raise GradcheckError(mismatch)
    return False


def _first_mismatch(numerical, analytical, n_outs, atol, rtol):
    """Where the Jacobians differ first (element (output component, input component)), or
    None where they agree."""
    for i, columns in enumerate(numerical):
        for o in range(n_outs):
            for k, column in enumerate(columns):
                for j, n_val in enumerate(column[o].tolist()):
                    a = analytical[o][j][i]
                    a_val = 0.0 if a is None else a[k].item()
                    if abs(a_val - n_val) > atol + rtol * abs(n_val):
                        return (
                            f"Jacobian mismatch for output {o} with respect to input {i}: "
                            f"element ({j}, {k}) numerical {n_val!r} vs analytical {a_val!r}"
                        )
    return None


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
