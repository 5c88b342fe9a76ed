"""Matrix products: matmul (``@``) with PyTorch's rank rules, mm, bmm, mv, dot, outer, einsum,
and the fused ``x @ W.T + b`` behind ``nn.Linear``."""

from __future__ import annotations

from .. import _autocast
from .._autocast import unifies
from .._tensor import Tensor
from ..autograd.function import Primitive
from .arithmetic import Mul, operands, with_out
from .linear_graph import linear_edges

__all__ = ["matmul", "mm", "bmm", "mv", "dot", "inner", "outer", "ger", "einsum", "vdot"]


def _dt_name(t):
    return t.dtype.scalar_type_name


def _check_same_dtype(a, b, batched=False):
    """PyTorch's error for operands of different dtypes: one form for 2-D products and another
    for batched ones."""
    if a._data.dtype == b._data.dtype or unifies(a, b):
        return
    if batched:
        raise RuntimeError(f"expected scalar type {_dt_name(a)} but found {_dt_name(b)}")
    raise RuntimeError(
        "expected m1 and m2 to have the same dtype, but got: "
        f"{a.dtype.c_type_name} != {b.dtype.c_type_name}"
    )


def _rounded(out, like):
    """``out`` in bfloat16 where ``like`` is: NumPy multiplies bfloat16 (ml_dtypes) matrices into
    float32, where PyTorch accumulates in float32 too but returns bfloat16, rounded once."""
    return out.astype(like.dtype) if like.dtype.kind == "V" and out.dtype != like.dtype else out


class Dot(Mul):
    """``x @ y`` for two vectors: the output is a scalar, so the derivative is Mul's."""

    _name = "DotBackward0"

    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return _rounded(x @ y, x)


class Mv(Primitive):
    _holomorphic = True
    _name = "MvBackward0"

    def forward(ctx, m, v):
        ctx.save_for_backward(m, v)
        return _rounded(m @ v, m)

    def backward(ctx, g):
        m, v = ctx.saved_tensors
        n = ctx.needs_input_grad
        gm = ctx.xp.expand_dims(g, 1) * v if n[0] else None
        return gm, g @ m if n[1] else None


class Mm(Primitive):
    _holomorphic = True
    _name = "MmBackward0"
    _fresh_views = True
    _save_names = ("self", "mat2")

    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return _rounded(x @ y, x)

    def backward(ctx, g):
        x, y = ctx.saved_tensors
        n = ctx.needs_input_grad
        gy = None
        if n[1]:
            gy = _mat2_grad(x, g) if _transposed(y) else x.T @ g
        return g @ y.T if n[0] else None, gy


class Bmm(Mm):
    _name = "BmmBackward0"

    def backward(ctx, g):
        x, y = ctx.saved_tensors
        n = ctx.needs_input_grad
        sw = ctx.xp.swapaxes
        return g @ sw(y, -1, -2) if n[0] else None, sw(x, -1, -2) @ g if n[1] else None


class Matmul(Primitive):
    """The general case: batched, broadcast batch dims, a 1-D operand on either side."""

    _holomorphic = True
    _name = "UnsafeViewBackward0"
    _autocast_name = "matmul"  # its node is PyTorch's last of a batched matmul, a view

    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return _rounded(x @ y, x)

    def backward(ctx, g):
        x, y = ctx.saved_tensors
        xp = ctx.xp
        gx = gy = None
        if x.ndim == 1:  # (k) @ (..., k, n) -> (..., n)
            if ctx.needs_input_grad[0]:
                gx = xp.expand_dims(g, -2) @ xp.swapaxes(y, -1, -2)  # engine sums to (k,)
            if ctx.needs_input_grad[1]:
                gy = xp.expand_dims(x, -1) * xp.expand_dims(g, -2)
            return gx, gy
        if y.ndim == 1:  # (..., n, k) @ (k) -> (..., n)
            if ctx.needs_input_grad[0]:
                gx = xp.expand_dims(g, -1) * y
            if ctx.needs_input_grad[1]:
                gy = xp.squeeze(xp.swapaxes(x, -1, -2) @ xp.expand_dims(g, -1), -1)
            return gx, gy
        if ctx.needs_input_grad[0]:
            gx = g @ xp.swapaxes(y, -1, -2)
        if ctx.needs_input_grad[1]:
            gy = xp.swapaxes(x, -1, -2) @ g
        return gx, gy


