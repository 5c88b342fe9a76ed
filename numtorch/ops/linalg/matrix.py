"""Linear-algebra primitives: det, slogdet, inv, solve, cholesky, qr, eigh, svd, matrix_exp,
cross. Each forward calls the array module's LAPACK-backed routine on (batches of) matrices;
each backward is the standard matrix-calculus formula, written with ``ctx.xp`` so it is itself
differentiable. ``numtorch.linalg`` (linalg.py) is the public namespace built on these."""

from __future__ import annotations

from ..._autocast import op_inputs
from ..._backend import array_module, kind_of
from ..._tensor import Tensor
from ...autograd.function import Primitive, linear
from .half import refuse_half

__all__ = []


class LinAlgError(RuntimeError):
    """A matrix was singular or not positive-definite (``torch.linalg.LinAlgError``)."""


def _mT(xp, a):
    return xp.swapaxes(a, -1, -2)


def _mH(xp, a):
    """The conjugate transpose (the transpose for real arrays)."""
    if hasattr(a, "_data"):
        return a.mH
    t = xp.swapaxes(a, -1, -2)
    return xp.conj(t) if t.dtype.kind == "c" else t


def _is_complex(a) -> bool:
    return a.is_complex() if hasattr(a, "_data") else a.dtype.kind == "c"


def _gauge_check(xp, vhgv, op, what):
    """PyTorch's error where a loss depends on the arbitrary phase of complex vectors: the
    imaginary part of diag(V^H gV) must vanish."""
    d = _diagonal(xp, vhgv)
    d = d._data if hasattr(d, "_data") else d
    if abs(d.imag).max(initial=0.0) > 1e-6 * max(1.0, float(abs(d).max(initial=0.0))):
        raise RuntimeError(
            f"{op}: The {what} in the complex case are specified up to multiplication by "
            "e^{i phi}. The specified loss function depends on this "
            + (
                "quantity, so it is ill-defined."
                if op.startswith("linalg_eigh")
                else "phase term, making it ill-defined."
            )
        )


def _call(op, fn, *arrays):
    xp = array_module(arrays[0])
    try:
        return fn(xp.linalg, *arrays)
    except xp.linalg.LinAlgError as e:
        if "positive definite" in str(e).lower() or op == "linalg.cholesky":
            raise LinAlgError(
                f"{op}: The factorization could not be completed because the input is not "
                "positive-definite."
            ) from None
        raise LinAlgError(
            f"{op}: The diagonal element 1 is zero, the inversion could not be completed "
            "because the input matrix is singular."
        ) from None


class Det(Primitive):
    _name = "LinalgDetBackward0"
    _holomorphic = True

    def forward(ctx, a):
        out = array_module(a).linalg.det(a)
        ctx.save_for_backward(a, out)
        return out

    def backward(ctx, g):
        a, det = ctx.saved_tensors
        xp = ctx.xp
        # d det / dA = det * A^{-T}; solve instead of inverting for accuracy
        inv_t = _mT(xp, xp.linalg.inv(a))
        return xp.expand_dims(xp.expand_dims(g * det, -1), -1) * inv_t


class Slogdet(Primitive):
    _name = "LinalgSlogdetBackward0"

    def forward(ctx, a):
        sign, logabs = array_module(a).linalg.slogdet(a)
        ctx.save_for_backward(a, sign)
        return sign, logabs

    def backward(ctx, g_sign, g_log):
        a, sign = ctx.saved_tensors
        xp = ctx.xp
        if not _is_complex(a):  # a real sign is piecewise constant
            if g_log is None:
                return None
            g = g_log
        else:
            # log det = logabsdet + i*arg: the sign's gradient enters through the phase
            g = 0.0 if g_log is None else g_log
            if g_sign is not None:
                g = g - 1j * (xp.conj(sign) * g_sign).imag
        inv_h = _mH(xp, xp.linalg.inv(a))
        return xp.expand_dims(xp.expand_dims(g, -1), -1) * inv_h


