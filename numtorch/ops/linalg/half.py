"""PyTorch's CPU refusals of the half types (bfloat16, float16) in linear algebra, by op.

Most of its CPU kernels have no half-precision version and raise NotImplementedError naming the
kernel; a few ops check first with texts of their own. numtorch refuses where PyTorch does, with
its type and text, rather than compute in another precision or leak NumPy's TypeError.
"""

from __future__ import annotations

from ..._dtype import not_implemented

_KERNEL = {  # op -> the CPU kernel PyTorch names
    "linalg.det": "lu_cpu",
    "linalg.solve": "lu_cpu",
    "linalg.lu": "lu_cpu",
    "linalg.cholesky": "cholesky_cpu",
    "linalg.qr": "geqrf_cpu",
    "linalg.eigh": "linalg_eigh_cpu",
    "linalg.eig": "linalg_eig_out_cpu",
    "linalg.svd": "linalg_svd_cpu",
    "cholesky_solve": "cholesky_solve_cpu",
    "triangular_solve": "triangular_solve_cpu",
    "linalg.solve_triangular": "triangular_solve_cpu",
    "cholesky_inverse": "cholesky_inverse_out_cpu",
}
_LOW_PRECISION = {"linalg.inv", "linalg.slogdet", "logdet"}  # their own check
_FLOAT_DOUBLE = {"linalg.lstsq", "linalg.matrix_rank"}  # LAPACK wrappers for float and double


def refuse_half(op: str, t) -> None:
    """Raise PyTorch's error where ``t`` is bfloat16 or float16 and ``op`` has no such kernel."""
    dt = t.dtype
    if dt.name not in ("bfloat16", "float16"):
        return
    if op in _KERNEL:
        raise not_implemented(_KERNEL[op], dt)
    if op in _LOW_PRECISION:
        raise RuntimeError(f"{op}: Low precision dtypes not supported. Got {dt.scalar_type_name}")
    if op in _FLOAT_DOUBLE:
        raise RuntimeError("This function doesn't handle types other than float and double")
