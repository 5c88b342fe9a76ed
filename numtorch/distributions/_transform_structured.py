"""Transforms onto structured regions (the simplex, Cholesky factors, positive-definite
matrices, a distribution's cdf) and block-wise ones (cat, stack). Public through
``transforms``, where PyTorch defines them."""

from __future__ import annotations

import math

from .._lazy import nt as _nt
from . import constraints
from ._transform import Transform
from ._transform_pointwise import _Elementwise
from .utils import _sum_rightmost, tril_matrix_to_vec, vec_to_tril_matrix


def _stick_offset(x):
    """log(K - k) for k = 0 .. K-1 over the last dim: centres the sticks at uniform breaks."""
    return (x.shape[-1] + 1 - x.new_ones(x.shape[-1]).cumsum(-1)).log()


class StickBreakingTransform(_Elementwise):
    """Vectors of length K-1 to the K-simplex by breaking a stick: a bijection (unlike
    softmax), used by ``biject_to(constraints.simplex)``."""

    domain, codomain, bijective = constraints.real_vector, constraints.simplex, True

    def _call(self, x):
        finfo = _nt().finfo(x.dtype)
        z = (x - _stick_offset(x)).sigmoid().clamp(min=finfo.tiny, max=1.0 - finfo.eps)
        pad = _nt().nn.functional.pad
        return pad(z, [0, 1], value=1) * pad((1 - z).cumprod(-1), [1, 0], value=1)

    def _inverse(self, y):
        y_crop = y[..., :-1]
        offset = (y.shape[-1] - y.new_ones(y_crop.shape[-1]).cumsum(-1)).log()
        # NOTE: clamped where rounding leaves no stick (y[-1] ~ 0), as PyTorch does
        remaining = (1 - y_crop.cumsum(-1)).clamp(min=_nt().finfo(y.dtype).tiny)
        return y_crop.log() - remaining.log() + offset

    def log_abs_det_jacobian(self, x, y):
        x = x - _stick_offset(x)
        # NOTE: 1 - sigmoid(x) = exp(-x) sigmoid(x)
        return (-x + _nt().nn.functional.logsigmoid(x) + y[..., :-1].log()).sum(-1)

    def forward_shape(self, shape):
        if len(shape) < 1:
            raise ValueError("Too few dimensions on input")
        return shape[:-1] + (shape[-1] + 1,)

    def inverse_shape(self, shape):
        if len(shape) < 1:
            raise ValueError("Too few dimensions on input")
        return shape[:-1] + (shape[-1] - 1,)


class LowerCholeskyTransform(_Elementwise):
    """Square matrices to lower-triangular ones with a positive diagonal (``exp`` of it)."""

    domain, codomain = constraints.independent(constraints.real, 2), constraints.lower_cholesky

    def _call(self, x):
        return x.tril(-1) + x.diagonal(dim1=-2, dim2=-1).exp().diag_embed()

    def _inverse(self, y):
        return y.tril(-1) + y.diagonal(dim1=-2, dim2=-1).log().diag_embed()


class PositiveDefiniteTransform(_Elementwise):
    """Square matrices to positive-definite ones, ``L @ L.mT`` of their lower Cholesky form."""

    domain = constraints.independent(constraints.real, 2)
    codomain = constraints.positive_definite

    def _call(self, x):
        low = LowerCholeskyTransform()(x)
        return low @ low.mT

    def _inverse(self, y):
        return LowerCholeskyTransform().inv(_nt().linalg.cholesky(y))


class CumulativeDistributionTransform(Transform):
    """A distribution's ``cdf``: its support onto (0, 1); the log-Jacobian is its
    ``log_prob``."""

    bijective, codomain, sign = True, constraints.unit_interval, +1

    def __init__(self, distribution, cache_size: int = 0) -> None:
        super().__init__(cache_size=cache_size)
        self.distribution = distribution

    domain = constraints.dependent_property(lambda self: self.distribution.support)

    def with_cache(self, cache_size=1):
        if self._cache_size == cache_size:
            return self
        return type(self)(self.distribution, cache_size=cache_size)

    def _call(self, x):
        return self.distribution.cdf(x)

    def _inverse(self, y):
        return self.distribution.icdf(y)

    def log_abs_det_jacobian(self, x, y):
        return self.distribution.log_prob(x)


class _Blockwise(Transform):
    """Transforms ``tseq`` applied to consecutive blocks of a tensor along ``dim``; a
    subclass says how the blocks are cut (``_split``) and joined (``_join``)."""

    def __init__(self, tseq, dim: int = 0, cache_size: int = 0) -> None:
        if not all(isinstance(t, Transform) for t in tseq):
            raise AssertionError("All elements of tseq must be Transform instances")
        if cache_size:
            tseq = [t.with_cache(cache_size) for t in tseq]
        super().__init__(cache_size=cache_size)
        self.transforms = list(tseq)
        self.dim = dim

    bijective = property(lambda self: all(t.bijective for t in self.transforms))

    def _blocks(self, z, name: str) -> list:
        if not -z.dim() <= self.dim < z.dim():
            raise AssertionError(
                f"dim {self.dim} out of range for {name} with {z.dim()} dimensions"
            )
        if z.size(self.dim) != self._length():
            raise AssertionError(
                f"{name}.size({self.dim}) = {z.size(self.dim)} must equal {self._length_name} "
                f"{self._length()}"
            )
        return self._split(z)

    def _call(self, x):
        blocks = self._blocks(x, "x")
        return self._join([t(b) for t, b in zip(self.transforms, blocks)])

    def _inverse(self, y):
        blocks = self._blocks(y, "y")
        return self._join([t.inv(b) for t, b in zip(self.transforms, blocks)])


