"""LU factorisation with partial pivoting: ``linalg.lu_factor`` (a primitive), and composed from
it ``linalg.lu``, ``lu_unpack``, ``linalg.lu_solve`` and the legacy ``torch.lu`` /
``torch.lu_solve``.

The forward is LAPACK's ``getrf`` algorithm: a panel of columns at a time is factorised with
row swaps (the first largest magnitude below the diagonal becomes the pivot, as LAPACK picks
it), and the rest of the matrix is updated by one triangular solve and one matrix product per
panel. Pivots are LAPACK's: 1-based int32, row ``i`` swapped with row ``pivots[i]``. The
backward is PyTorch's formula for square, wide and tall inputs.
"""

from __future__ import annotations

import warnings

from ..._backend import array_module
from ..._tensor import Tensor, wrap
from ...autograd.function import Primitive, linear
from ...return_types import _make
from ..arithmetic import Add
from ..complex import Conj
from ..reorder import Triu
from ..scatter import Gather, _positions
from ..shape import Transpose, _view
from .half import refuse_half
from .matrix import _mH, _mT
from .triangular import SolveTriangular, solve_triangular

__all__ = []

LuFactorResult = _make("linalg_lu_factor", ("LU", "pivots"))
LuFactorExResult = _make("linalg_lu_factor_ex", ("LU", "pivots", "info"))
LuResult = _make("linalg_lu", ("P", "L", "U"))
LuUnpackResult = _make("lu_unpack", ("P", "L", "U"))

_PANEL = 32


def _magnitude(xp, a):
    """LAPACK's pivot measure: ``|re| + |im|`` for complex numbers."""
    return xp.abs(a.real) + xp.abs(a.imag) if a.dtype.kind == "c" else xp.abs(a)


def getrf(xp, a):
    """``(lu, pivots, info)`` of a batch ``(B, m, n)``, as LAPACK's ``getrf`` returns them."""
    lu = xp.array(a, copy=True)
    b, m, n = lu.shape
    k = min(m, n)
    rows = xp.arange(b)
    pivots = xp.zeros((b, k), xp.int32)
    info = xp.zeros(b, xp.int32)
    for start in range(0, k, _PANEL):
        stop = min(start + _PANEL, k)
        for j in range(start, stop):
            p = xp.argmax(_magnitude(xp, lu[:, j:, j]), axis=1) + j
            pivots[:, j] = p + 1
            swap = p != j
            if swap.any():
                top = lu[rows, j].copy()
                lu[rows, j] = lu[rows, p]
                lu[rows, p] = top
            d = lu[:, j, j]
            zero = d == 0
            info = xp.where(zero & (info == 0), j + 1, info)
            # NOTE: a zero pivot means the column below it is zero too: nothing to scale
            lu[:, j + 1 :, j] /= xp.where(zero, 1, d)[:, None]
            # the rank-1 update stays inside the panel; the rest waits for the panel's end
            lu[:, j + 1 :, j + 1 : stop] -= (
                lu[:, j + 1 :, j : j + 1] * lu[:, j : j + 1, j + 1 : stop]
            )
        if stop < n:
            # U12 = L11^{-1} A12 (unit lower triangular), then A22 -= L21 U12
            l11 = xp.tril(lu[:, start:stop, start:stop], -1) + xp.eye(stop - start, dtype=lu.dtype)
            lu[:, start:stop, stop:] = xp.linalg.solve(l11, lu[:, start:stop, stop:])
            lu[:, stop:, stop:] -= lu[:, stop:, start:stop] @ lu[:, start:stop, stop:]
    return lu, pivots, info


def _flat(a, batch):
    """``a`` with its ``batch`` dims (all but the last one or two) made one."""
    count = 1
    for d in batch:
        count *= d
    return a.reshape((count,) + a.shape[len(batch) :])


def permutation(xp, pivots, m):
    """The row order ``perm`` that LAPACK's sequential swaps make: ``A[perm] = L U``."""
    b, k = pivots.shape
    perm = xp.broadcast_to(xp.arange(m), (b, m)).copy()
    rows = xp.arange(b)
    for j in range(k):
        p = pivots[:, j].astype(xp.int64) - 1
        top = perm[rows, j].copy()
        perm[rows, j] = perm[rows, p]
        perm[rows, p] = top
    return perm


