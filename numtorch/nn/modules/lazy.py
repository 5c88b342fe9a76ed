"""``LazyModuleMixin``: a layer whose parameter shapes come from the first input it sees.

A lazy layer is built with ``UninitializedParameter``/``UninitializedBuffer`` tensors. Its first
forward call runs the layer's ``initialize_parameters(*input)``, which materialises them with
the input's sizes and initialises them as the plain layer would; the module then becomes
``cls_to_become`` (``LazyLinear`` becomes ``Linear``), as in PyTorch.
"""

from __future__ import annotations

import itertools

from ...autograd.grad_mode import no_grad
from ..parameter import is_lazy

__all__ = ["LazyModuleMixin"]


class LazyModuleMixin:
    """Mix in before the plain layer (``class LazyLinear(LazyModuleMixin, Linear)``) and define
    ``initialize_parameters`` and ``cls_to_become``."""

    cls_to_become = None

    def has_uninitialized_params(self) -> bool:
        tensors = itertools.chain(self._parameters.values(), self._buffers.values())
        return any(is_lazy(t) for t in tensors)

    def initialize_parameters(self, *args, **kwargs) -> None:
        raise NotImplementedError(
            f"{type(self).__name__} must define initialize_parameters(input) to be lazy"
        )

    def forward(self, *args, **kwargs):
        if self.has_uninitialized_params():
            with no_grad():
                self.initialize_parameters(*args, **kwargs)
        self.__class__ = self.cls_to_become
        return self.forward(*args, **kwargs)
