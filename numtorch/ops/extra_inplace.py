"""In-place forms that were missing (``x.logical_and_(y)``, ``x.lgamma_()`` ...), the
``torch.*`` spellings of in-place methods (``torch.relu_(x)``, ``torch.exp_(x)``), and the
Tensor attributes programs read (``nbytes``, ``itemsize``, ``is_cpu``, ``output_nr`` ...).

Every in-place form here runs the out-of-place op through ``inplace`` (inplace.py), which
keeps autograd and the version counter right and refuses a result of a higher category than
the tensor (a float result into an int tensor).
"""

from __future__ import annotations

import warnings

from .._backend import array_module
from .._tensor import Tensor
from .inplace import inplace

__all__ = ["fill", "igamma", "igammac", "isreal", "index_reduce"]

# Tensor methods whose in-place form is ``inplace(self, method, *args)``.
_INPLACE_OF = (
    "bitwise_and",
    "bitwise_or",
    "bitwise_xor",
    "bitwise_not",
    "bitwise_left_shift",
    "bitwise_right_shift",
    "logical_and",
    "logical_or",
    "logical_xor",
    "greater",
    "greater_equal",
    "less",
    "less_equal",
    "not_equal",
    "digamma",
    "lgamma",
    "polygamma",
    "mvlgamma",
    "i0",
    "logit",
    "igamma",
    "igammac",
    "addmm",
)

# ``torch.<name>_(x, ...)`` is ``x.<name>_(...)`` for these.
_TORCH_LEVEL_INPLACE = (
    "abs_",
    "acos_",
    "acosh_",
    "arccos_",
    "arccosh_",
    "arcsin_",
    "arcsinh_",
    "arctan_",
    "arctanh_",
    "asin_",
    "asinh_",
    "atan_",
    "atanh_",
    "ceil_",
    "clamp_",
    "clamp_max_",
    "clamp_min_",
    "clip_",
    "cos_",
    "cosh_",
    "deg2rad_",
    "detach_",
    "erf_",
    "erfc_",
    "exp2_",
    "exp_",
    "expm1_",
    "fill_",
    "fix_",
    "floor_",
    "frac_",
    "i0_",
    "index_put_",
    "log10_",
    "log1p_",
    "log2_",
    "log_",
    "logit_",
    "nan_to_num_",
    "neg_",
    "negative_",
    "rad2deg_",
    "reciprocal_",
    "resize_as_",
    "round_",
    "rsqrt_",
    "sigmoid_",
    "sin_",
    "sinc_",
    "sinh_",
    "sqrt_",
    "square_",
    "tan_",
    "tanh_",
    "trunc_",
    "xlogy_",
    "zero_",
    "as_strided_",
    "conj_physical_",
)


def _inplace_method(name: str):
    def method(self, *args, **kwargs):
        return inplace(self, getattr(Tensor, name), *args, **kwargs)

    method.__name__ = name + "_"
    return method


def _torch_level(name: str):
    def fn(input, *args, **kwargs):
        return getattr(input, name)(*args, **kwargs)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``input.{name}(...)``, in place."
    return fn


def float_power_(self: Tensor, exponent) -> Tensor:
    """In place; the tensor must already be float64 (or complex128), the result's dtype."""
    if self.dtype.name not in ("float64", "complex128"):
        raise RuntimeError(
            f"the base given to float_power_ has dtype {self.dtype.legacy_name[6:-6]} but the "
            "operation's result requires dtype Double"
        )
    return inplace(self, Tensor.float_power, exponent)


# --- new functions --------------------------------------------------------------------------
def fill(input: Tensor, value) -> Tensor:
    """A copy of ``input`` with every element ``value``."""
    return input.clone().fill_(value)


def igamma(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """The regularised lower incomplete gamma function P(input, other)."""
    from .. import special

    return special.gammainc(input, other, out=out)


def igammac(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """The regularised upper incomplete gamma function Q(input, other)."""
    from .. import special

    return special.gammaincc(input, other, out=out)


def isreal(input: Tensor) -> Tensor:
    """True where the element has no imaginary part (everywhere, for a real tensor)."""
    if input.is_complex():
        return input.imag == 0
    return input.new_ones(input.shape).bool()


_INDEX_REDUCE_WARNED = []


def index_reduce(
    input: Tensor,
    dim: int,
    index: Tensor,
    source: Tensor,
    reduce: str,
    *,
    include_self: bool = True,
) -> Tensor:
    """A copy of ``input`` with ``source``'s slices along ``dim`` reduced into the slices that
    ``index`` names ('prod', 'mean', 'amax' or 'amin')."""
    if not _INDEX_REDUCE_WARNED:
        _INDEX_REDUCE_WARNED.append(True)
        warnings.warn(
            "index_reduce() is in beta and the API may change at any time.",
            UserWarning,
            stacklevel=2,
        )
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(
            f"index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got "
            f"{reduce}."
        )
    if index.ndim > 1:
        raise IndexError("index_reduce_(): Index is supposed to be a vector")
    d = dim % max(source.ndim, 1)
    shape = [1] * source.ndim
    if source.ndim:
        shape[d] = -1
    # NOTE: index_reduce along dim is scatter_reduce with the index repeated over the other dims
    expanded = index.reshape(shape).expand(source.shape) if source.ndim else index.reshape(())
    return input.scatter_reduce(d, expanded, source, reduce, include_self=include_self)


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


METHODS = {name + "_": _inplace_method(name) for name in _INPLACE_OF}
METHODS.update(
    {
        "float_power_": float_power_,
        "igamma": igamma,
        "igammac": igammac,
        "isreal": isreal,
        "index_reduce": index_reduce,
        "index_reduce_": lambda self, dim, index, source, reduce, *, include_self=True: inplace(
            self, index_reduce, dim, index, source, reduce, include_self=include_self
        ),
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
)
for _name in _TORCH_LEVEL_INPLACE:
    globals()[_name] = _torch_level(_name)
    __all__.append(_name)
del _name