class LuFactor(Primitive):
    """``(LU, pivots, info)`` of a (batch of) matrix; the gradient reaches ``A`` through
    ``LU``."""

    _name = "LinalgLuFactorExBackward0"
    __slots__ = ("perm",)

    def forward(ctx, a):
        xp = array_module(a)
        *batch, m, n = a.shape
        lu, pivots, info = getrf(xp, _flat(a, batch))
        ctx.perm = permutation(xp, pivots, m)
        lu = lu.reshape(a.shape)
        ctx.save_for_backward(lu)
        return lu, pivots.reshape(tuple(batch) + pivots.shape[-1:]), info.reshape(tuple(batch))

    def backward(ctx, g, _pivots, _info):
        (lu,) = ctx.saved_tensors
        return lu_backward(ctx.xp, lu, ctx.perm, g)


def _tri_solve(xp, a, b, upper, left=True, unit=False):
    """``X`` with ``A X = B`` (``X A = B`` if not ``left``), ``A`` triangular."""
    if left:
        return linear(None, SolveTriangular, a, b, upper, unit)
    return _mT(xp, linear(None, SolveTriangular, _mT(xp, a), _mT(xp, b), not upper, unit))


def _unit_diagonal(xp, a):
    """Ones on the diagonal of ``a``'s shape, on ``a``'s device."""
    return xp.tril(xp.triu(xp.ones_like(a)))


def lu_backward(xp, lu, perm, g):
    """PyTorch's LU backward for the gradient ``g`` of the packed ``lu`` (square, wide or
    tall): with ``L``, ``U`` the factors and ``gL``, ``gU`` the parts of ``g`` they take,
    square ``A`` gets ``P L^-H (tril(L^H gL, -1) + triu(gU U^H)) U^-H``."""
    m, n = lu.shape[-2:]
    k = min(m, n)
    L = xp.tril(lu[..., :, :k], -1) + _unit_diagonal(xp, lu[..., :, :k])
    U = xp.triu(lu[..., :k, :])
    gL, gU = xp.tril(g[..., :, :k], -1), xp.triu(g[..., :k, :])
    if m == n:
        phi = xp.tril(_mH(xp, L) @ gL, -1) + xp.triu(gU @ _mH(xp, U))
        x = _tri_solve(xp, _mH(xp, L), phi, upper=True, unit=True)
        grad = _tri_solve(xp, _mH(xp, U), x, upper=False, left=False)
    elif m < n:  # wide: U = [U1 | U2] with U1 square
        phi = xp.tril((_mH(xp, L) @ gL) - (gU @ _mH(xp, U)), -1)
        x = _tri_solve(xp, _mH(xp, U[..., :, :k]), phi, upper=False, left=False)
        x = xp.concatenate([x + gU[..., :, :k], gU[..., :, k:]], axis=-1)
        grad = _tri_solve(xp, _mH(xp, L), x, upper=True, unit=True)
    else:  # tall: L = [L1; L2] with L1 square
        phi = xp.triu((gU @ _mH(xp, U)) - (_mH(xp, L) @ gL))
        x = _tri_solve(xp, _mH(xp, L[..., :k, :]), phi, upper=True, unit=True)
        x = xp.concatenate([x + gL[..., :k, :], gL[..., k:, :]], axis=-2)
        grad = _tri_solve(xp, _mH(xp, U), x, upper=False, left=False)
    # P grad: row i goes to row perm[i]
    order = array_module(perm).argsort(perm, axis=-1)
    rows = array_module(perm).broadcast_to(order.reshape(grad.shape[:-1] + (1,)), grad.shape)
    return xp.take_along_axis(grad, rows, -2)


def _numtorch():
    import numtorch

    return numtorch


