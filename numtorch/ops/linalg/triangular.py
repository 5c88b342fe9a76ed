"""Triangular solves: ``linalg.solve_triangular`` (a primitive) and, composed from it,
``triangular_solve``, ``cholesky_solve`` and ``cholesky_inverse``.

The forward solves with the array module's LAPACK solve on the masked triangle (the other
triangle of ``A`` is never read, as in PyTorch); the backward is the standard one:
``gB = solve_triangular(A^H, g)`` and ``gA = -gB X^H`` kept to the triangle that was read.
"""

from __future__ import annotations

from ..._autocast import op_inputs
from ..._backend import array_module
from ..._tensor import Tensor
from ...autograd.function import Primitive, linear
from ...return_types import _make
from .half import refuse_half
from .matrix import _call, _mT

__all__ = []

TriangularSolveResult = _make("triangular_solve", ("solution", "cloned_coefficient"))


def _triangle(xp, a, upper: bool, unitriangular: bool):
    """The triangle of ``a`` that the solve reads, with a unit diagonal if ``unitriangular``."""
    if not unitriangular:
        return xp.triu(a) if upper else xp.tril(a)
    n = a.shape[-1]
    strict = xp.triu(a, 1) if upper else xp.tril(a, -1)
    return strict + xp.eye(n, dtype=a.dtype)


class SolveTriangular(Primitive):
    """``X`` with ``A X = B``, ``A`` triangular (``B`` a (batch of) matrix)."""

    _name = "LinalgSolveTriangularBackward0"
    __slots__ = ("upper", "unit")
    _holomorphic = True  # complex inputs: the engine conjugates around the real formula

    def forward(ctx, a, b, upper, unitriangular):
        ctx.upper, ctx.unit = upper, unitriangular
        xp = array_module(a)
        tri = _triangle(xp, a, upper, unitriangular)
        x = _call("linalg.solve_triangular", lambda la, m, r: la.solve(m, r), tri, b)
        ctx.save_for_backward(a, x)
        return x

    def backward(ctx, g):
        a, x = ctx.saved_tensors
        xp = ctx.xp
        at = _mT(xp, a)
        gb = linear(ctx, SolveTriangular, at, g, not ctx.upper, ctx.unit)
        ga = None
        if ctx.needs_input_grad[0]:
            # NOTE: only the triangle the solve read gets a gradient; the other one (and the
            # diagonal when it is taken as ones) does not enter the result.
            full = -(gb @ _mT(xp, x))
            if ctx.unit:
                ga = xp.triu(full, 1) if ctx.upper else xp.tril(full, -1)
            else:
                ga = xp.triu(full) if ctx.upper else xp.tril(full)
        return ga, gb if ctx.needs_input_grad[1] else None, None, None


def _check(a: Tensor, b: Tensor, op: str) -> None:
    refuse_half(op, a)
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise RuntimeError(
            f"{op}: A must be batches of square matrices, but they are "
            f"{a.shape[-2] if a.ndim >= 2 else ''} by {a.shape[-1]} matrices"
        )
    if b.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor B must have at least 2 dimensions.")


def solve_triangular(
    A: Tensor,
    B: Tensor,
    *,
    upper: bool,
    left: bool = True,
    unitriangular: bool = False,
    out: Tensor | None = None,
) -> Tensor:
    """``torch.linalg.solve_triangular``: ``X`` with ``A X = B`` (``X A = B`` if not ``left``)
    for a triangular ``A``; the other triangle of ``A`` is ignored."""
    _check(A, B, "linalg.solve_triangular")
    if A.dtype != B.dtype:
        raise RuntimeError(
            f"linalg.solve_triangular: Expected A and B to have the same dtype, "
            f"but found A of type {A.dtype} and B of type {B.dtype} instead"
        )
    if left:
        if A.shape[-1] != B.shape[-2]:
            raise RuntimeError(
                f"linalg.solve_triangular: Incompatible shapes of A and B for "
                f"the equation AX = B ({A.shape[-2]}x{A.shape[-1]} and "
                f"{B.shape[-2]}x{B.shape[-1]})"
            )
        x = SolveTriangular.apply(A, B, upper, unitriangular)
    else:
        if A.shape[-1] != B.shape[-1]:
            raise RuntimeError(
                f"linalg.solve_triangular: Incompatible shapes of A and B for "
                f"the equation XA = B ({B.shape[-2]}x{B.shape[-1]} and "
                f"{A.shape[-2]}x{A.shape[-1]})"
            )
        # X A = B  <=>  A^T X^T = B^T, with the triangle flipped
        x = SolveTriangular.apply(A.mT, B.mT, not upper, unitriangular).mT
    if out is not None:
        from ...autograd.grad_mode import no_grad

        with no_grad():
            out.resize_(x.shape).copy_(x)
        return out
    return x


def triangular_solve(
    input: Tensor,
    A: Tensor,
    upper: bool = True,
    transpose: bool = False,
    unitriangular: bool = False,
) -> TriangularSolveResult:
    """``torch.triangular_solve`` (legacy): ``(X, A.clone())`` with ``op(A) X = input``."""
    input, A = op_inputs("triangular_solve", input, A)
    _check(A, input, "triangular_solve")
    coeff = A.mT if transpose else A
    x = SolveTriangular.apply(coeff, input, upper != transpose, unitriangular)
    return TriangularSolveResult(x, A.clone())


def cholesky_solve(input: Tensor, input2: Tensor, upper: bool = False) -> Tensor:
    """``torch.cholesky_solve(B, L)``: ``X`` with ``L L^T X = B`` (``U^T U X = B`` if
    ``upper``)."""
    input, input2 = op_inputs("cholesky_solve", input, input2)
    _check(input2, input, "cholesky_solve")
    factor = input2
    if upper:  # A = U^H U
        y = SolveTriangular.apply(factor.mH, input, False, False)
        return SolveTriangular.apply(factor, y, True, False)
    y = SolveTriangular.apply(factor, input, False, False)  # A = L L^H
    return SolveTriangular.apply(factor.mH, y, True, False)


def cholesky_inverse(input: Tensor, upper: bool = False) -> Tensor:
    """``torch.cholesky_inverse(L)``: ``(L L^T)^{-1}`` (``(U^T U)^{-1}`` if ``upper``)."""
    (input,) = op_inputs("cholesky_inverse", input)
    refuse_half("cholesky_inverse", input)
    import numtorch

    eye = numtorch.eye(input.shape[-1], dtype=input.dtype, device=input.device)
    eye = eye.expand(input.shape)
    return cholesky_solve(eye, input, upper)
