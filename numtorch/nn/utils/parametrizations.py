"""``numtorch.nn.utils.parametrizations``: weight_norm, spectral_norm and orthogonal, each
registered through ``parametrize.register_parametrization``."""

from __future__ import annotations

from enum import Enum, auto

from ..._backend import array_module
from ..._lazy import nt as _nt
from ..._tensor import Tensor, wrap
from ...autograd import grad_mode
from ...autograd.function import Primitive
from .. import functional as F
from ..modules.module import Module
from . import parametrize

__all__ = ["orthogonal", "spectral_norm", "weight_norm"]


# --- orthogonal -----------------------------------------------------------------------------
def _is_orthogonal(q: Tensor) -> bool:
    n, k = q.size(-2), q.size(-1)
    eye = _nt().eye(k, dtype=q.dtype)
    eps = 10.0 * n * _nt().finfo(q.dtype).eps
    return bool(_nt().allclose(q.mH @ q, eye, atol=eps))


def _make_orthogonal(a: Tensor) -> Tensor:
    # the Q of a QR decomposition whose R has a positive diagonal (unique for full rank)
    q, r = _nt().linalg.qr(a)
    return q * r.diagonal(dim1=-2, dim2=-1).sgn().unsqueeze(-2)


def _geqrf(a: Tensor) -> tuple[Tensor, Tensor]:
    """LAPACK's compact QR: R above the diagonal, Householder vectors below, and their taus."""
    xp = array_module(a._data)
    h, tau = xp.linalg.qr(a._data, mode="raw")
    h = xp.ascontiguousarray(xp.swapaxes(h, -1, -2)).astype(a._data.dtype, copy=False)
    return wrap(h), wrap(tau.astype(a._data.dtype, copy=False))


def _householder_product(a: Tensor, tau: Tensor) -> Tensor:
    """The first ``k`` columns of ``H_1 ... H_k``, ``H_i = I - tau_i v_i v_i^H``, where ``v_i``
    is column ``i`` of ``a`` below the diagonal with a unit ``i``-th entry (differentiable)."""
    nt = _nt()
    n, k = a.size(-2), a.size(-1)
    v_all = a.tril(-1) + nt.eye(n, k, dtype=a.dtype)
    q = nt.eye(n, k, dtype=a.dtype).expand(*a.shape[:-2], n, k)
    # NOTE: apply the reflectors right to left to an n x k block, never forming n x n
    for i in range(k - 1, -1, -1):
        v = v_all[..., :, i : i + 1]
        q = q - (tau[..., i : i + 1].unsqueeze(-1) * v) @ (v.mH @ q)
    return q


class _OrthMaps(Enum):
    matrix_exp = auto()
    cayley = auto()
    householder = auto()


class _Orthogonal(Module):
    def __init__(
        self, weight: Tensor, orthogonal_map: _OrthMaps, *, use_trivialization: bool = True
    ) -> None:
        super().__init__()
        if weight.is_complex() and orthogonal_map == _OrthMaps.householder:
            raise ValueError("The householder parametrization does not support complex tensors.")
        self.shape = weight.shape
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, x: Tensor) -> Tensor:
        nt = _nt()
        n, k = x.size(-2), x.size(-1)
        transposed = n < k
        if transposed:
            x = x.mT
            n, k = k, n
        if self.orthogonal_map in (_OrthMaps.matrix_exp, _OrthMaps.cayley):
            x = x.tril()
            if n != k:
                x = nt.cat([x, x.new_zeros(n, n - k).expand(*x.shape[:-2], -1, -1)], dim=-1)
            a = x - x.mH
            if self.orthogonal_map == _OrthMaps.matrix_exp:
                q = nt.matrix_exp(a)
            else:
                eye = nt.eye(n, dtype=a.dtype)
                q = nt.linalg.solve(eye - 0.5 * a, eye + 0.5 * a)
            if n != k:
                q = q[..., :k]
        else:
            a = x.tril(diagonal=-1)
            tau = 2.0 / (1.0 + (a * a).sum(dim=-2))
            q = _householder_product(a, tau)
            q = q * x.diagonal(dim1=-2, dim2=-1).int().unsqueeze(-2)
        if "base" in self._buffers:
            q = self.base @ q
        if transposed:
            q = q.mT
        return q

    def right_inverse(self, q: Tensor) -> Tensor:
        with grad_mode.no_grad():
            return self._right_inverse(q)

    def _right_inverse(self, q: Tensor) -> Tensor:
        nt = _nt()
        if q.shape != self.shape:
            raise ValueError(
                f"Expected a matrix or batch of matrices of shape {self.shape}. "
                f"Got a tensor of shape {q.shape}."
            )
        q_init = q
        n, k = q.size(-2), q.size(-1)
        transpose = n < k
        if transpose:
            q = q.mT
            n, k = k, n
        if "base" not in self._buffers:
            if self.orthogonal_map in (_OrthMaps.cayley, _OrthMaps.matrix_exp):
                raise NotImplementedError(
                    "It is not possible to assign to the matrix exponential or the Cayley "
                    "parametrizations when use_trivialization=False."
                )
            a, tau = _geqrf(q)
            xp = array_module(a._data)
            diag = xp.einsum("...ii->...i", a._data[..., :k, :k])  # a writable view
            diag[...] = xp.sign(diag)
            diag[tau._data == 0.0] *= -1
            return a.mT if transpose else a
        if n == k:
            q = _make_orthogonal(q) if not _is_orthogonal(q) else q.clone()
        else:
            noise = nt.randn(*q.size()[:-2], n, n - k, dtype=q.dtype)
            q = _make_orthogonal(nt.cat([q, noise], dim=-1))
        self.base = q
        neg_id = nt.zeros_like(q_init)
        neg_id.diagonal(dim1=-2, dim2=-1).fill_(-1.0)
        return neg_id