def _rows(x: Tensor, order, gather=Gather) -> Tensor:
    """``x`` with its rows (dim -2) in ``order`` (a ``(B, m)`` index array), through the
    node class ``gather``."""
    xp = array_module(order)
    idx = xp.broadcast_to(order.reshape(x.shape[:-2] + (x.shape[-2], 1)), x.shape)
    return gather.apply(x, _positions(x.shape, idx.astype(xp.int64), x.ndim - 2))


def _unpermute(x: Tensor, perm, gather=Gather) -> Tensor:
    """``P x`` for ``A[perm] = L U``: row ``i`` of ``x`` goes to row ``perm[i]``."""
    return _rows(x, array_module(perm).argsort(perm, axis=-1), gather)


def _conj_transpose(x: Tensor, name: str) -> Tensor:
    """``x.mH``, its last node shown as ``name``."""
    if x.is_complex():
        return Conj.named(name).apply(x.mT)
    return _view(Transpose.named(name), x, x.ndim - 2, x.ndim - 1)


def _triangles(LU_data: Tensor, name: str | None = None):
    """``L`` (unit lower triangular, ``(m, k)``) and ``U`` (upper triangular, ``(k, n)``) of a
    packed factorisation; with ``name``, both nodes show it."""
    m, n = LU_data.shape[-2:]
    k = min(m, n)
    add, triu = (Add, Triu) if name is None else (Add.named(name), Triu.named(name))
    eye = _numtorch().eye(m, k, dtype=LU_data.dtype, device=LU_data.device)
    return add.apply(LU_data[..., :, :k].tril(-1), eye), triu.apply(LU_data[..., :k, :], 0)


# --- the public functions ------------------------------------------------------------------------
def _check_matrix(A: Tensor, op: str) -> None:
    refuse_half("linalg.lu", A)
    if A.ndim < 2:
        raise RuntimeError(
            f"{op}: Expected tensor with 2 or more dimensions. Got size: {list(A.shape)} instead"
        )
    if not (A.dtype.is_floating_point or A.dtype.is_complex):
        raise NotImplementedError(f"\"lu_cpu\" not implemented for '{A.dtype.scalar_type_name}'")


def lu_factor_ex(A: Tensor, *, pivot: bool = True, check_errors: bool = False, out=None):
    """``(LU, pivots, info)``: the LU factorisation of ``A`` packed in one matrix, LAPACK's
    pivots, and ``info`` > 0 where ``U[info, info]`` (1-based) is zero."""
    _check_matrix(A, "torch.lu_factor")
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")
    lu, pivots, info = LuFactor.apply(A)
    if check_errors:
        _raise_singular(info, "torch.linalg.lu_factor_ex")
    return LuFactorExResult(lu, pivots, info)


def _raise_singular(info: Tensor, op: str) -> None:
    flat = info._data.reshape(-1)
    bad = array_module(flat).flatnonzero(flat)
    if bad.size:
        where = f"(Batch element {int(bad[0])}): " if info.ndim else ""
        i = int(flat[bad[0]])
        raise RuntimeError(
            f"{op}: {where}U[{i},{i}] is zero and using it on lu_solve would result in a "
            "division by zero. If you still want to perform the factorization, consider calling "
            "linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)"
        )


def lu_factor(A: Tensor, *, pivot: bool = True, out=None):
    """``(LU, pivots)``; raises where a pivot is zero (``lu_factor_ex`` reports it instead)."""
    lu, pivots, info = lu_factor_ex(A, pivot=pivot)
    _raise_singular(info, "torch.linalg.lu_factor")
    return LuFactorResult(lu, pivots)


def lu_unpack(
    LU_data: Tensor,
    LU_pivots: Tensor,
    unpack_data: bool = True,
    unpack_pivots: bool = True,
    *,
    out=None,
):
    """``(P, L, U)`` from a packed factorisation: ``L`` unit lower triangular ``(m, k)``,
    ``U`` upper triangular ``(k, n)`` and the permutation matrix ``P``, so ``A = P L U``."""
    m = LU_data.shape[-2]
    empty = LU_data.new_empty(0)
    L = U = P = empty
    if unpack_data:
        L, U = _triangles(LU_data)
    if unpack_pivots:
        xp = array_module(LU_data._data)
        perm = permutation(xp, _flat(LU_pivots._data, LU_data.shape[:-2]), m)
        eye = xp.eye(m, dtype=LU_data._data.dtype)
        # column i of P is the unit vector at row perm[i]
        P = wrap(eye[perm].swapaxes(-1, -2).reshape(LU_data.shape[:-2] + (m, m)))
    return LuUnpackResult(P, L, U)