def _mismatch(a, b):
    sa = "x".join(map(str, a.shape if a.ndim == 2 else (1,) + tuple(a.shape)))
    sb = "x".join(map(str, b.shape if b.ndim == 2 else tuple(b.shape) + (1,)))
    return RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({sa} and {sb})")


def matmul(input, other, *, out=None):
    """The matrix product with PyTorch's rules: 1-D·1-D is a dot product, a 1-D operand is
    treated as a row (left) or column (right) vector, batch dims broadcast."""
    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        raise TypeError("matmul(): argument 'other' must be Tensor")
    if _autocast.REGION.active:  # matmul is listed; the mv and dot it may call are not, on a CPU
        input, other = _autocast.cast_by_names(_autocast.MATMUL, (input, other))
    return with_out(_product(input, other), out)


def _product(input, other):
    """``matmul`` of tensors under its autocast: the node its operands' ranks call for."""
    a, b = input._data, other._data
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {a.ndim}D and {b.ndim}D"
        )
    _check_same_dtype(input, other, batched=a.ndim > 2 or b.ndim > 2)
    if a.shape[-1] != b.shape[-2 if b.ndim > 1 else 0]:
        if a.ndim == 1 and b.ndim == 1:
            raise RuntimeError(
                "inconsistent tensor size, expected tensor [%d] and src [%d] to have the same "
                "number of elements, but got %d and %d elements respectively"
                % (a.shape[0], b.shape[0], a.shape[0], b.shape[0])
            )
        if a.ndim <= 2 and b.ndim <= 2:
            raise _mismatch(input, other)
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: "
            f"[{a.shape[0] if a.ndim == 3 else -1}, {a.shape[-1]}] but got: "
            f"[{b.shape[0] if b.ndim == 3 else -1}, {b.shape[-2]}]."
        )
    if a.ndim == 1 and b.ndim == 1:
        return Dot.apply(input, other)
    if a.ndim == 2 and b.ndim == 1:
        return Mv.apply(input, other)
    if a.ndim == 2 and b.ndim == 2:
        return Mm.apply(input, other)
    return Matmul.apply(input, other)


def mm(input, mat2, *, out=None):
    if input._data.ndim != 2 or mat2._data.ndim != 2:
        bad = input if input._data.ndim != 2 else mat2
        raise RuntimeError(f"{'self' if bad is input else 'mat2'} must be a matrix")
    _check_same_dtype(input, mat2)
    if input._data.shape[1] != mat2._data.shape[0]:
        raise _mismatch(input, mat2)
    return with_out(Mm.apply(input, mat2), out)


def bmm(input, mat2, *, out=None):
    if input._data.ndim != 3 or mat2._data.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    check_bmm(input, mat2)
    return with_out(Bmm.apply(input, mat2), out)


def check_bmm(input, mat2):
    """PyTorch's checks of two 3-D batches' sizes and dtypes (bmm, baddbmm, addbmm)."""
    if input._data.shape[0] != mat2._data.shape[0] or input._data.shape[2] != mat2._data.shape[1]:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: "
            f"[{input._data.shape[0]}, {input._data.shape[2]}] but got: "
            f"[{mat2._data.shape[0]}, {mat2._data.shape[1]}]."
        )
    _check_same_dtype(input, mat2, batched=True)


def mv(input, vec, *, out=None):
    check_mv(input, vec)
    return with_out(Mv.apply(input, vec), out)


def check_mv(input, vec):
    """PyTorch's checks of ``mv``'s operands (``addmv``'s too)."""
    if input._data.ndim != 2 or vec._data.ndim != 1:
        raise RuntimeError(
            f"vector + matrix @ vector expected, got 1, {input._data.ndim}, {vec._data.ndim}"
        )
    if input._data.shape[1] != vec._data.shape[0]:
        raise RuntimeError(
            f"size mismatch, got input ({input._data.shape[0]}), mat ({input._data.shape[0]}x"
            f"{input._data.shape[1]}), vec ({vec._data.shape[0]})"
        )
    _check_same_dtype(input, vec)


