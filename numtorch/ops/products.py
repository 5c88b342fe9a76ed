"""Products of tensors composed from the matrix products of blas.py: ``kron`` and ``tensordot``
(their gradients come from those products)."""

from __future__ import annotations

from .._tensor import Tensor, _wrap_dim
from .arithmetic import with_out

__all__ = ["kron", "tensordot"]


# --- products ----------------------------------------------------------------------------------
def kron(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """The Kronecker product: every element of ``input`` times the whole of ``other``."""
    nd = max(input._data.ndim, other._data.ndim)
    a_shape = (1,) * (nd - input._data.ndim) + input._data.shape
    b_shape = (1,) * (nd - other._data.ndim) + other._data.shape
    a = input.reshape([s for n in a_shape for s in (n, 1)])
    b = other.reshape([s for n in b_shape for s in (1, n)])
    return with_out((a * b).reshape([m * n for m, n in zip(a_shape, b_shape)]), out)


def _tensordot_dims(a: Tensor, b: Tensor, dims):
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > min(a._data.ndim, b._data.ndim):
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        return list(range(a._data.ndim - dims, a._data.ndim)), list(range(dims))
    da, db = dims
    da = [da] if isinstance(da, int) else list(da)
    db = [db] if isinstance(db, int) else list(db)
    if len(da) != len(db):
        raise RuntimeError("both dimension lists should have same length")
    return ([_wrap_dim(d, a._data.ndim) for d in da], [_wrap_dim(d, b._data.ndim) for d in db])


def tensordot(a: Tensor, b: Tensor, dims=2, out=None) -> Tensor:
    """Sum the products of ``a`` and ``b`` over the paired dims ``dims`` (an int: the last
    ``dims`` of ``a`` with the first of ``b``; or two lists of dims)."""
    da, db = _tensordot_dims(a, b, dims)
    for i, j in zip(da, db):
        if a._data.shape[i] != b._data.shape[j]:
            raise RuntimeError(
                f"contracted dimensions need to match, but first has size {a._data.shape[i]} "
                f"in dim {i} and second has size {b._data.shape[j]} in dim {j}"
            )
    free_a = [d for d in range(a._data.ndim) if d not in da]
    free_b = [d for d in range(b._data.ndim) if d not in db]
    k = 1
    for d in da:
        k *= a._data.shape[d]
    a2 = a.permute(free_a + da).reshape(-1, k)
    b2 = b.permute(db + free_b).reshape(k, -1)
    shape = [a._data.shape[d] for d in free_a] + [b._data.shape[d] for d in free_b]
    return with_out((a2 @ b2).reshape(shape), out)


METHODS = {"kron": kron}
