"""The Tensor's ``new_*`` factory methods and legacy ``x.new(...)``: a new tensor in the
dtype and on the device of ``x`` unless told otherwise."""

from __future__ import annotations

from .._tensor import Tensor
from .creation import empty, full, legacy_constructor, ones, zeros
from .tensor_data import _finish, _from_data, parse_size

__all__ = []


def _new_factory(factory):
    def method(
        self,
        *args,
        dtype=None,
        device=None,
        requires_grad=False,
        layout=None,
        pin_memory=False,
        **kwargs,
    ):
        if "size" in kwargs:
            args = (kwargs.pop("size"),)
        size = parse_size(args, method.__name__)  # (its size errors are the generic ones)
        return factory(
            size,
            dtype=dtype or self.dtype,
            device=self.device if device is None else device,
            requires_grad=requires_grad,
            **kwargs,
        )

    method.__name__ = "new_" + factory.__name__
    return method


def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False, **kwargs):
    if isinstance(data, Tensor):
        data = data.detach()
    device = self.device if device is None else device
    return _finish(_from_data(data, dtype or self.dtype, device, copy=True), requires_grad)


def _new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False, **kw):
    device = self.device if device is None else device
    return full(
        size, fill_value, dtype=dtype or self.dtype, device=device, requires_grad=requires_grad
    )


def _new_empty_strided(self, size, stride, *, dtype=None, device=None, requires_grad=False, **kw):
    """An uninitialised tensor with ``size`` and ``stride``, over storage just big enough."""
    from .strided import as_strided

    size = tuple(int(s) for s in size)
    need = 0 if 0 in size else 1 + sum((n - 1) * st for n, st in zip(size, stride))
    base = empty(need, dtype=dtype or self.dtype, device=self.device if device is None else device)
    return _finish(as_strided(base, size, stride)._data, requires_grad)


# --- the Tensor's legacy constructor method --------------------------------------------------
def new(self: Tensor, *args, device=None) -> Tensor:
    """Legacy ``x.new(...)``: ``new(2, 3)`` an uninitialised (here zero) tensor, ``new(data)``
    a tensor of the data, in ``x``'s dtype."""
    if len(args) == 1 and isinstance(args[0], Tensor) and args[0].dtype is not self.dtype:
        raise TypeError(f"expected {self.dtype} (got {args[0].dtype})")
    out = Tensor.__new__(Tensor)
    legacy_constructor(out, args, device if device is not None else self.device, dtype=self.dtype)
    return out


METHODS = {
    "new_empty_strided": _new_empty_strided,
    "new_zeros": _new_factory(zeros),
    "new_ones": _new_factory(ones),
    "new_empty": _new_factory(empty),
    "new_full": _new_full,
    "new_tensor": new_tensor,
    "new": new,
}