class CatTransform(_Blockwise):
    """``tseq[i]`` on the ``lengths[i]`` entries of its block along ``dim``, joined as
    ``torch.cat`` joins them."""

    _length_name = "length"

    def __init__(self, tseq, dim: int = 0, lengths=None, cache_size: int = 0) -> None:
        super().__init__(tseq, dim, cache_size)
        self.lengths = [1] * len(self.transforms) if lengths is None else list(lengths)
        if len(self.lengths) != len(self.transforms):
            raise AssertionError(
                f"lengths ({len(self.lengths)}) must match transforms ({len(self.transforms)})"
            )

    event_dim = property(lambda self: max(t.event_dim for t in self.transforms))
    length = property(lambda self: sum(self.lengths))
    domain = constraints.dependent_property(
        lambda self: constraints.cat([t.domain for t in self.transforms], self.dim, self.lengths)
    )
    codomain = constraints.dependent_property(
        lambda self: constraints.cat([t.codomain for t in self.transforms], self.dim, self.lengths)
    )

    def with_cache(self, cache_size=1):
        if self._cache_size == cache_size:
            return self
        return CatTransform(self.transforms, self.dim, self.lengths, cache_size)

    def _length(self) -> int:
        return self.length

    def _split(self, z) -> list:
        starts = [sum(self.lengths[:i]) for i in range(len(self.lengths))]
        return [z.narrow(self.dim, s, n) for s, n in zip(starts, self.lengths)]

    def _join(self, blocks):
        return _nt().cat(blocks, dim=self.dim)

    def log_abs_det_jacobian(self, x, y):
        terms = []
        for t, xb, yb in zip(self.transforms, self._blocks(x, "x"), self._blocks(y, "y")):
            terms.append(
                _sum_rightmost(t.log_abs_det_jacobian(xb, yb), self.event_dim - t.event_dim)
            )
        dim = (self.dim - x.dim() if self.dim >= 0 else self.dim) + self.event_dim
        # NOTE: blocks along an event dim were summed into one value each: they add up
        return _nt().cat(terms, dim=dim) if dim < 0 else sum(terms)


class StackTransform(_Blockwise):
    """``tseq[i]`` on the ``i``-th slice along ``dim``, joined as ``torch.stack`` joins them."""

    _length_name = "len(transforms)"

    domain = constraints.dependent_property(
        lambda self: constraints.stack([t.domain for t in self.transforms], self.dim)
    )
    codomain = constraints.dependent_property(
        lambda self: constraints.stack([t.codomain for t in self.transforms], self.dim)
    )

    def with_cache(self, cache_size=1):
        if self._cache_size == cache_size:
            return self
        return StackTransform(self.transforms, self.dim, cache_size)

    def _length(self) -> int:
        return len(self.transforms)

    def _split(self, z) -> list:
        return [z.select(self.dim, i) for i in range(z.size(self.dim))]

    def _join(self, blocks):
        return _nt().stack(blocks, dim=self.dim)

    def log_abs_det_jacobian(self, x, y):
        pairs = zip(self.transforms, self._blocks(x, "x"), self._blocks(y, "y"))
        return _nt().stack([t.log_abs_det_jacobian(xb, yb) for t, xb, yb in pairs], dim=self.dim)


class CorrCholeskyTransform(Transform):
    """Vectors of length D(D-1)/2 to Cholesky factors of D x D correlation matrices: ``tanh``
    into (-1, 1), then each row stick-broken (with signs) to unit length."""

    domain, codomain, bijective = constraints.real_vector, constraints.corr_cholesky, True

    def __eq__(self, other):
        return isinstance(other, CorrCholeskyTransform)

    __hash__ = Transform.__hash__

    def _call(self, x):
        eps = _nt().finfo(x.dtype).eps
        r = vec_to_tril_matrix(x.tanh().clamp(min=-1 + eps, max=1 - eps), diag=-1)
        # NOTE: y = sign(r) sqrt(z * cumprod(1 - z)) with z = r^2 is r * sqrt(cumprod(1 - z))
        remaining = (1 - r**2).sqrt().cumprod(-1)
        r = r + _nt().eye(r.shape[-1], dtype=r.dtype, device=r.device)
        return r * _nt().nn.functional.pad(remaining[..., :-1], [1, 0], value=1)

    def _inverse(self, y):
        left = 1 - (y * y).cumsum(-1)
        left = _nt().nn.functional.pad(left[..., :-1], [1, 0], value=1)
        t = tril_matrix_to_vec(y, diag=-1) / tril_matrix_to_vec(left, diag=-1).sqrt()
        return (t.log1p() - t.neg().log1p()) / 2

    def log_abs_det_jacobian(self, x, y, intermediates=None):
        left = tril_matrix_to_vec(1 - (y * y).cumsum(-1), diag=-2)
        stick_breaking = 0.5 * left.log().sum(-1)
        softplus = _nt().nn.functional.softplus
        tanh = -2 * (x + softplus(-2 * x) - math.log(2.0)).sum(-1)
        return stick_breaking + tanh

    def forward_shape(self, shape):
        if len(shape) < 1:
            raise ValueError("Too few dimensions on input")
        n = shape[-1]
        d = round((0.25 + 2 * n) ** 0.5 + 0.5)
        if d * (d - 1) // 2 != n:
            raise ValueError("Input is not a flattend lower-diagonal number")
        return shape[:-1] + (d, d)

    def inverse_shape(self, shape):
        if len(shape) < 2:
            raise ValueError("Too few dimensions on input")
        if shape[-2] != shape[-1]:
            raise ValueError("Input is not square")
        return shape[:-2] + (shape[-1] * (shape[-1] - 1) // 2,)