def dot(input, tensor, *, out=None):
    if input._data.ndim != 1 or tensor._data.ndim != 1:
        raise RuntimeError(
            f"1D tensors expected, but got {input._data.ndim}D and {tensor._data.ndim}D tensors"
        )
    if input._data.dtype != tensor._data.dtype:
        raise RuntimeError(
            "dot : expected both vectors to have same dtype, but found "
            f"{_dt_name(input)} and {_dt_name(tensor)}"
        )
    return with_out(_product(input, tensor), out)


def vdot(input, other, *, out=None):
    """The dot product conjugating the first vector (for complex inputs)."""
    return dot(input.conj() if input.is_complex() else input, other, out=out)


def inner(input, other, *, out=None):
    if input._data.ndim == 0 or other._data.ndim == 0:
        return with_out(input * other, out)
    return with_out(matmul(input, other.transpose(-1, -2) if other.ndim > 1 else other), out)


def outer(input, vec2, *, out=None):
    a, b = operands(input, vec2)
    return with_out(a.unsqueeze(1) * b, out)


ger = outer


def _rows_matmul(x, w):
    """``x @ w`` for a 2-D ``w``: an ``x`` of more dimensions is multiplied as one matrix of
    rows (one BLAS call instead of one per leading index, which is slower; a copy where ``x``
    is not contiguous, as PyTorch's linear makes), arrays and Tensors (``create_graph``)
    alike."""
    if x.ndim <= 2:
        return x @ w
    rows = x.reshape(-1, x.shape[-1]) @ w
    return rows.reshape(x.shape[:-1] + rows.shape[-1:])


def _transposed(a) -> bool:
    """Whether array ``a`` is the transpose of a row-major matrix (``W.t()``)."""
    return not isinstance(a, Tensor) and a.flags.f_contiguous and not a.flags.c_contiguous


def weight_grad(g, x):
    """``g.T @ x``: the gradient of ``nn.Linear``'s weight from matrices of rows (arrays, or
    Tensors under ``create_graph``); also the compiled replay's step."""
    # NOTE: for a single row the product is an outer product; broadcasting computes it about
    # 3x faster than a k=1 matrix product
    return g.T * x if g.shape[0] == 1 else g.T @ x


def _mat2_grad(m1, g):
    """``m1.T @ g``, laid out as PyTorch lays it out for a transposed ``mat2`` (``W.t()``):
    the transpose of a row-major product, so ``W``'s gradient arrives row-major, and its
    buffer is the engine's to keep."""
    if m1.shape[0] == 1:
        # NOTE: for a single row the product is an outer product; broadcasting computes it
        # about 3x faster than a k=1 matrix product
        return (g.T * m1).T
    return (g.T @ m1).T


class Addmm(Primitive):
    """``beta * input + alpha * (mat1 @ mat2)`` in one node (``torch.addmm``)."""

    _holomorphic = True
    _name = "AddmmBackward0"
    _fresh_views = True
    _save_names = ("mat1", "mat2")
    __slots__ = ("beta", "alpha")

    def forward(ctx, input, mat1, mat2, beta=1, alpha=1):
        ctx.save_for_backward(mat1, mat2)
        ctx.beta, ctx.alpha = beta, alpha
        out = mat1 @ mat2
        if alpha != 1:
            out *= alpha
        if beta == 0:
            return _rounded(out, mat1)  # NOTE: as in PyTorch, input is not read (NaN included)
        out += input if beta == 1 else beta * input
        return _rounded(out, mat1)

    def backward(ctx, g):
        m1, m2 = ctx.saved_tensors
        n, beta, alpha = ctx.needs_input_grad, ctx.beta, ctx.alpha
        gi = (g if beta == 1 else g * beta) if n[0] else None
        ga = g if alpha == 1 else g * alpha
        g1 = ga @ m2.T if n[1] else None
        g2 = None
        if n[2]:
            g2 = _mat2_grad(m1, ga) if _transposed(m2) else m1.T @ ga
        return (gi, g1, g2) + (None,) * (len(n) - 3)


