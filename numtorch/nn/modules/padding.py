"""Padding layers (``ZeroPad2d``, ``ReflectionPad1d`` ...) and ``Fold``/``Unfold``: thin shells
over ``F.pad``, ``F.fold`` and ``F.unfold``."""

from __future__ import annotations

from ..._tensor import Tensor
from ...ops.nn import conv as F
from .module import Module

__all__ = []


def _padding(padding, n: int) -> tuple:
    """An int pads every side; a tuple gives (left, right, top, bottom, front, back)."""
    if isinstance(padding, int):
        return (padding,) * (2 * n)
    padding = tuple(padding)
    if len(padding) != 2 * n:
        raise ValueError(f"padding must be an int or a {2 * n}-tuple, got {padding}")
    return padding


class _PadNd(Module):
    _nd = 1
    _mode = "constant"

    def __init__(self, padding) -> None:
        super().__init__()
        self.padding = _padding(padding, self._nd)

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding, value: float) -> None:
        super().__init__(padding)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class _ZeroPadNd(_ConstantPadNd):
    def __init__(self, padding) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


def _family(prefix: str, base, mode: str | None = None):
    for nd in (1, 2, 3):
        attrs = {
            "_nd": nd,
            "__module__": __name__,
            "__doc__": f"{prefix}{nd}d: pads the last {nd} dimension(s) of the input.",
        }
        if mode is not None:
            attrs["_mode"] = mode
        name = f"{prefix}{nd}d"
        globals()[name] = type(name, (base,), attrs)
        __all__.append(name)


_family("ZeroPad", _ZeroPadNd)
_family("ConstantPad", _ConstantPadNd)
_family("ReflectionPad", _PadNd, "reflect")
_family("ReplicationPad", _PadNd, "replicate")
_family("CircularPad", _PadNd, "circular")


class Fold(Module):
    """Combines sliding local blocks ``(N, C*prod(kernel_size), L)`` into ``(N, C, *output_size)``
    (summing where blocks overlap): the adjoint of ``Unfold``."""

    __constants__ = ["output_size", "kernel_size", "dilation", "padding", "stride"]

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1) -> None:
        super().__init__()
        self.output_size, self.kernel_size = output_size, kernel_size
        self.dilation, self.padding, self.stride = dilation, padding, stride

    def forward(self, input: Tensor) -> Tensor:
        return F.fold(
            input, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride
        )

    def extra_repr(self) -> str:
        return (
            "output_size={output_size}, kernel_size={kernel_size}, dilation={dilation}, "
            "padding={padding}, stride={stride}".format(**self.__dict__)
        )


class Unfold(Module):
    """Extracts sliding local blocks from ``(N, C, *spatial)`` as ``(N, C*prod(kernel), L)``."""

    __constants__ = ["kernel_size", "dilation", "padding", "stride"]

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1) -> None:
        super().__init__()
        self.kernel_size, self.dilation, self.padding, self.stride = (
            kernel_size,
            dilation,
            padding,
            stride,
        )

    def forward(self, input: Tensor) -> Tensor:
        return F.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return (
            "kernel_size={kernel_size}, dilation={dilation}, padding={padding}, "
            "stride={stride}".format(**self.__dict__)
        )


__all__ += ["Fold", "Unfold"]
