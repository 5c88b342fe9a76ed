"""Products beyond blas.py's: the fused multiply-adds and their BLAS forms, ``chain_matmul``,
``kron`` and ``tensordot``.

``addcmul``/``addcdiv`` are primitives (optimisers call them once per parameter per step);
the BLAS forms (``addmm``, ``addmv``, ``addr``, ``addbmm``, ``baddbmm``) and the rest are
compositions of the products in blas.py, so their gradients come from those, except the BLAS
forms, one node each as in PyTorch.
"""

from __future__ import annotations

import warnings

from .. import _dtype
from .._tensor import Tensor, _wrap_dim
from ..autograd.function import Primitive
from .arithmetic import fma, operands, with_out
from .blas import Addmm, _rounded, check_addmm, check_bmm, check_mv, matmul
from .inplace import inplace, inplace_method

__all__ = [
    "kron",
    "tensordot",
    "addcmul",
    "addcdiv",
    "addmm",
    "addmv",
    "addmv_",
    "addr",
    "addbmm",
    "baddbmm",
    "chain_matmul",
]


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


# --- addcmul / addcdiv --------------------------------------------------------------------------
class Addcmul(Primitive):
    """``input + value * t1 * t2``."""

    _name = "AddcmulBackward0"
    __slots__ = ("value",)
    _holomorphic = True

    def forward(ctx, x, t1, t2, value):
        ctx.value = value
        ctx.save_for_backward(t1, t2)
        return fma(t1 if value == 1 else value * t1, t2, x)  # PyTorch's rounding

    def backward(ctx, g):
        t1, t2 = ctx.saved_tensors
        n, v = ctx.needs_input_grad, ctx.value
        gv = g if v == 1 else g * v
        return g if n[0] else None, gv * t2 if n[1] else None, gv * t1 if n[2] else None, None


class Addcdiv(Primitive):
    """``input + value * t1 / t2``."""

    _name = "AddcdivBackward0"
    __slots__ = ("value",)
    _holomorphic = True

    def forward(ctx, x, t1, t2, value):
        ctx.value = value
        ctx.save_for_backward(t1, t2)
        return x + (t1 if value == 1 else value * t1) / t2  # PyTorch's order of rounding

    def backward(ctx, g):
        t1, t2 = ctx.saved_tensors
        n, v = ctx.needs_input_grad, ctx.value
        gv = g if v == 1 else g * v
        g1 = gv / t2 if n[1] or n[2] else None
        return g if n[0] else None, g1 if n[1] else None, -g1 * t1 / t2 if n[2] else None, None


def _three(name, input, tensor1, tensor2, value):
    tensors = [t for t in (input, tensor1, tensor2) if isinstance(t, Tensor)]
    if len(tensors) < 3:
        bad = next(i for i, t in enumerate((input, tensor1, tensor2)) if not isinstance(t, Tensor))
        raise TypeError(
            f"{name}(): argument '{('input', 'tensor1', 'tensor2')[bad]}' "
            f"(position {bad + 1}) must be Tensor"
        )
    dt = _dtype.result_type(input, tensor1, tensor2)
    return [t if t.dtype is dt else t.to(dt) for t in tensors]


def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value=1, out=None) -> Tensor:
    """``input + value * tensor1 * tensor2`` (broadcast)."""
    x, a, b = _three("addcmul", input, tensor1, tensor2, value)
    return with_out(Addcmul.apply(x, a, b, value), out)


def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value=1, out=None) -> Tensor:
    """``input + value * tensor1 / tensor2`` (broadcast; floating point only)."""
    x, a, b = _three("addcdiv", input, tensor1, tensor2, value)
    if tensor1._data.dtype.kind in "iub" and tensor2._data.dtype.kind in "iub":
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future  release "
            "addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv "
            "behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2))."
            "to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) for "
            "float inputs. The future addcdiv behavior is just the latter implementation: "
            "(input + value * tensor1 / tensor2), for all dtypes."
        )
    return with_out(Addcdiv.apply(x, a, b, value), out)


# --- BLAS with accumulate -----------------------------------------------------------------------
class _AddProduct(Primitive):
    """``beta * input + alpha * product(a, b)`` in one node, as PyTorch's ``addmv``, ``addr``,
    ``addbmm`` and ``baddbmm`` are: each subclass gives the product and the derivative for
    each factor, written once for arrays and for Tensors (``create_graph``)."""

    _holomorphic = True
    __slots__ = ("beta", "alpha")

    def forward(ctx, input, a, b, beta, alpha):
        ctx.save_for_backward(a, b)
        ctx.beta, ctx.alpha = beta, alpha
        out = ctx.product(a, b)
        if alpha != 1:
            out = out * alpha
        if beta != 0:  # NOTE: as in PyTorch, input is not read for beta == 0 (NaN included)
            out = out + (input if beta == 1 else input * beta)
        return _rounded(out, a)

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        n, xp, beta, alpha = ctx.needs_input_grad, ctx.xp, ctx.beta, ctx.alpha
        gi = (g if beta == 1 else g * beta) if n[0] else None
        ga = g if alpha == 1 else g * alpha
        da = ctx.grad_a(xp, ga, b) if n[1] else None
        return gi, da, ctx.grad_b(xp, ga, a) if n[2] else None, None, None