def check_addmm(input, mat1, mat2):
    """PyTorch's checks of ``addmm``'s operands, in its order."""
    if input._data.dtype != mat2._data.dtype:
        raise RuntimeError(
            f"self and mat2 must have the same dtype, but got {_dt_name(input)} and "
            f"{_dt_name(mat2)}"
        )
    for name, m in (("mat1", mat1), ("mat2", mat2)):
        if m._data.ndim != 2:
            raise RuntimeError(f"{name} must be a matrix, got {m._data.ndim}-D tensor")
    if mat1._data.shape[1] != mat2._data.shape[0]:
        raise _mismatch(mat1, mat2)
    if mat1._data.dtype != mat2._data.dtype:
        raise RuntimeError(
            f"mat1 and mat2 must have the same dtype, but got {_dt_name(mat1)} and {_dt_name(mat2)}"
        )


def _check_linear(input, weight, bias):
    x, w = input._data, weight._data
    if x.ndim == 0:
        raise RuntimeError(
            f"both arguments to linear need to be at least 1D, but they are 0D and {w.ndim}D"
        )
    if x.shape[-1] != w.shape[-1]:
        rows = 1
        for s in x.shape[:-1]:
            rows *= s
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({rows}x{x.shape[-1]} and "
            f"{w.shape[-1]}x{w.shape[0]})"
        )
    if x.dtype != w.dtype and not unifies(input, weight):
        if bias is None and x.ndim != 1:  # PyTorch's mm rather than addmm
            _check_same_dtype(input, weight)
        raise RuntimeError(
            f"mat1 and mat2 must have the same dtype, but got {_dt_name(input)} and "
            f"{_dt_name(weight)}"
        )
    if bias is not None and bias._data.dtype != x.dtype and not unifies(bias, input):
        raise RuntimeError(
            f"self and mat2 must have the same dtype, but got "
            f"{_dt_name(bias)} and {_dt_name(input)}"
        )


class Linear(Primitive):
    """``x @ W.T + b`` in one node (PyTorch's addmm): ``W`` is used transposed, not copied.

    Its ``next_functions`` show the graph PyTorch records (linear_graph.py)."""

    _holomorphic = True
    _name = "AddmmBackward0"
    __slots__ = ("_shown", "_reshape")
    _flat = None  # the node that flattens the input, where ``_reshape`` does not say

    def forward(ctx, x, w, b):
        ctx.save_for_backward(x, w)
        out = _rows_matmul(x, w.T)
        if b is not None:
            out += b
        return _rounded(out, x)

    def backward(ctx, g):
        x, w = ctx.saved_tensors
        n = ctx.needs_input_grad
        gx = _rows_matmul(g, w) if n[0] else None
        gw = None
        if n[1]:
            xp = ctx.xp
            g2 = g if g.ndim == 2 else xp.reshape(g, (-1, g.shape[-1]))
            x2 = x if x.ndim == 2 else xp.reshape(x, (-1, x.shape[-1]))
            gw = weight_grad(g2, x2)
        return gx, gw, g if n[2] else None

    @property
    def next_functions(self) -> tuple:
        shown = getattr(self, "_shown", None)
        if shown is None:  # made once, so that graph walkers see the same nodes each time
            reshape = getattr(self, "_reshape", self._flat)
            shown = self._shown = linear_edges(self, type(self).__name__, reshape)
        return shown


class LinearNoBias(Linear):
    __slots__ = ()
    _name = "MmBackward0"


class LinearView(Linear):
    __slots__ = ()
    _name = "ViewBackward0"


class LinearUnsafeView(Linear):
    __slots__ = ()
    _name = "UnsafeViewBackward0"
    _flat = "ViewBackward0"


class LinearSqueeze(Linear):
    __slots__ = ()
    _name = "SqueezeBackward4"


class LinearAdd(Linear):
    """A non-contiguous input with a bias: PyTorch's ``matmul(x, W.t()) + b``."""

    __slots__ = ()
    _name = "AddBackward0"


def _reshape_node(x) -> str:
    """PyTorch's node for ``x.reshape(-1, k)`` of a non-contiguous array ``x``: an alias
    where the strides allow a view, else a copy ("clone")."""
    try:
        x.view().shape = (-1, x.shape[-1])
    except AttributeError:
        return "clone"
    return "ReshapeAliasBackward0"