def lu(A: Tensor, *, pivot: bool = True, out=None):
    """``torch.linalg.lu``: ``(P, L, U)`` with ``A = P L U``."""
    lu_, pivots, _ = lu_factor_ex(A, pivot=pivot)
    P = lu_unpack(lu_, pivots, unpack_data=False).P
    return LuResult(P, *_triangles(lu_, "LinalgLuBackward0"))  # one node in PyTorch


def lu_solve(
    LU: Tensor, pivots: Tensor, B: Tensor, *, left: bool = True, adjoint: bool = False, out=None
) -> Tensor:
    """``X`` with ``A X = B`` (``X A = B`` if not ``left``; ``A^H`` for ``adjoint``) from
    ``A``'s packed LU factorisation."""
    if LU.ndim < 2 or LU.shape[-1] != LU.shape[-2]:
        raise RuntimeError(
            f"torch.linalg.lu_solve: A must be batches of square matrices, but "
            f"they are {LU.shape[-2] if LU.ndim >= 2 else ''} by {LU.shape[-1]} "
            "matrices"
        )
    if not left:  # X A = B  <=>  A^H X^H = B^H
        return _conj_transpose(lu_solve(LU, pivots, B.mH, adjoint=not adjoint), _SOLVE)
    xp = array_module(LU._data)
    m = LU.shape[-1]
    perm = permutation(xp, _flat(pivots._data, LU.shape[:-2]), m)
    batch = LU.shape[:-2]
    if B.shape[:-2] != batch:
        nt = _numtorch()
        shape = nt.broadcast_shapes(batch, B.shape[:-2])
        LU, B = LU.expand(shape + LU.shape[-2:]), B.expand(shape + B.shape[-2:])
        perm = xp.broadcast_to(perm.reshape(batch + (m,)), shape + (m,)).reshape(-1, m)
    if not adjoint:  # A = P L U:  X = U^-1 L^-1 P^T B
        y = solve_triangular(LU, _rows(B, perm), upper=False, unitriangular=True)
        return SolveTriangular.named(_SOLVE).apply(LU, y, True, False)
    # A^H = U^H L^H P^T:  X = P L^-H U^-H B
    y = solve_triangular(LU.mH, B, upper=False)
    y = solve_triangular(LU.mH, y, upper=True, unitriangular=True)
    return _unpermute(y, perm, Gather.named(_SOLVE))


_SOLVE = "LinalgLuSolveBackward0"  # one node in PyTorch: the last node here shows its name


def lu_legacy(A: Tensor, pivot: bool = True, get_infos: bool = False, out=None):
    """``torch.lu`` (deprecated): ``(LU, pivots)``, with ``infos`` if ``get_infos``."""
    warnings.warn(
        "torch.lu is deprecated in favor of torch.linalg.lu_factor / torch.linalg.lu_factor_ex "
        "and will be removed in a future PyTorch release.",
        UserWarning,
        stacklevel=2,
    )
    lu_, pivots, info = lu_factor_ex(A, pivot=pivot)
    return (lu_, pivots, info) if get_infos else (lu_, pivots)


def lu_solve_legacy(b: Tensor, LU_data: Tensor, LU_pivots: Tensor, *, out=None) -> Tensor:
    """``torch.lu_solve(b, LU, pivots)`` (deprecated; note the order of the arguments)."""
    warnings.warn(
        "torch.lu_solve is deprecated in favor of torch.linalg.lu_solve and will be removed in a "
        "future PyTorch release. Note that torch.linalg.lu_solve has its arguments reversed.",
        UserWarning,
        stacklevel=2,
    )
    return lu_solve(LU_data, LU_pivots, b)