class Addmv(_AddProduct):
    __slots__ = ()
    _name = "AddmvBackward0"
    _save_names = ("mat", "vec")
    product = staticmethod(lambda mat, vec: mat @ vec)
    grad_a = staticmethod(lambda xp, g, vec: g[:, None] * vec[None, :])
    grad_b = staticmethod(lambda xp, g, mat: mat.T @ g)


class Addr(_AddProduct):
    __slots__ = ()
    _name = "AddrBackward0"
    _save_names = ("vec1", "vec2")
    product = staticmethod(lambda vec1, vec2: vec1[:, None] * vec2[None, :])
    grad_a = staticmethod(lambda xp, g, vec2: g @ vec2)
    grad_b = staticmethod(lambda xp, g, vec1: g.T @ vec1)


class Baddbmm(_AddProduct):
    __slots__ = ()
    _name = "BaddbmmBackward0"
    _save_names = ("batch1", "batch2")
    product = staticmethod(lambda batch1, batch2: batch1 @ batch2)
    grad_a = staticmethod(lambda xp, g, batch2: g @ xp.swapaxes(batch2, 1, 2))
    grad_b = staticmethod(lambda xp, g, batch1: xp.swapaxes(batch1, 1, 2) @ g)


class Addbmm(Baddbmm):
    """The batch summed: the gradient ``g`` of one matrix broadcasts over the batch."""

    __slots__ = ()
    _name = "AddbmmBackward0"

    @staticmethod
    def product(batch1, batch2):
        # NOTE: one 2-D product over the joined batch-and-inner axis equals the sum of the
        # per-batch products, and BLAS does it in one call
        b, n, k = batch1.shape
        return batch1.transpose(1, 0, 2).reshape(n, b * k) @ batch2.reshape(b * k, -1)


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * (mat1 @ mat2)``, one node as in PyTorch."""
    check_addmm(input, mat1, mat2)
    return with_out(Addmm.apply(input, mat1, mat2, beta, alpha), out)


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * (mat @ vec)``."""
    check_mv(mat, vec)
    return with_out(Addmv.apply(input, mat, vec, beta, alpha), out)


def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * outer(vec1, vec2)``."""
    if vec1.ndim != 1 or vec2.ndim != 1:
        raise RuntimeError(
            f"addr: Expected 1-D argument vec1, but got {vec1.ndim}-D"
            if vec1.ndim != 1
            else f"addr: Expected 1-D argument vec2, but got {vec2.ndim}-D"
        )
    vec1, vec2 = operands(vec1, vec2)
    return with_out(Addr.apply(input, vec1, vec2, beta, alpha), out)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * sum_b(batch1[b] @ batch2[b])``."""
    _check_batches(batch1, batch2)
    return with_out(Addbmm.apply(input, batch1, batch2, beta, alpha), out)


def _check_batches(batch1, batch2):
    if batch1.ndim != 3 or batch2.ndim != 3:
        raise RuntimeError(
            "batch1 must be a 3D tensor" if batch1.ndim != 3 else "batch2 must be a 3D tensor"
        )
    check_bmm(batch1, batch2)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * bmm(batch1, batch2)``."""
    _check_batches(batch1, batch2)
    return with_out(Baddbmm.apply(input, batch1, batch2, beta, alpha), out)


def _accumulate_inplace(fn):
    def method(self, *args, beta=1, alpha=1):
        return inplace(self, fn, *args, beta=beta, alpha=alpha)

    method.__name__ = fn.__name__ + "_"
    return method


addmv_ = _accumulate_inplace(addmv)


def chain_matmul(*matrices, out=None) -> Tensor:
    """Deprecated: the product of 2-D matrices, left to right (``linalg.multi_dot``)."""
    warnings.warn(
        "torch.chain_matmul is deprecated and will be removed in a future PyTorch release. Use "
        "torch.linalg.multi_dot instead, which accepts a list of two or more tensors rather than "
        "multiple parameters.",
        UserWarning,
        stacklevel=2,
    )
    if len(matrices) == 1:
        return with_out(matrices[0].clone(), out)
    result = matrices[0]
    for m in matrices[1:]:
        result = matmul(result, m)
    return with_out(result, out)


METHODS = {
    "kron": kron,
    "addcmul": addcmul,
    "addcdiv": addcdiv,
    "addmm": addmm,
    "addmv": addmv,
    "addr": addr,
    "addbmm": addbmm,
    "baddbmm": baddbmm,
    "addcmul_": inplace_method(addcmul),
    "addcdiv_": inplace_method(addcdiv),
    "addmv_": addmv_,
    "addr_": _accumulate_inplace(addr),
    "addbmm_": _accumulate_inplace(addbmm),
    "baddbmm_": _accumulate_inplace(baddbmm),
}