def linear(input, weight, bias=None):
    """``input @ weight.T + bias`` for input of shape ``(*, in_features)``, one fused node.

    NOTE: PyTorch's graph is ``addmm(bias, x, W.t())`` (``mm`` without bias) with views
    around other ranks; its extra TBackward0 (and view) nodes cost +24-28 % on the demo's
    training step, so numtorch runs one node and only shows PyTorch's graph in its
    ``next_functions``."""
    _check_linear(input, weight, bias)
    x = input._data
    if x.ndim == 2:
        return (Linear if bias is not None else LinearNoBias).apply(input, weight, bias)
    if bias is None:
        out = (LinearSqueeze if x.ndim == 1 else LinearUnsafeView).apply(input, weight, bias)
    else:
        out = (LinearView if x.flags.c_contiguous else LinearAdd).apply(input, weight, bias)
    if x.ndim > 2 and not x.flags.c_contiguous and out.grad_fn is not None:
        out.grad_fn._reshape = _reshape_node(x)
    return out


def einsum(equation, *operands_):
    """Einstein summation over the operands, e.g. ``einsum('ij,jk->ik', a, b)``."""
    if len(operands_) == 1 and isinstance(operands_[0], (list, tuple)):
        operands_ = tuple(operands_[0])
    return Einsum.apply(equation.replace(" ", ""), *operands_)


def _einsum(xp, equation, arrays, optimize=False):
    """``xp.einsum``, bfloat16 included: NumPy's einsum refuses ml_dtypes' bfloat16, so such
    operands are summed in float32 (as PyTorch accumulates them) and the result rounded once."""
    low = next((a.dtype for a in arrays if a.dtype.kind == "V"), None)
    if low is None:
        return xp.einsum(equation, *arrays, optimize=optimize)
    wide = [a.astype("float32") for a in arrays]
    return xp.einsum(equation, *wide, optimize=optimize).astype(low)


class Einsum(Primitive):
    _holomorphic = True
    _name = "EinsumBackward0"
    __slots__ = ("inputs", "output")

    def forward(ctx, equation, *arrays):
        from .._backend import array_module

        xp = array_module(arrays[0])
        lhs, _, rhs = equation.partition("->")
        ins = lhs.split(",")
        if not _:
            letters = sorted(
                c for c in set("".join(ins)) if c.isalpha() and "".join(ins).count(c) == 1
            )
            rhs = ("..." if "..." in lhs else "") + "".join(letters)
        ctx.inputs, ctx.output = ins, rhs
        ctx.save_for_backward(*arrays)
        return _einsum(xp, f"{lhs}->{rhs}", arrays, len(arrays) > 2)

    def backward(ctx, g):
        arrays = ctx.saved_tensors
        xp = ctx.xp
        grads = [None]
        for i, spec in enumerate(ctx.inputs):
            if not ctx.needs_input_grad[i + 1]:
                grads.append(None)
                continue
            others = [a for j, a in enumerate(arrays) if j != i]
            specs = [s for j, s in enumerate(ctx.inputs) if j != i]
            if "..." in spec or any(spec.count(c) > 1 for c in spec):
                raise RuntimeError("einsum backward supports no repeated or ellipsis indices yet")
            target = spec
            # letters summed away in the forward that appear only in this input are restored
            # by broadcasting: einsum over g and the other operands gives the rest
            keep = "".join(c for c in target if c in ctx.output or any(c in s for s in specs))
            eq = ",".join([ctx.output] + specs) + "->" + keep
            gi = _einsum(xp, eq, (g, *others))
            if keep != target:
                shape = arrays[i].shape
                expanded = [shape[target.index(c)] if c in keep else 1 for c in target]
                src = "".join(c for c in target if c in keep)
                gi = xp.reshape(
                    xp.einsum(f"{keep}->{src}", gi) if keep != src else gi, tuple(expanded)
                )
                gi = xp.broadcast_to(gi, shape)
            grads.append(gi)
        return tuple(grads)


METHODS = {
    "matmul": matmul,
    "mm": mm,
    "bmm": bmm,
    "mv": mv,
    "dot": dot,
    "inner": inner,
    "outer": outer,
    "ger": outer,
    "vdot": vdot,
    "__matmul__": lambda self, other: (
        matmul(self, other) if isinstance(other, Tensor) else NotImplemented
    ),
    "__rmatmul__": lambda self, other: matmul(other, self),
}
