"""The base class: shapes, ``sample`` through ``rsample``, and broadcasting of parameters."""

from __future__ import annotations

import numbers

from .._tensor import Size, Tensor
from . import constraints


def broadcast_all(*values):
    """Tensors of one broadcast shape; numbers become tensors of the tensors' (or the
    default) dtype."""
    import numtorch

    like = next((v for v in values if isinstance(v, Tensor)), None)
    dtype = like.dtype if like is not None else numtorch.get_default_dtype()
    tensors = [
        v if isinstance(v, Tensor) else numtorch.tensor(float(v), dtype=dtype) for v in values
    ]
    if not all(isinstance(v, (Tensor, numbers.Number)) for v in values):
        raise ValueError("Input arguments must all be instances of numbers.Number or Tensor.")
    return numtorch.broadcast_tensors(*tensors)


class Distribution:
    """A probability distribution with a batch shape (independent parameters) and an event
    shape (the shape of one draw)."""

    has_rsample = False
    has_enumerate_support = False
    arg_constraints: dict = {}
    # as PyTorch: checked unless Python runs with -O, or switched off per instance or globally
    _validate_args = __debug__

    @staticmethod
    def set_default_validate_args(value: bool) -> None:
        """Whether distributions check their parameters and the values they score."""
        if value not in (True, False):
            raise ValueError
        Distribution._validate_args = value

    def __init__(self, batch_shape=(), event_shape=(), validate_args=None):
        self._batch_shape = Size(batch_shape)
        self._event_shape = Size(event_shape)
        if validate_args is not None:
            self._validate_args = validate_args
        if self._validate_args:
            self._validate_parameters()

    def _validate_parameters(self) -> None:
        """Each parameter given satisfies its constraint. Derived ones (the ``logits`` of a
        ``Bernoulli`` built from ``probs``, a covariance computed on first use) are not
        checked, as in PyTorch; parameters that are properties (``LogNormal.loc``) are."""
        given = self.__dict__.get("arg_names")
        for param, constraint in self.arg_constraints.items():
            if constraints.is_dependent(constraint) or (given and param not in given):
                continue
            if param in self.__dict__:
                value = self.__dict__[param]
            elif isinstance(getattr(type(self), param, None), property):
                value = getattr(self, param)
            else:
                continue
            if not constraint.check(value).all():
                raise ValueError(
                    f"Expected parameter {param} ({type(value).__name__} of shape "
                    f"{tuple(value.shape)}) of distribution {self!r} to satisfy the constraint "
                    f"{constraint!r}, but found invalid values:\n{value}"
                )

    def _validate_sample(self, value) -> None:
        """``value`` broadcasts with the batch and event shapes and lies in the support."""
        if not isinstance(value, Tensor):
            raise ValueError("The value argument to log_prob must be a Tensor")
        start = value.dim() - len(self._event_shape)
        if value.shape[start:] != self._event_shape:
            raise ValueError(
                "The right-most size of value must match event_shape: "
                f"{value.shape} vs {self._event_shape}."
            )
        expected = self._batch_shape + self._event_shape
        for i, j in zip(reversed(value.shape), reversed(expected)):
            if i != 1 and j != 1 and i != j:
                raise ValueError(
                    "Value is not broadcastable with batch_shape+event_shape: "
                    f"{value.shape} vs {expected}."
                )
        support = self.support
        if not support.check(value).all():
            raise ValueError(
                f"Expected value argument ({type(value).__name__} of shape "
                f"{tuple(value.shape)}) to be within the support ({support!r}) of the "
                f"distribution {self!r}, but found invalid values:\n{value}"
            )

    @property
    def batch_shape(self) -> Size:
        return self._batch_shape

    @property
    def event_shape(self) -> Size:
        return self._event_shape

    @property
    def support(self):
        raise NotImplementedError(f"{type(self).__name__} does not define its support")

    @property
    def mean(self) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} does not implement mean")

    @property
    def mode(self) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} does not implement mode")

    @property
    def variance(self) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} does not implement variance")

    def expand(self, batch_shape, _instance=None):
        """The same distribution over a larger batch: each parameter broadcast (a view, no
        copy) to ``batch_shape``."""
        batch_shape = Size(batch_shape)
        new = _instance if _instance is not None else type(self).__new__(type(self))
        new.__dict__.update(self.__dict__)
        for name in getattr(self, "_expand_params", self.arg_names):
            value = getattr(self, name)
            setattr(new, name, value.expand(batch_shape + value.shape[len(self.batch_shape) :]))
        Distribution.__init__(new, batch_shape, self._event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def _extended_shape(self, sample_shape=()) -> Size:
        return Size(tuple(sample_shape)) + self._batch_shape + self._event_shape

    def sample(self, sample_shape=()) -> Tensor:
        import numtorch

        with numtorch.no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape=()) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} has no reparameterized sampler")

    def sample_n(self, n: int) -> Tensor:
        return self.sample(Size((n,)))

    def log_prob(self, value: Tensor) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} does not implement log_prob")

    def cdf(self, value) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} does not implement cdf")

    def icdf(self, value) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} does not implement icdf")

    def entropy(self) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} does not implement entropy")

    def perplexity(self) -> Tensor:
        return self.entropy().exp()

    @property
    def stddev(self) -> Tensor:
        return self.variance.sqrt()

    def __repr__(self):
        params = ", ".join(
            f"{k}: {v.shape if v.numel() > 1 else v}" for k, v in self._param_items()
        )
        return f"{type(self).__name__}({params})"

    def _param_items(self):
        return [(k, getattr(self, k)) for k in self.arg_names]
