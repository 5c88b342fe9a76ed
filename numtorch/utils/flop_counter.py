"""``torch.utils.flop_counter``: ``FlopCounterMode`` counts the FLOPs of matrix products
(mm, addmm, bmm, matmul) and convolutions, forward and backward, as PyTorch counts them.
Counts are kept per op name (``"aten.mm"``) under ``"Global"``; the per-module breakdown is
not recorded, and other ops count zero, as in PyTorch."""

from __future__ import annotations

import math
from collections import defaultdict

from ..autograd.function import Primitive
from ..ops.blas import Bmm, Linear, Matmul, Mm
from ..ops.nn.conv_ops import Convolution

__all__ = ["FlopCounterMode"]

_COUNTERS: list = []  # the modes now counting


def _mm_flops(x, y) -> tuple[str, int]:
    if x.ndim < 2 or y.ndim < 2:
        return "", 0  # matrix-vector products are not counted by PyTorch either
    bx, by = x.shape[:-2], y.shape[:-2]
    width = max(len(bx), len(by))
    bx, by = (1,) * (width - len(bx)) + bx, (1,) * (width - len(by)) + by
    batch = math.prod(max(a, b) for a, b in zip(bx, by))
    # PyTorch folds a batched left operand times a matrix into one mm; else it uses bmm
    name = "aten.mm" if y.ndim == 2 else "aten.bmm"
    return name, 2 * batch * x.shape[-2] * x.shape[-1] * y.shape[-1]


def _forward_flops(cls, args) -> tuple[str, int, str]:
    """(forward op name, its FLOPs, the backward op's name)."""
    x, w = args[0]._data, args[1]._data
    if issubclass(cls, Convolution):
        out_spatial = math.prod(_conv_out(x.shape[2:], w.shape[2:], *args[3:6]))
        flops = 2 * x.shape[0] * w.shape[0] * out_spatial * math.prod(w.shape[1:])
        return "aten.convolution", flops, "aten.convolution_backward"
    if issubclass(cls, Linear):
        rows = math.prod(x.shape[:-1])
        name = "aten.mm" if args[2] is None else "aten.addmm"
        return name, 2 * rows * w.shape[0] * w.shape[1], "aten.mm"
    name, flops = _mm_flops(x, w)
    return name, flops, name


def _conv_out(spatial, kernel, stride, pads, dilation):
    return [
        (s + lo + hi - d * (k - 1) - 1) // st + 1
        for s, k, st, (lo, hi), d in zip(spatial, kernel, stride, pads, dilation)
    ]


def _counted_apply(cls, *args):
    out = Primitive.apply.__func__(cls, *args)
    name, flops, backward_name = _forward_flops(cls, args)
    if flops:
        for counter in _COUNTERS:
            counter._add(name, flops)
        node = (out[0] if isinstance(out, tuple) else out).grad_fn
        if node is not None:
            for counter in _COUNTERS:
                counter._pending[id(node)] = (node, backward_name, flops)
    return out


def _counted_backward(plain):
    def backward(ctx, *grads):
        for counter in _COUNTERS:
            entry = counter._pending.pop(id(ctx), None)
            if entry is not None and entry[0] is ctx:
                counter._add(entry[1], entry[2] * sum(map(bool, ctx.needs_input_grad[:2])))
        return plain(ctx, *grads)

    backward.__wrapped__ = plain
    return backward


_PATCH_APPLY = (Mm, Linear, Matmul, Convolution)
_PATCH_BACKWARD = (Mm, Bmm, Linear, Matmul, Convolution)


class FlopCounterMode:
    """``with FlopCounterMode() as counter:`` counts FLOPs of what runs inside;
    ``get_total_flops()``, ``get_flop_counts()``; ``display=True`` prints a summary on exit."""

    def __init__(self, mods=None, depth: int = 2, display: bool = True, custom_mapping=None):
        if custom_mapping:
            raise NotImplementedError(
                "FlopCounterMode(custom_mapping=...) is not supported by numtorch: it counts "
                "matrix products and convolutions only."
            )
        self.depth, self.display = depth, display
        self.flop_counts: dict = defaultdict(lambda: defaultdict(int))
        self._pending: dict = {}

    def _add(self, name: str, flops: int) -> None:
        self.flop_counts["Global"][name] += flops

    def get_total_flops(self) -> int:
        return sum(self.flop_counts["Global"].values())

    def get_flop_counts(self) -> dict:
        """``{"Global": {op name: FLOPs}}``."""
        return {k: dict(v) for k, v in self.flop_counts.items()}

    def get_table(self, depth=None) -> str:
        lines = [f"{'Module':<20}{'FLOP':>14}{'% Total':>10}"]
        total = self.get_total_flops() or 1
        lines.append(f"{'Global':<20}{self.get_total_flops():>14,}{100.0:>9.2f}%")
        for name, flops in self.flop_counts["Global"].items():
            lines.append(f"{' - ' + name:<20}{flops:>14,}{100 * flops / total:>9.2f}%")
        return "\n".join(lines)

    def __enter__(self):
        self.flop_counts.clear()
        if not _COUNTERS:
            for cls in _PATCH_APPLY:
                cls.apply = classmethod(_counted_apply)
            for cls in _PATCH_BACKWARD:
                cls.backward = _counted_backward(cls.__dict__["backward"])
        _COUNTERS.append(self)
        return self

    def __exit__(self, *exc):
        _COUNTERS.remove(self)
        if not _COUNTERS:
            for cls in _PATCH_APPLY:
                del cls.apply
            for cls in _PATCH_BACKWARD:
                cls.backward = cls.__dict__["backward"].__wrapped__
        self._pending.clear()
        if self.display:
            print(self.get_table(self.depth))
        return False
