"""``MultivariateNormal``: the Gaussian over vectors, parameterized by a covariance matrix, a
precision matrix or a lower-triangular scale factor (``covariance = L @ L.mT``)."""

from __future__ import annotations

import math

from .._lazy import nt as _nt
from .._tensor import Size, Tensor
from . import constraints
from .distribution import Distribution

_MATRICES = ("covariance_matrix", "precision_matrix", "scale_tril")


def _precision_to_scale_tril(precision):
    """The lower Cholesky factor of ``precision``'s inverse, from the Cholesky factor of the
    flipped precision (no explicit inverse: better conditioned)."""
    nt = _nt()
    flipped = nt.linalg.cholesky(nt.flip(precision, (-2, -1)))
    inverse_of_l = nt.flip(flipped, (-2, -1)).transpose(-2, -1)
    eye = nt.eye(precision.shape[-1], dtype=precision.dtype, device=precision.device)
    return nt.linalg.solve_triangular(inverse_of_l, eye, upper=False)


def _batch_mahalanobis(tril, diff):
    """The squared Mahalanobis distance ``|L^-1 diff|^2``, by a triangular solve."""
    shape = _nt().broadcast_shapes(tril.shape[:-2], diff.shape[:-1])
    tril = tril.expand(shape + tril.shape[-2:])
    solved = _nt().linalg.solve_triangular(
        tril, diff.expand(shape + diff.shape[-1:]).unsqueeze(-1), upper=False
    )
    return solved.squeeze(-1).pow(2).sum(-1)


def _given_matrix(covariance_matrix, precision_matrix, scale_tril):
    given = [
        (name, m)
        for name, m in zip(_MATRICES, (covariance_matrix, precision_matrix, scale_tril))
        if m is not None
    ]
    if len(given) != 1:
        raise ValueError(
            "Exactly one of covariance_matrix or precision_matrix or scale_tril may be specified."
        )
    name, matrix = given[0]
    if matrix.dim() < 2:
        raise ValueError(
            f"{'scale_tril matrix' if name == 'scale_tril' else name} must be at least "
            "two-dimensional, with optional leading batch dimensions"
        )
    return name, matrix


class MultivariateNormal(Distribution):
    """``loc + L @ eps`` for standard normal ``eps``, where ``L`` is the lower Cholesky factor
    of the covariance. Exactly one of ``covariance_matrix``, ``precision_matrix`` or
    ``scale_tril`` is given; batch dims of ``loc`` and the matrix broadcast."""

    arg_constraints = {
        "loc": constraints.real_vector,
        "covariance_matrix": constraints.positive_definite,
        "precision_matrix": constraints.positive_definite,
        "scale_tril": constraints.lower_cholesky,
    }
    support = constraints.real_vector
    has_rsample = True

    def __init__(
        self,
        loc,
        covariance_matrix=None,
        precision_matrix=None,
        scale_tril=None,
        validate_args=None,
    ):
        if loc.dim() < 1:
            raise ValueError("loc must be at least one-dimensional.")
        name, matrix = _given_matrix(covariance_matrix, precision_matrix, scale_tril)
        batch_shape = _nt().broadcast_shapes(matrix.shape[:-2], loc.shape[:-1])
        setattr(self, name, matrix.expand(batch_shape + (-1, -1)))
        self._given = name
        self.loc = loc.expand(batch_shape + (-1,))
        super().__init__(batch_shape, self.loc.shape[-1:], validate_args=validate_args)
        if name == "scale_tril":
            self._unbroadcasted_scale_tril = matrix
        elif name == "covariance_matrix":
            self._unbroadcasted_scale_tril = _nt().linalg.cholesky(matrix)
        else:
            self._unbroadcasted_scale_tril = _precision_to_scale_tril(matrix)

    def __getattr__(self, name):
        # the two matrices not given are computed from the Cholesky factor on first use
        if name not in _MATRICES or "_unbroadcasted_scale_tril" not in self.__dict__:
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")
        tril = self._unbroadcasted_scale_tril
        if name == "scale_tril":
            value = tril
        elif name == "covariance_matrix":
            value = tril @ tril.mT
        else:
            value = _nt().cholesky_inverse(tril)
        value = value.expand(self._batch_shape + self._event_shape + self._event_shape)
        setattr(self, name, value)
        return value

    def _param_items(self):
        # PyTorch prints the matrices computed so far as well as the one given
        return [(k, self.__dict__[k]) for k in self.arg_constraints if k in self.__dict__]

    def expand(self, batch_shape, _instance=None):
        batch_shape = Size(batch_shape)
        new = type(self).__new__(type(self))
        new.loc = self.loc.expand(batch_shape + self._event_shape)
        new._unbroadcasted_scale_tril = self._unbroadcasted_scale_tril
        new._given = self._given
        matrix = getattr(self, self._given)
        setattr(new, self._given, matrix.expand(batch_shape + self._event_shape * 2))
        Distribution.__init__(new, batch_shape, self._event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    mean = property(lambda self: self.loc)
    mode = property(lambda self: self.loc)

    @property
    def variance(self) -> Tensor:
        shape = self._batch_shape + self._event_shape
        return self._unbroadcasted_scale_tril.pow(2).sum(-1).expand(shape)

    def rsample(self, sample_shape=()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        eps = _nt().empty(shape, dtype=self.loc.dtype, device=self.loc.device).normal_()
        return self.loc + (self._unbroadcasted_scale_tril @ eps.unsqueeze(-1)).squeeze(-1)

    def _half_log_det(self) -> Tensor:
        return self._unbroadcasted_scale_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)

    def log_prob(self, value) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        mahalanobis = _batch_mahalanobis(self._unbroadcasted_scale_tril, value - self.loc)
        k = self._event_shape[0]
        return -0.5 * (k * math.log(2 * math.pi) + mahalanobis) - self._half_log_det()

    def entropy(self) -> Tensor:
        k = self._event_shape[0]
        h = 0.5 * k * (1.0 + math.log(2 * math.pi)) + self._half_log_det()
        return h if len(self._batch_shape) == 0 else h.expand(self._batch_shape)