class Inv(Primitive):
    _name = "LinalgInvExBackward0"
    _holomorphic = True

    def forward(ctx, a):
        out = _call("linalg.inv", lambda la, x: la.inv(x), a)
        ctx.save_for_backward(out)
        return out

    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        xp = ctx.xp
        out_t = _mT(xp, out)
        return -(out_t @ g @ out_t)


class Solve(Primitive):
    """``X`` with ``A X = B`` for matrices ``B`` (vectors are unsqueezed by the caller)."""

    _name = "LinalgSolveExBackward0"
    _holomorphic = True
    _save_names, _save_at = ("A", "result"), (0, None)

    def forward(ctx, a, b):
        x = _call("linalg.solve", lambda la, m, r: la.solve(m, r), a, b)
        ctx.save_for_backward(a, x)
        return x

    def backward(ctx, g):
        a, x = ctx.saved_tensors
        xp = ctx.xp
        gb = xp.linalg.solve(_mT(xp, a), g)
        ga = -(gb @ _mT(xp, x)) if ctx.needs_input_grad[0] else None
        return ga, gb if ctx.needs_input_grad[1] else None


class Cholesky(Primitive):
    _name = "LinalgCholeskyExBackward0"
    __slots__ = ("upper",)

    def forward(ctx, a, upper):
        ctx.upper = upper
        low = _call("linalg.cholesky", lambda la, x: la.cholesky(x), a)
        ctx.save_for_backward(low)
        return _mH(array_module(a), low) if upper else low

    def backward(ctx, g):
        (low,) = ctx.saved_tensors
        xp = ctx.xp
        if ctx.upper:
            g = _mH(xp, g)
        # NOTE: gA = L^{-H} Phi(L^H gL) L^{-1}, made hermitian; Phi keeps the lower triangle
        # and halves the diagonal (the input is taken as hermitian)
        phi = _mH(xp, low) @ g
        phi = xp.tril(phi) - 0.5 * _diag_embed(xp, _diagonal(xp, phi))
        linv = xp.linalg.inv(low)
        s = _mH(xp, linv) @ phi @ linv
        return 0.5 * (s + _mH(xp, s)), None


def _diagonal(xp, a):
    return xp.diagonal(a, 0, -2, -1) if not hasattr(a, "_data") else a.diagonal(0, -2, -1)


def _diag_embed(xp, d):
    if hasattr(d, "_data"):
        from ... import diag_embed

        return diag_embed(d)
    n = d.shape[-1]
    out = xp.zeros(d.shape + (n,), dtype=d.dtype)
    idx = xp.arange(n)
    out[..., idx, idx] = d
    return out


class Qr(Primitive):
    _name = "LinalgQrBackward0"
    __slots__ = ("mode",)

    def forward(ctx, a, mode):
        ctx.mode = mode
        q, r = array_module(a).linalg.qr(a, mode=mode)
        ctx.save_for_backward(q, r)
        return q, r

    def backward(ctx, gq, gr):
        q, r = ctx.saved_tensors
        xp = ctx.xp
        m, n = q.shape[-2], r.shape[-1]
        if m < n:
            raise NotImplementedError(
                "The derivative of linalg.qr is not implemented when mode='complete' and "
                "nrows > ncols, or for wide inputs (m < n)."
            )
        gq = xp.zeros_like(q) if gq is None else gq
        gr = xp.zeros_like(r) if gr is None else gr
        # NOTE: reduced QR: M = R gR^H - gQ^H Q; gA = (gQ + Q copyltu(M)) R^{-H}
        mm = r @ _mH(xp, gr) - _mH(xp, gq) @ q
        low = xp.tril(mm, -1)
        diag = _diagonal(xp, mm)
        copyltu = low + _mH(xp, low) + _diag_embed(xp, diag.real if _is_complex(mm) else diag)
        rhs = gq + q @ copyltu
        rinv_h = _mH(xp, xp.linalg.inv(r))
        return rhs @ rinv_h, None


