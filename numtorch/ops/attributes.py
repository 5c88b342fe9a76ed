"""The Tensor attributes and queries programs read (``nbytes``, ``itemsize``, ``is_cpu``,
``output_nr``, ``dim_order`` ...), the legacy element-wise ``apply_``/``map_``, ``set_``, and
the ``torch.*`` spellings of a few queries (``torch.detach``, ``torch.is_inference``)."""

from __future__ import annotations

from .._backend import array_module
from .._tensor import Tensor

__all__ = ["detach", "is_inference", "get_device"]


# --- Tensor attributes ----------------------------------------------------------------------
def _dim_order(self: Tensor, *, ambiguity_check=False) -> tuple:
    """The dims from outermost to innermost in memory (by decreasing stride)."""
    strides = self.stride()
    return tuple(sorted(range(self.ndim), key=lambda d: -strides[d]))


def _is_set_to(self: Tensor, tensor: Tensor) -> bool:
    a, b = self._data, tensor._data
    return (
        a.shape == b.shape
        and a.strides == b.strides
        and a.dtype == b.dtype
        and self.data_ptr() == tensor.data_ptr()
    )


def _set_(self: Tensor, source: Tensor | None = None) -> Tensor:
    """Make this tensor share ``source``'s memory, shape and version counter (an empty tensor
    when no source)."""
    if source is None:
        self._data = self._data[:0].reshape(0) if self._data.size else self._data.reshape(0)
        return self
    if source.dtype is not self.dtype:
        raise RuntimeError(
            f"Could not set tensor of type {source.dtype.name} to a tensor of type "
            f"{self.dtype.name}"
        )
    self._data = source._data
    self._vc = source._vc
    return self


def _apply_(self: Tensor, callable) -> Tensor:
    """Legacy: replace every element by ``callable(element)`` (Python numbers; no autograd)."""
    if self._rg:
        raise RuntimeError("apply_ is only implemented on CPU tensors and with requires_grad=False")
    values = [callable(v) for v in self._data.reshape(-1).tolist()]
    xp = array_module(self._data)
    self._data[...] = xp.asarray(values, dtype=self._data.dtype).reshape(self._data.shape)
    self._vc[0] += 1
    return self


def _map_(self: Tensor, tensor: Tensor, callable) -> Tensor:
    """Legacy: ``self[i] = callable(self[i], tensor[i])`` (``tensor`` broadcast)."""
    other = tensor.expand(self.shape)._data.reshape(-1).tolist()
    values = [callable(a, b) for a, b in zip(self._data.reshape(-1).tolist(), other)]
    out = self.new_tensor(values).reshape(self.shape)
    self._data[...] = out._data
    self._vc[0] += 1
    return self


def detach(input: Tensor) -> Tensor:
    return input.detach()


def is_inference(input: Tensor) -> bool:
    return input.is_inference()


def get_device(input: Tensor) -> int:
    return input.get_device()


METHODS = {
    "nbytes": property(lambda self: self._data.nbytes),
    "itemsize": property(lambda self: self._data.itemsize),
    "is_cpu": property(lambda self: self.device.type == "cpu"),
    "is_meta": property(lambda self: False),
    # layouts and backends numtorch does not have: always dense, CPU (or CUDA) tensors
    **{
        flag: property(lambda self: False)
        for flag in (
            "is_sparse",
            "is_sparse_csr",
            "is_quantized",
            "is_nested",
            "is_mkldnn",
            "is_mps",
            "is_xla",
            "is_xpu",
            "is_ipu",
            "is_vulkan",
            "is_maia",
            "is_mtia",
        )
    },
    "name": property(lambda self: None),
    "output_nr": property(lambda self: self._output_nr),
    "is_pinned": lambda self, device=None: False,
    "pin_memory": lambda self, device=None: self,
    "share_memory_": lambda self: self,
    "is_shared": lambda self: False,
    "const_data_ptr": lambda self: self.data_ptr(),
    "dim_order": _dim_order,
    "is_set_to": _is_set_to,
    "set_": _set_,
    "apply_": _apply_,
    "map_": _map_,
}
