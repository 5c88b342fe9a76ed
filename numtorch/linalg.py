"""``numtorch.linalg``: linear algebra with PyTorch's names, arguments and gradients.

    A = numtorch.randn(3, 3, dtype=numtorch.float64, requires_grad=True)
    numtorch.linalg.det(A).backward()     # A.grad == det(A) * inv(A).T

Singular or non-positive-definite inputs raise ``numtorch.linalg.LinAlgError`` (a
RuntimeError, as PyTorch's is). The primitives and their derivatives live in ops/linalg/.
"""

from __future__ import annotations

import math

from ._aliases import with_numpy_aliases
from ._autocast import op_inputs, suspended
from ._backend import array_module, kind_of
from ._tensor import Tensor, wrap
from .ops import matmul  # torch.matmul itself
from .ops.linalg import matrix as _ops
from .ops.linalg.half import refuse_half
from .ops.linalg.matrix import LinAlgError, inv, matrix_exp
from .ops.linalg.matrix import cross as _cross
from .return_types import _make

__all__ = [
    "LinAlgError",
    "norm",
    "vector_norm",
    "matrix_norm",
    "det",
    "slogdet",
    "inv",
    "inv_ex",
    "pinv",
    "solve",
    "solve_ex",
    "lstsq",
    "cholesky",
    "cholesky_ex",
    "qr",
    "eigh",
    "eigvalsh",
    "eig",
    "eigvals",
    "svd",
    "svdvals",
    "matrix_rank",
    "matrix_power",
    "matrix_exp",
    "cross",
    "multi_dot",
    "vander",
    "vecdot",
    "diagonal",
    "cond",
    "matmul",
]

SlogdetResult = _make("linalg_slogdet", ("sign", "logabsdet"))
QRResult = _make("linalg_qr", ("Q", "R"))
EighResult = _make("linalg_eigh", ("eigenvalues", "eigenvectors"))
EigResult = _make("linalg_eig", ("eigenvalues", "eigenvectors"))
SVDResult = _make("linalg_svd", ("U", "S", "Vh"))
LstsqResult = _make("linalg_lstsq", ("solution", "residuals", "rank", "singular_values"))
InvExResult = _make("linalg_inv_ex", ("inverse", "info"))
CholeskyExResult = _make("linalg_cholesky_ex", ("L", "info"))
SolveExResult = _make("linalg_solve_ex", ("result", "info"))


def _dims(dim, ndim):
    from .ops.reduction import dims_of

    return dims_of(dim, ndim)