class Eigh(Primitive):
    _name = "LinalgEighBackward0"
    __slots__ = ("uplo",)

    def forward(ctx, a, uplo):
        w, v = array_module(a).linalg.eigh(a, UPLO=uplo)
        ctx.save_for_backward(w, v)
        return w, v

    def backward(ctx, gw, gv):
        w, v = ctx.saved_tensors
        xp = ctx.xp
        inner = 0.0
        if gv is not None:
            vtg = _mH(xp, v) @ gv
            if _is_complex(vtg):
                _gauge_check(xp, vtg, "linalg_eigh_backward", "eigenvectors")
            diff = xp.expand_dims(w, -2) - xp.expand_dims(w, -1)  # w_j - w_i
            n = w.shape[-1]
            eye = xp.eye(n, dtype=w.dtype)
            safe = diff + eye  # the diagonal is masked below; avoid dividing by zero there
            inner = (vtg - _mH(xp, vtg)) / 2 / safe * (1 - eye)
        if gw is not None:
            inner = inner + _diag_embed(xp, gw)
        return v @ inner @ _mH(xp, v), None


class Svd(Primitive):
    """Reduced SVD ``A = U diag(S) Vh``."""

    _name = "LinalgSvdBackward0"

    def forward(ctx, a):
        u, s, vh = array_module(a).linalg.svd(a, full_matrices=False)
        ctx.save_for_backward(u, s, vh)
        return u, s, vh

    def backward(ctx, gu, gs, gvh):
        u, s, vh = ctx.saved_tensors
        xp = ctx.xp
        m, n = u.shape[-2], vh.shape[-1]
        k = s.shape[-1]
        v = _mH(xp, vh)
        eye = xp.eye(k, dtype=s.dtype)
        out = 0.0
        if gs is not None:
            out = (u * xp.expand_dims(gs, -2)) @ vh
        if gu is None and gvh is None:
            return out
        gu = xp.zeros_like(u) if gu is None else gu
        gv = xp.zeros_like(v) if gvh is None else _mH(xp, gvh)
        s2 = s * s
        # NOTE: F_ij = 1 / (s_j^2 - s_i^2) off the diagonal; repeated singular values make
        # the gradient ill-defined, as PyTorch documents (gauge freedom)
        f = xp.expand_dims(s2, -2) - xp.expand_dims(s2, -1)
        f = (1 - eye) / (f + eye)
        ut_gu = _mH(xp, u) @ gu
        vt_gv = _mH(xp, v) @ gv
        s_col = xp.expand_dims(s, -1)
        s_row = xp.expand_dims(s, -2)
        j = f * (ut_gu - _mH(xp, ut_gu)) * s_row
        kk = f * (vt_gv - _mH(xp, vt_gv)) * s_col
        if _is_complex(ut_gu):
            # complex singular vectors are fixed only up to a phase: the loss must not see it
            _gauge_check(xp, ut_gu + vt_gv, "svd_backward", "singular vectors")
            j = j + _diag_embed(xp, 1j * _diagonal(xp, ut_gu).imag / s)
        core = u @ (j + kk) @ vh
        term_u = (gu - u @ ut_gu) / s_row
        term_u = term_u @ vh if m > k else 0.0
        term_v = (gv - v @ vt_gv) / s_row
        term_v = u @ _mH(xp, term_v) if n > k else 0.0
        return out + core + term_u + term_v