def orthogonal(
    module: Module,
    name: str = "weight",
    orthogonal_map: str | None = None,
    *,
    use_trivialization: bool = True,
) -> Module:
    """Constrain ``module.<name>`` (a matrix or batch of matrices) to be orthogonal (unitary).

    Args:
        module: the module to parametrize.
        name: the weight's name.
        orthogonal_map: ``"matrix_exp"``, ``"cayley"`` or ``"householder"``; default
            ``"matrix_exp"`` for square or complex matrices, else ``"householder"``.
        use_trivialization: keep a ``base`` buffer so that the map is applied around it.

    Examples:
        >>> m = orthogonal(nn.Linear(20, 40))
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if weight.ndim < 2:
        raise ValueError(
            f"Expected a matrix or batch of matrices. Got a tensor of {weight.ndim} dimensions."
        )
    if orthogonal_map is None:
        orthogonal_map = (
            "matrix_exp"
            if weight.size(-2) == weight.size(-1) or weight.is_complex()
            else "householder"
        )
    orth_enum = getattr(_OrthMaps, orthogonal_map, None)
    if orth_enum is None:
        raise ValueError(
            'orthogonal_map has to be one of "matrix_exp", "cayley", "householder". '
            f"Got: {orthogonal_map}"
        )
    orth = _Orthogonal(weight, orth_enum, use_trivialization=use_trivialization)
    parametrize.register_parametrization(module, name, orth, unsafe=True)
    return module


# --- weight norm ----------------------------------------------------------------------------
def _norm_except_dim(v: Tensor, dim: int) -> Tensor:
    # dim == -1 means the norm of the whole tensor, as in PyTorch
    if dim == -1:
        return v.norm()
    if dim < 0:
        dim += v.ndim
    others = [d for d in range(v.ndim) if d != dim]
    return v.norm(2, others, keepdim=True) if others else v.abs()


class _WeightNormPrim(Primitive):
    """``v * (g / ||v||)``, the norm over every dim but ``dim`` (whole tensor for -1)."""

    _name = "WeightNormInterfaceBackward0"
    __slots__ = ("axes",)

    def forward(ctx, v, g, dim):
        xp = array_module(v)
        if dim == -1:
            ctx.axes = None
            norm = xp.sqrt(xp.sum(v * v))
        else:
            ctx.axes = tuple(d for d in range(v.ndim) if d != dim % v.ndim)
            norm = xp.sqrt(xp.sum(v * v, axis=ctx.axes, keepdims=True))
        ctx.save_for_backward(v, g)
        return v * (g / norm)

    def backward(ctx, grad):
        v, g = ctx.saved_tensors
        xp = ctx.xp
        # NOTE: the norm is recomputed from v rather than saved, so that under create_graph
        # it stays a function of v and second derivatives include its dependence
        if ctx.axes is None:
            norm = xp.sqrt(xp.sum(v * v))
        else:
            norm = xp.sqrt(xp.sum(v * v, axis=ctx.axes, keepdims=True))
        # NOTE: s = <grad, v> over the normalised dims; d/dv removes the radial component
        s = xp.sum(grad * v, axis=ctx.axes, keepdims=ctx.axes is not None)
        grad_v = grad_g = None
        if ctx.needs_input_grad[0]:
            grad_v = (g / norm) * (grad - v * (s / (norm * norm)))
        if ctx.needs_input_grad[1]:
            grad_g = s / norm
        return grad_v, grad_g, None


class _WeightNorm(Module):
    def __init__(self, dim: int | None = 0) -> None:
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g: Tensor, weight_v: Tensor) -> Tensor:
        return _WeightNormPrim.apply(weight_v, weight_g, self.dim)

    def right_inverse(self, weight: Tensor):
        return _norm_except_dim(weight, self.dim), weight


def weight_norm(module: Module, name: str = "weight", dim: int = 0) -> Module:
    """Split ``module.<name>`` into a magnitude ``original0`` (g) and a direction
    ``original1`` (v): ``weight = g * v / ||v||``, the norm taken over every dim but ``dim``
    (over the whole tensor when ``dim`` is None).

    Examples:
        >>> m = weight_norm(nn.Linear(20, 40))
        >>> m.parametrizations.weight.original0.shape
        numtorch.Size([40, 1])
    """
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)

    def compat_hook(
        mod, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs
    ) -> None:
        # checkpoints of the older weight_norm store name_g / name_v
        g_key, v_key = f"{prefix}{name}_g", f"{prefix}{name}_v"
        if g_key in state_dict and v_key in state_dict:
            state_dict[f"{prefix}parametrizations.{name}.original0"] = state_dict.pop(g_key)
            state_dict[f"{prefix}parametrizations.{name}.original1"] = state_dict.pop(v_key)

    module.register_load_state_dict_pre_hook(compat_hook)
    return module


# --- spectral norm --------------------------------------------------------------------------
class _SpectralNorm(Module):
    def __init__(
        self, weight: Tensor, n_power_iterations: int = 1, dim: int = 0, eps: float = 1e-12
    ) -> None:
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError(
                "Dimension out of range (expected to be in range of "
                f"[-{ndim}, {ndim - 1}] but got {dim})"
            )
        if n_power_iterations <= 0:
            raise ValueError(
                "Expected n_power_iterations to be positive, but got "
                f"n_power_iterations={n_power_iterations}"
            )
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            weight_mat = self._reshape_weight_to_matrix(weight)
            h, w = weight_mat.size()
            # drawn in PyTorch's order (u, then v) so that seeded runs agree
            u = weight_mat.new_empty(h).normal_(0, 1)
            v = weight_mat.new_empty(w).normal_(0, 1)
            self.register_buffer("_u", F.normalize(u, dim=0, eps=self.eps))
            self.register_buffer("_v", F.normalize(v, dim=0, eps=self.eps))
            self._power_method(weight_mat, 15)

    def _reshape_weight_to_matrix(self, weight: Tensor) -> Tensor:
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.dim()) if d != self.dim))
        return weight.flatten(1)

    def _power_method(self, weight_mat: Tensor, n_power_iterations: int) -> None:
        nt = _nt()
        with grad_mode.no_grad():
            wmat = weight_mat.detach()
            for _ in range(n_power_iterations):
                F.normalize(nt.mv(wmat, self._v), dim=0, eps=self.eps, out=self._u)
                F.normalize(nt.mv(wmat.mH, self._u), dim=0, eps=self.eps, out=self._v)

    def forward(self, weight: Tensor) -> Tensor:
        if weight.ndim == 1:
            return F.normalize(weight, dim=0, eps=self.eps)
        nt = _nt()
        weight_mat = self._reshape_weight_to_matrix(weight)
        if self.training:
            self._power_method(weight_mat, self.n_power_iterations)
        # NOTE: u and v are constants for autograd (cloned out of the buffers that the next
        # power iteration overwrites); the gradient flows through weight and sigma only
        u = self._u.clone()
        v = self._v.clone()
        sigma = nt.vdot(u, nt.mv(weight_mat, v))
        return weight / sigma

    def right_inverse(self, value: Tensor) -> Tensor:
        return value


def spectral_norm(
    module: Module,
    name: str = "weight",
    n_power_iterations: int = 1,
    eps: float = 1e-12,
    dim: int | None = None,
) -> Module:
    """Divide ``module.<name>`` by its spectral norm, estimated by power iteration (one step
    of ``n_power_iterations`` per forward in training mode; buffers ``_u`` and ``_v``).

    Args:
        module: the module to parametrize.
        name: the weight's name.
        n_power_iterations: power-iteration steps per forward pass.
        eps: floor of the norms when normalising u and v.
        dim: the output dim (default 0; 1 for ConvTranspose layers).

    Examples:
        >>> m = spectral_norm(nn.Linear(20, 40))
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        from .. import modules as _m

        transposed = tuple(
            getattr(_m, c)
            for c in ("ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d")
            if hasattr(_m, c)
        )
        dim = 1 if transposed and isinstance(module, transposed) else 0
    parametrize.register_parametrization(
        module, name, _SpectralNorm(weight, n_power_iterations, dim, eps)
    )
    return module