def vector_norm(x: Tensor, ord=2, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """``(sum |x|^ord)^(1/ord)`` over ``dim`` (all elements by default)."""
    if kind_of(x._data.dtype) not in "fc":
        raise RuntimeError(
            "linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
            f"{x.dtype.scalar_type_name}"
        )
    if dtype is not None:
        x = x.to(dtype)
    axes = _dims(dim, x._data.ndim)
    if x._data.ndim == 0:
        x, axes = x.reshape(1), (0,)
        out = _ops.VectorNorm.apply(x, float(ord), axes, False)
        return out
    return _ops.VectorNorm.apply(x, float(ord), axes, keepdim)


def matrix_norm(A: Tensor, ord="fro", dim=(-2, -1), keepdim: bool = False, *, dtype=None) -> Tensor:
    """Frobenius, nuclear, spectral (2, -2), max column sum (1, -1) or max row sum (inf)."""
    if A._data.ndim < 2:
        raise RuntimeError(
            "linalg.matrix_norm: The input tensor A must have at least 2 dimensions."
        )
    if dtype is not None:
        A = A.to(dtype)
    d0, d1 = (d % A._data.ndim for d in dim)
    if ord == "fro":
        return vector_norm(A, 2, (d0, d1), keepdim)
    moved = A.movedim((d0, d1), (-2, -1))
    if ord == "nuc":
        res = svdvals(moved).sum(-1)
    elif ord in (2, -2):
        s = svdvals(moved)
        res = s.amax(-1) if ord == 2 else s.amin(-1)
    elif ord in (1, -1, math.inf, -math.inf):
        sums = moved.abs().sum(-2 if abs(ord) == 1 else -1)
        res = sums.amax(-1) if ord > 0 else sums.amin(-1)
    else:
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    if keepdim:
        res = res.unsqueeze(-1).unsqueeze(-1).movedim((-2, -1), (d0, d1))
    return res


def norm(A: Tensor, ord=None, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """A vector norm, or a matrix norm when ``ord`` is a string or ``dim`` has two entries."""
    if isinstance(dim, int):
        dim = (dim,)
    if (
        isinstance(ord, str)
        or (dim is not None and len(dim) == 2)
        or (dim is None and ord is not None and A._data.ndim == 2)
    ):
        return matrix_norm(
            A, "fro" if ord is None else ord, (-2, -1) if dim is None else dim, keepdim, dtype=dtype
        )
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)


def det(A: Tensor) -> Tensor:
    _ops._check_square(A, "linalg.det")
    return _ops.Det.apply(A)


def slogdet(A: Tensor):
    _ops._check_square(A, "linalg.slogdet")
    return SlogdetResult(*_ops.Slogdet.apply(A))


def inv_ex(A: Tensor, *, check_errors: bool = False):
    from .ops.creation import zeros

    return InvExResult(inv(A), zeros(A.shape[:-2], dtype=_int32()))


def _int32():
    from . import _dtype

    return _dtype.int32


def _is_vector_rhs(A, B):
    return B._data.ndim == 1 or (B._data.ndim == A._data.ndim - 1 and B.shape == A.shape[:-1])


def solve(A: Tensor, B: Tensor, *, left: bool = True, out=None) -> Tensor:
    """``X`` with ``A @ X = B`` (or ``X @ A = B`` with ``left=False``)."""
    A, B = op_inputs("linalg_solve", A, B)
    _ops._check_square(A, "linalg.solve")
    if not left:
        return solve(A.mT, B.mT).mT
    if _is_vector_rhs(A, B):
        return _ops.solve_matrix(A, B.unsqueeze(-1)).squeeze(-1)
    if A.shape[-1] != B.shape[-2]:
        raise RuntimeError(
            f"linalg.solve: Incompatible shapes of A and B for the equation AX = B "
            f"({A.shape[-2]}x{A.shape[-1]} and {B.shape[-2]}x{B.shape[-1]})"
        )
    return _ops.solve_matrix(A, B)


def solve_ex(A, B, *, left=True, check_errors=False):
    from .ops.creation import zeros

    return SolveExResult(solve(A, B, left=left), zeros(A.shape[:-2], dtype=_int32()))


def cholesky(A: Tensor, *, upper: bool = False) -> Tensor:
    (A,) = op_inputs("linalg_cholesky", A)
    _ops._check_square(A, "linalg.cholesky")
    return _ops.Cholesky.apply(A, upper)


def _first_failing_minor(a: Tensor) -> int:
    """The order of the first leading minor of the matrix ``a`` that is not positive-definite,
    0 where ``a`` is positive-definite."""
    for k in range(1, a.shape[-1] + 1):
        try:
            cholesky(a[:k, :k])
        except LinAlgError:
            return k
    return 0


def cholesky_ex(A, *, upper=False, check_errors=False):
    """``cholesky`` that reports failure in ``info`` instead of raising (unless
    ``check_errors``): per matrix, 0 or the order of the first leading minor that is not
    positive-definite. The factor of such a matrix is undefined (here: the identity's)."""
    (A,) = op_inputs("linalg_cholesky_ex", A)
    from .ops.creation import eye, tensor, zeros
    from .ops.pointwise import where

    try:
        return CholeskyExResult(cholesky(A, upper=upper), zeros(A.shape[:-2], dtype=_int32()))
    except LinAlgError:
        if check_errors:
            raise
    n = A.shape[-1]
    flat = A.detach().reshape(-1, n, n)
    orders = [_first_failing_minor(flat[i]) for i in range(flat.shape[0])]
    info = tensor(orders, dtype=_int32(), device=A.device).reshape(A.shape[:-2])
    usable = where((info == 0)[..., None, None], A, eye(n, dtype=A.dtype, device=A.device))
    return CholeskyExResult(cholesky(usable, upper=upper), info)


def qr(A: Tensor, mode: str = "reduced"):
    (A,) = op_inputs("linalg_qr", A)
    refuse_half("linalg.qr", A)
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(
            f"qr received unrecognized mode '{mode}' but expected one of "
            "'reduced' (default), 'r', or 'complete'"
        )
    q, r = _ops.Qr.apply(A, "complete" if mode == "complete" else "reduced")
    if mode == "r":
        from .ops.creation import empty

        return QRResult(empty(0, dtype=A.dtype), r)
    return QRResult(q, r)


def eigh(A: Tensor, UPLO: str = "L"):
    (A,) = op_inputs("linalg_eigh", A)
    _ops._check_square(A, "linalg.eigh")
    return EighResult(*_ops.Eigh.apply(A, UPLO))


def eigvalsh(A: Tensor, UPLO: str = "L") -> Tensor:
    return eigh(A, UPLO).eigenvalues


def eig(A: Tensor):
    (A,) = op_inputs("linalg_eig", A)
    _ops._check_square(A, "linalg.eig")
    return EigResult(*_ops.Eig.apply(A))


def eigvals(A: Tensor) -> Tensor:
    return eig(A).eigenvalues


def svd(A: Tensor, full_matrices: bool = True, *, driver=None):
    """``A = U diag(S) Vh``. Gradients are computed for the reduced factors
    (``full_matrices=False``); as in PyTorch, they are ill-defined where singular values
    repeat."""
    (A,) = op_inputs("linalg_svd", A)
    refuse_half("linalg.svd", A)
    if full_matrices and A.shape[-1] != A.shape[-2]:
        if A.requires_grad:
            raise RuntimeError(
                "linalg.svd: full_matrices=True is not differentiable in numtorch for "
                "non-square inputs; pass full_matrices=False"
            )
        u, s, vh = array_module(A._data).linalg.svd(A._data, full_matrices=True)
        return SVDResult(wrap(u), wrap(s), wrap(vh))
    return SVDResult(*_ops.Svd.apply(A))


def svdvals(A: Tensor) -> Tensor:
    (A,) = op_inputs("linalg_svdvals", A)
    refuse_half("linalg.svd", A)
    return _ops.Svd.apply(A)[1]


def pinv(A: Tensor, *, atol=None, rtol=None, hermitian: bool = False) -> Tensor:
    """The Moore-Penrose pseudo-inverse, through the SVD (so it is differentiable)."""
    if A.dim() < 2 or A.dtype.name not in ("float32", "float64", "complex64", "complex128"):
        raise RuntimeError(
            f"linalg.pinv({A.dtype.scalar_type_name}{{{list(A.shape)}}}): expected a tensor "
            "with 2 or more dimensions of float, double, cfloat or cdouble types"
        )
    u, s, vh = _ops.Svd.apply(A)
    if rtol is None:
        rtol = max(A.shape[-2:]) * _eps(A) if atol is None else 0.0
    cutoff = s.amax(-1, keepdim=True) * rtol
    if atol is not None:
        cutoff = cutoff.clamp(min=atol)
    keep = s > cutoff
    s_inv = (1 / s.where(keep, s.new_ones(()))) * keep
    return (vh.mH * s_inv.unsqueeze(-2)) @ u.mH


def pinverse(input: Tensor, rcond: float = 1e-15) -> Tensor:
    """``torch.pinverse``: ``linalg.pinv`` with a relative cutoff; autocast runs it in
    float32 (``linalg.pinv`` itself follows its pieces)."""
    (input,) = op_inputs("pinverse", input)
    with suspended():
        return pinv(input, rtol=rcond)


def _eps(A):
    return {"float32": 1.1920928955078125e-07, "float64": 2.220446049250313e-16}.get(
        A.dtype.to_real().name, 1e-3
    )


def lstsq(A: Tensor, B: Tensor, rcond=None, *, driver=None):
    """The least-squares solution of ``A X = B`` (through the pseudo-inverse)."""
    A, B = op_inputs("linalg_lstsq", A, B)
    refuse_half("linalg.lstsq", A)
    vector = B._data.ndim == A._data.ndim - 1
    rhs = B.unsqueeze(-1) if vector else B
    with suspended():
        x = pinv(A) @ rhs
    from .ops.creation import empty

    return LstsqResult(
        x.squeeze(-1) if vector else x,
        empty(0, dtype=A.dtype),
        matrix_rank(A),
        empty(0, dtype=A.dtype),
    )


def matrix_rank(A: Tensor, *, atol=None, rtol=None, hermitian: bool = False) -> Tensor:
    refuse_half("linalg.matrix_rank", A)
    s = svdvals(A.detach())
    tol = s.amax(-1, keepdim=True) * (max(A.shape[-2:]) * _eps(A) if rtol is None else rtol)
    if atol is not None:
        tol = tol.clamp(min=atol)
    return (s > tol).sum(-1)


def matrix_power(A: Tensor, n: int) -> Tensor:
    """``A`` multiplied by itself ``n`` times (negative ``n`` inverts first)."""
    _ops._check_square(A, "linalg.matrix_power")
    if n == 0:
        from .ops.creation import eye

        return eye(A.shape[-1], dtype=A.dtype, device=A.device).expand(A.shape).clone()
    if n < 0:
        A, n = inv(A), -n
    result, base = None, A
    while n:
        if n & 1:
            result = base if result is None else result @ base
        n >>= 1
        if n:
            base = base @ base
    return result


def cross(input: Tensor, other: Tensor, *, dim: int = -1) -> Tensor:
    if input.shape[dim] != 3 or other.shape[dim] != 3:
        raise RuntimeError(
            f"linalg.cross: inputs dimension {dim} must have length 3. Got "
            f"{input.shape[dim]} and {other.shape[dim]}"
        )
    from .ops.arithmetic import operands

    a, b = operands(input, other)
    shape = _broadcast_shape(a.shape, b.shape)
    return _cross(a.expand(shape), b.expand(shape), dim)


def _broadcast_shape(a, b):
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)
    return tuple(max(x, y) for x, y in zip(a, b))