class MatrixExp(Primitive):
    _name = "LinalgMatrixExpBackward0"
    _holomorphic = True
    _save_names, _save_at = ("self",), (0,)

    def forward(ctx, a):
        out = expm_array(array_module(a), a)
        ctx.save_for_backward(a)
        return out

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        # NOTE: the Frechet derivative in direction G is the upper-right block of
        # exp([[A^T, G], [0, A^T]]) (Mathias' block-matrix identity)
        xp = ctx.xp
        n = a.shape[-1]
        at = _mT(xp, a)
        zeros = xp.zeros_like(at)
        top = xp.concatenate([at, g], axis=-1)
        bottom = xp.concatenate([zeros, at], axis=-1)
        big = xp.concatenate([top, bottom], axis=-2)
        e = linear(ctx, MatrixExp, big)
        return e[..., :n, n:]


def expm_array(xp, a):
    """exp(A) by scaling and squaring with a degree-13 Pade approximant (Higham 2005)."""
    b = (
        64764752532480000.0,
        32382376266240000.0,
        7771770303897600.0,
        1187353796428800.0,
        129060195264000.0,
        10559470521600.0,
        670442572800.0,
        33522128640.0,
        1323241920.0,
        40840800.0,
        960960.0,
        16380.0,
        182.0,
        1.0,
    )
    norm = xp.abs(a).sum(axis=-2).max() if a.size else 0.0
    s = max(0, int(xp.ceil(xp.log2(norm / 5.371920351148152))) if norm > 0 else 0)
    a = a / (2.0**s)
    n = a.shape[-1]
    ident = xp.broadcast_to(xp.eye(n, dtype=a.dtype), a.shape)
    a2 = a @ a
    a4 = a2 @ a2
    a6 = a4 @ a2
    u = a @ (
        a6 @ (b[13] * a6 + b[11] * a4 + b[9] * a2)
        + b[7] * a6
        + b[5] * a4
        + b[3] * a2
        + b[1] * ident
    )
    v = (
        a6 @ (b[12] * a6 + b[10] * a4 + b[8] * a2)
        + b[6] * a6
        + b[4] * a4
        + b[2] * a2
        + b[0] * ident
    )
    r = xp.linalg.solve(v - u, v + u)
    for _ in range(s):
        r = r @ r
    return r.astype(a.dtype, copy=False)


class Cross(Primitive):
    _name = "LinalgCrossBackward0"
    __slots__ = ("axis",)
    _save_names, _save_at = ("self", "other"), (0, 1)

    def forward(ctx, a, b, axis):
        ctx.axis = axis
        ctx.save_for_backward(a, b)
        return array_module(a).cross(a, b, axis=axis)

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        n, xp = ctx.needs_input_grad, ctx.xp
        return (
            xp.cross(b, g, axis=ctx.axis) if n[0] else None,
            xp.cross(g, a, axis=ctx.axis) if n[1] else None,
            None,
        )


# --- tensor-level entry points (used by numtorch.linalg and by the backward formulas) -------
def _check_square(a: Tensor, op: str):
    refuse_half(op, a)
    if a._data.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor A must have at least 2 dimensions.")
    if a._data.shape[-1] != a._data.shape[-2]:
        raise RuntimeError(
            f"{op}: A must be batches of square matrices, but they are {a._data.shape[-2]} by "
            f"{a._data.shape[-1]} matrices"
        )
    if kind_of(a._data.dtype) not in "fc":
        raise RuntimeError(
            f"{op}: Expected a floating point or complex tensor as input. Got "
            f"{a.dtype.scalar_type_name}"
        )


def inv(a: Tensor) -> Tensor:
    (a,) = op_inputs("linalg_inv", a)
    _check_square(a, "linalg.inv")
    return Inv.apply(a)


def solve_matrix(a: Tensor, b: Tensor) -> Tensor:
    return Solve.apply(a, b)


def cross(a: Tensor, b: Tensor, dim: int = -1) -> Tensor:
    return Cross.apply(a, b, dim)


def matrix_exp(a: Tensor) -> Tensor:
    _check_square(a, "linalg.matrix_exp")
    if a.dtype.name in ("bfloat16", "float16"):  # LAPACK's solve has no half types
        return MatrixExp.apply(a.float()).to(a.dtype)
    return MatrixExp.apply(a)


