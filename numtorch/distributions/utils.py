"""Helpers the distributions share, as ``torch.distributions.utils`` names them."""

from __future__ import annotations

import functools

from .._lazy import nt as _nt
from .distribution import broadcast_all  # noqa: F401 - PyTorch's home of it

euler_constant = 0.57721566490153286060  # Euler-Mascheroni constant


def clamp_probs(probs):
    """``probs`` kept ``eps`` away from 0 and 1, so that their logarithms are finite."""
    eps = _nt().finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs, is_binary=False):
    """Log-probabilities (log-odds where ``is_binary``) of clamped ``probs``."""
    p = clamp_probs(probs)
    return (p.log() - (-p).log1p()) if is_binary else p.log()


def logits_to_probs(logits, is_binary=False):
    """``sigmoid`` of log-odds where ``is_binary``, else ``softmax`` over the last dim."""
    return logits.sigmoid() if is_binary else logits.softmax(-1)


class lazy_property:
    """A property computed on first access (with gradients enabled) and then stored on the
    instance, for parameters derived from others (PyTorch's ``Bernoulli.logits``)."""

    def __init__(self, wrapped):
        self.wrapped = wrapped
        functools.update_wrapper(self, wrapped)

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        with _nt().enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value


def _sum_rightmost(value, dim: int):
    """``value`` summed over its ``dim`` rightmost dims."""
    if dim == 0:
        return value
    return value.reshape(value.shape[: value.dim() - dim] + (-1,)).sum(-1)


def _tril_mask(n: int, diag: int, device):
    arange = _nt().arange(n, device=device)
    return arange < arange.view(-1, 1) + (diag + 1)


def tril_matrix_to_vec(mat, diag: int = 0):
    """The entries on and below diagonal ``diag`` of the last two dims, row by row."""
    n = mat.shape[-1]
    if diag < -n or diag >= n:
        raise ValueError(f"diag ({diag}) provided is outside [{-n}, {n - 1}].")
    return mat[..., _tril_mask(n, diag, mat.device)]


def vec_to_tril_matrix(vec, diag: int = 0):
    """The square matrix whose entries on and below diagonal ``diag`` are ``vec``, row by row
    (zeros elsewhere): the inverse of ``tril_matrix_to_vec``."""
    k = 1 + 2 * diag
    n = (-k + (k**2 + 8 * vec.shape[-1] + 4 * abs(diag) * (diag + 1)) ** 0.5) / 2
    if round(n) - n > _nt().finfo(vec.dtype).eps:
        raise ValueError(
            f"The size of last dimension is {vec.shape[-1]} which cannot be expressed as the "
            "lower triangular part of a square D x D matrix."
        )
    n = round(n)
    mat = vec.new_zeros(vec.shape[:-1] + (n, n))
    mat[..., _tril_mask(n, diag, vec.device)] = vec
    return mat
