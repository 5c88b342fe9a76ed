"""``Parameter``: a Tensor that a Module registers as one of its learnable weights."""

from __future__ import annotations

from .._tensor import Tensor, _new
from ..ops.creation import empty

__all__ = ["Parameter", "UninitializedParameter", "UninitializedBuffer", "Buffer", "is_lazy"]


def _adopt(cls, data: Tensor, requires_grad: bool):
    """A new ``cls`` instance sharing ``data``'s array (no copy), as a fresh leaf."""
    p = _new(cls)
    p._data = data._data
    p._rg = bool(requires_grad)
    p.grad_fn = None
    p._output_nr = 0
    p._grad = None
    p._vc = [0]
    p._base = None
    p._view = None
    p._meta = None
    return p


class Parameter(Tensor):
    """A Tensor that is a Module's learnable weight: assigning it as a Module attribute
    registers it in ``parameters()``.

    Args:
        data: the initial values (shared, not copied). Default: an empty tensor.
        requires_grad: whether it requires gradient. Default: True.

    Examples:
        >>> p = nn.Parameter(numtorch.zeros(2))
        >>> p.requires_grad
        True
    """

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True):
        if data is None:
            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(
                f"Parameter(): argument 'data' must be Tensor, not {type(data).__name__}"
            )
        if requires_grad and data._data.dtype.kind not in "fcV":
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients"
            )
        return _adopt(cls, data, requires_grad)

    def __init__(self, data=None, requires_grad=True):
        pass

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(Tensor.__deepcopy__(self, {}), self._rg)
        if self._grad is not None:
            result._grad = self._grad.__deepcopy__({})
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, protocol):
        return (_rebuild_parameter, (self.detach(), self._rg))


def _rebuild_parameter(data, requires_grad):
    return Parameter(data, requires_grad)


class UninitializedTensorMixin:
    """A placeholder with no shape yet; ``materialize(shape)`` gives it one (lazy modules)."""

    __slots__ = ()

    def materialize(self, shape, device=None, dtype=None) -> None:
        """Give this placeholder ``shape`` (uninitialised values) and make it a plain
        Parameter (or Tensor for a buffer)."""
        if isinstance(shape, int):
            shape = (shape,)
        self._data = empty(tuple(shape), dtype=dtype or self.dtype)._data
        self.__class__ = self.cls_to_become

    @property
    def shape(self):
        raise RuntimeError(
            "Can't access the shape of an uninitialized parameter or buffer. This error usually "
            "happens in `load_state_dict` when trying to load an uninitialized parameter into an "
            "initialized one. Call `forward` to initialize the parameters before accessing their "
            "attributes."
        )

    def numel(self):
        raise RuntimeError(
            "Can't access the shape of an uninitialized parameter or buffer. Call `forward` to "
            "initialize the parameters before accessing their attributes."
        )

    def __repr__(self):
        return f"<{type(self).__name__}>"


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """A Parameter whose shape is not known yet (the weight of a ``Lazy*`` layer)."""

    cls_to_become = Parameter

    def __new__(cls, requires_grad: bool = True, device=None, dtype=None):
        return _adopt(cls, empty(0, dtype=dtype), requires_grad)

    def __init__(self, requires_grad=True, device=None, dtype=None):
        pass

    def __deepcopy__(self, memo):
        if id(self) not in memo:
            memo[id(self)] = type(self)(self._rg, None, self.dtype)
        return memo[id(self)]


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """A buffer whose shape is not known yet."""

    __slots__ = ()

    cls_to_become = Tensor

    def __new__(cls, requires_grad: bool = False, device=None, dtype=None):
        return _adopt(cls, empty(0, dtype=dtype), requires_grad)

    def __init__(self, requires_grad=False, device=None, dtype=None):
        pass


class Buffer:
    """Marks a tensor as a buffer when assigned as a Module attribute:
    ``self.running = nn.Buffer(t, persistent=False)``."""

    def __new__(cls, data: Tensor | None = None, *, persistent: bool = True):
        if data is None:
            data = empty(0)
        t = data.detach()
        t._meta_of().buffer_persistent = persistent
        return t


def is_lazy(param) -> bool:
    """Whether ``param`` is a not yet materialised placeholder."""
    return isinstance(param, UninitializedTensorMixin)