def multi_dot(tensors) -> Tensor:
    """The product of a chain of matrices (first and last may be vectors)."""
    tensors = list(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    out = tensors[0]
    for t in tensors[1:]:
        out = out @ t
    return out


def vander(x: Tensor, N=None) -> Tensor:
    """Columns ``x**0, x**1, ..., x**(N-1)``."""
    n = x.shape[-1] if N is None else N
    from .ops import stack

    return stack([x**k if k else x * 0 + 1 for k in range(n)], -1)


def vecdot(x: Tensor, y: Tensor, *, dim: int = -1) -> Tensor:
    x, y = op_inputs("vecdot", x, y)
    with suspended():
        return (x.conj() * y).sum(dim) if x.is_complex() else (x * y).sum(dim)


def diagonal(A: Tensor, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    return A.diagonal(offset, dim1, dim2)


def cond(A: Tensor, p=None) -> Tensor:
    if p is None or p == 2:
        s = svdvals(A)
        return s.amax(-1) / s.amin(-1)
    return matrix_norm(A, p) * matrix_norm(inv(A), p)


# --- the older torch.* spellings and Tensor methods -----------------------------------------
SVDLegacy = _make("svd", ("U", "S", "V"))


def svd_legacy(input: Tensor, some: bool = True, compute_uv: bool = True):
    """``torch.svd``: returns ``V`` (not ``Vh``)."""
    u, s, vh = svd(input, full_matrices=not some)
    return SVDLegacy(u, s, vh.mT)


def logdet(input: Tensor) -> Tensor:
    refuse_half("logdet", input)
    sign, logabs = slogdet(input)
    return logabs + (sign < 0) * float("nan") if not input.is_complex() else logabs


def cholesky_legacy(input: Tensor, upper: bool = False) -> Tensor:
    return cholesky(input, upper=upper)


def norm_legacy(input: Tensor, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    """``torch.norm``: the Frobenius norm by default, a vector p-norm for numbers."""
    if p == "fro" and (dim is None or isinstance(dim, int) or len(dim) <= 2):
        return vector_norm(input, 2, dim, keepdim, dtype=dtype)
    if isinstance(p, str):
        return matrix_norm(input, p, (-2, -1) if dim is None else dim, keepdim, dtype=dtype)
    return vector_norm(input, p, dim, keepdim, dtype=dtype)


def cross_legacy(input: Tensor, other: Tensor, dim=None) -> Tensor:
    if dim is None:
        dim = next(i for i, s in enumerate(input.shape) if s == 3)
    return cross(input, other, dim=dim)


TORCH_LEVEL = {
    "det": det,
    "slogdet": slogdet,
    "logdet": logdet,
    "inverse": inv,
    "pinverse": pinverse,
    "matrix_exp": matrix_exp,
    "matrix_power": matrix_power,
    "svd": svd_legacy,
    "cholesky": cholesky_legacy,
    "norm": norm_legacy,
    "cross": cross_legacy,
    "qr": qr,
}
METHODS = dict(TORCH_LEVEL)

from .ops.linalg.triangular import (  # noqa: E402
    cholesky_inverse,
    cholesky_solve,
    solve_triangular,
    triangular_solve,
)

__all__ += ["solve_triangular"]
TORCH_LEVEL.update(
    cholesky_solve=cholesky_solve,
    cholesky_inverse=cholesky_inverse,
    triangular_solve=triangular_solve,
)
METHODS.update(
    cholesky_solve=cholesky_solve,
    cholesky_inverse=cholesky_inverse,
    triangular_solve=triangular_solve,
)

from .ops.linalg.lu import (  # noqa: E402
    lu,
    lu_factor,
    lu_factor_ex,
    lu_legacy,
    lu_solve,
    lu_solve_legacy,
    lu_unpack,
)

__all__ += ["lu", "lu_factor", "lu_factor_ex", "lu_solve"]
TORCH_LEVEL.update(lu=lu_legacy, lu_solve=lu_solve_legacy, lu_unpack=lu_unpack)
METHODS.update(lu=lu_legacy, lu_solve=lu_solve_legacy)


# PyTorch's native functions take NumPy-style keyword aliases (axis=, keepdims=)
for _public in __all__:
    globals()[_public] = with_numpy_aliases(globals()[_public], _public, "linalg_")
del _public