class VectorNorm(Primitive):
    """``(sum |x|^p)^(1/p)`` over ``axes``, with the subgradient 0 where the norm is 0."""

    _name = "LinalgVectorNormBackward0"
    __slots__ = ("ord", "axes", "keepdims")

    def forward(ctx, x, ord, axes, keepdims):
        xp = array_module(x)
        ctx.ord, ctx.axes, ctx.keepdims = ord, axes, keepdims
        a = xp.abs(x)
        low = a.dtype
        if low.kind == "V":
            a = a.astype(xp.float32)  # bfloat16 accumulates in float32, as PyTorch's does
        if ord == float("inf"):
            out = a.max(axis=axes, keepdims=keepdims) if a.size else xp.zeros(())
        elif ord == -float("inf"):
            out = a.min(axis=axes, keepdims=keepdims)
        elif ord == 0:
            out = (a != 0).sum(axis=axes, keepdims=keepdims).astype(a.dtype)
        elif ord == 1:
            out = a.sum(axis=axes, keepdims=keepdims)
        elif ord == 2:
            out = xp.sqrt((a * a).sum(axis=axes, keepdims=keepdims))
        else:
            out = (a**ord).sum(axis=axes, keepdims=keepdims) ** (1.0 / ord)
        # NOTE: a full reduction gives a NumPy scalar; make it the array that is returned, so
        # the saved output is recognised as this node's output under create_graph
        out = xp.asarray(out, dtype=low)
        ctx.save_for_backward(x, out)
        return out

    def backward(ctx, g):
        x, out = ctx.saved_tensors
        xp = ctx.xp
        if not ctx.keepdims:
            g = xp.expand_dims(g, ctx.axes)
            out = xp.expand_dims(out, ctx.axes)
        p = ctx.ord
        a = xp.abs(x)
        sign = xp.sign(x)
        if p == 0:
            return g * 0 * x, None, None, None
        if p in (float("inf"), -float("inf")):
            hit = a == out
            count = xp.sum(hit, axis=ctx.axes, keepdims=True)
            return g * sign * hit / count, None, None, None
        if p == 1:
            return g * sign, None, None, None
        safe = xp.where(out == 0, 1.0, out)
        if p == 2:
            return xp.where(out == 0, 0.0, g * x / safe), None, None, None
        # NOTE: d/dx (sum |x|^p)^(1/p) = sign(x) |x|^(p-1) / norm^(p-1)
        return xp.where(out == 0, 0.0, g * sign * a ** (p - 1) / safe ** (p - 1)), None, None, None


class Eig(Primitive):
    """General eigendecomposition; complex eigenvalues and eigenvectors."""

    _name = "LinalgEigBackward0"

    def forward(ctx, a):
        xp = array_module(a)
        ctype = xp.complex128 if a.dtype in (xp.float64, xp.complex128) else xp.complex64
        w, v = xp.linalg.eig(a)
        w, v = w.astype(ctype), v.astype(ctype)
        ctx.save_for_backward(v)
        ctx.real_input = a.dtype.kind != "c"
        return w, v

    def backward(ctx, gw, gv):
        if gv is not None:
            raise NotImplementedError(
                "numtorch differentiates linalg.eig through its eigenvalues only; for the "
                "eigenvectors of a symmetric matrix use linalg.eigh"
            )
        (v,) = ctx.saved_tensors
        xp = ctx.xp
        vh = xp.conj(_mT(xp, v))
        # NOTE: gA = V^{-H} diag(gw) V^H (PyTorch's convention for complex gradients)
        inv_vh = xp.linalg.inv(vh)
        ga = inv_vh @ (_diag_embed(xp, gw) @ vh)
        return ga.real if ctx.real_input else ga  # a real input's gradient is real
