"""autocast's dispatch: PyTorch's op lists per device, and the casts made when an op is called.

An op is named here by its autograd node's PyTorch name (``MmBackward0`` is ``mm``'s,
``ConvolutionBackward0`` every convolution's), so one table serves every route to the op: the
torch function, the Tensor method, the operator and the nn module. ``Primitive.apply`` calls
``cast_args`` only while some autocast region is enabled (``REGION.active``): with autocast
off, an op pays that one flag check.

The lists follow PyTorch 2.13's ``autocast_mode.cpp``: ``LOWER`` ops cast their floating inputs
(float64 excepted) to the autocast dtype, ``FP32`` ops cast them to float32, ``PROMOTE`` ops cast
them to the widest floating dtype among them, and ``BANNED`` ops refuse to run.

An op PyTorch lists that numtorch composes of other primitives (``cross_entropy``,
``linalg.vecdot``) has no node of its own: its function passes its tensor arguments through
``op_inputs("name", ...)`` on entry, which casts them by the op's name in the same tables.
PyTorch casts there too and runs the op's pieces without autocast; numtorch's pieces then find
their inputs cast already, and a composite whose pieces are listed themselves (``lstsq``'s
products, ``vecdot``'s sum on CUDA) runs them in ``suspended()``. A primitive that PyTorch
reaches only inside a listed op keeps off the lists: ``mv`` and ``dot`` cast on the CPU when
``matmul`` calls them, not when called directly.
"""

from __future__ import annotations

from . import _dtype

_MATMUL = {"MmBackward0", "BmmBackward0", "AddmmBackward0", "AddbmmBackward0"}
_MATMUL |= {"matmul"}  # a node's ``_autocast_name``, where its node name is not the op's
_MATMUL |= {"BaddbmmBackward0", "ConvolutionBackward0", "vecdot"}
_MATMUL |= {"PreluKernelBackward0", "MkldnnRnnLayerBackward0"}
_LOSSES = {"MseLossBackward0", "NllLossBackward0", "NllLoss2DBackward0", "HuberLossBackward0"}
_LOSSES |= {"SmoothL1LossBackward0", "SoftMarginLossBackward0", "MultiMarginLossBackward0"}
_LOSSES |= {"BinaryCrossEntropyWithLogitsBackward0", "CtcLossBackward0", "CdistBackward0"}
_LOSSES |= {"cdist"}
_LOSSES |= {"cross_entropy_loss", "l1_loss", "kl_div", "margin_ranking_loss"}
_LOSSES |= {"cosine_embedding_loss", "hinge_embedding_loss", "poisson_nll_loss"}
_LOSSES |= {"triplet_margin_loss", "multilabel_margin_loss"}
# listed on the CPU only: the linear algebra, FFTs, pooling and padding its kernels lack for
# half types
_CPU_FP32 = {"linalg_inv", "linalg_solve", "linalg_cholesky", "linalg_cholesky_ex", "linalg_qr"}
_CPU_FP32 |= {"linalg_eigh", "linalg_eig", "linalg_svd", "linalg_svdvals", "linalg_lstsq"}
_CPU_FP32 |= {f"fft_{n}" for n in ("fft", "ifft", "fft2", "ifft2", "fftn", "ifftn", "hfft")}
_CPU_FP32 |= {f"fft_{n}" for n in ("rfft", "irfft", "rfft2", "irfft2", "rfftn", "irfftn", "ihfft")}
_CPU_FP32 |= {"avg_pool3d", "max_pool3d", "adaptive_avg_pool3d", "adaptive_max_pool3d"}
_CPU_FP32 |= {"max_unpool2d", "max_unpool3d", "fractional_max_pool2d", "fractional_max_pool3d"}
_CPU_FP32 |= {"reflection_pad1d", "reflection_pad2d", "replication_pad1d", "replication_pad2d"}
_CPU_FP32 |= {"replication_pad3d", "grid_sampler", "trace", "quantile", "nanquantile", "polar"}
_CPU_FP32 |= {"view_as_complex", "triangular_solve", "cholesky_solve", "cholesky_inverse"}
_CPU_FP32 |= {"pinverse"}
_CUDA_FP32 = {"AcosBackward0", "AsinBackward0", "CoshBackward0", "SinhBackward0", "TanBackward0"}
_CUDA_FP32 |= {"ExpBackward0", "Expm1Backward0", "LogBackward0", "Log2Backward0"}
_CUDA_FP32 |= {"Log10Backward0", "Log1PBackward0", "ReciprocalBackward0", "RsqrtBackward0"}
_CUDA_FP32 |= {"ErfinvBackward0", "PowBackward0", "PowBackward1", "PowBackward2"}
_CUDA_FP32 |= {"SoftplusBackward0", "NativeLayerNormBackward0", "SoftmaxBackward0"}
_CUDA_FP32 |= {"LogSoftmaxBackward0", "CumsumBackward0", "CumprodBackward0", "SumBackward0"}
_CUDA_FP32 |= {"SumBackward1", "ProdBackward0", "ProdBackward1", "LogsumexpBackward0"}
_CUDA_FP32 |= {"LinalgVectorNormBackward0"}

# the CPU's einsum is not listed, but PyTorch's decomposes a product of two operands into bmm
_MATMUL |= {"EinsumBackward0"}
LOWER = {"cpu": _MATMUL | {"rnn_layer"}, "cuda": _MATMUL | {"MvBackward0"}}
FP32 = {
    "cpu": _LOSSES | _CPU_FP32 | {"BinaryCrossEntropyBackward0", "ProdBackward0", "ProdBackward1"},
    "cuda": _LOSSES | _CUDA_FP32,
}
PROMOTE = {
    "cpu": {"CatBackward0", "StackBackward0", "IndexCopyBackward0"},
    "cuda": {"CatBackward0", "StackBackward0", "IndexCopyBackward0", "AddcmulBackward0"}
    | {"AddcdivBackward0", "Atan2Backward0", "IndexPutBackward0", "ScatterAddBackward0"},
}
BANNED = {
    "cuda": {
        "BinaryCrossEntropyBackward0": (
            "torch.nn.functional.binary_cross_entropy and torch.nn.BCELoss are unsafe to "
            "autocast.\nMany models use a sigmoid layer right before the binary cross entropy "
            "layer.\nIn this case, combine the two layers using "
            "torch.nn.functional.binary_cross_entropy_with_logits\nor torch.nn.BCEWithLogitsLoss."
            "  binary_cross_entropy_with_logits and BCEWithLogits are\nsafe to autocast."
        )
    }
}
_DEFAULT_DTYPE = {"cpu": "bfloat16", "cuda": "float16"}


class _Region:
    """The process's autocast state (PyTorch keeps it per thread; numtorch runs one)."""

    __slots__ = ("active", "devices", "nesting", "cache_enabled", "cache")

    def __init__(self):
        self.active = False  # some device's autocast is enabled: ops look at their lists
        self.devices: dict[str, list] = {}  # device type -> [enabled, dtype]
        self.nesting = 0
        self.cache_enabled = True
        self.cache: dict[int, tuple] = {}  # id(leaf) -> (leaf, its lower-precision copy)

    def state(self, device_type: str) -> list:
        if device_type not in self.devices:
            name = _DEFAULT_DTYPE.get(device_type, "float16")
            self.devices[device_type] = [False, getattr(_dtype, name)]
        return self.devices[device_type]

    def refresh(self) -> None:
        self.active = any(st[0] for st in self.devices.values())


REGION = _Region()


def enabled_on(device_type) -> bool:
    """Whether autocast is on for ``device_type`` (the flag check first: off, it costs that)."""
    if not REGION.active:
        return False
    st = REGION.devices.get(device_type)
    return bool(st and st[0])


def _floating(a, tensor_type) -> bool:
    return isinstance(a, tensor_type) and a._data.dtype.kind in "fV"


def _lower(a, dtype):
    """``a`` in the autocast dtype; a float32 leaf that requires grad is cast once per region
    (PyTorch's weight cache), so a weight used by many ops has one cast node."""
    cacheable = (
        REGION.cache_enabled
        and a.dtype is _dtype.float32
        and a.requires_grad
        and a.grad_fn is None
        and a._base is None
    )
    if not cacheable:
        return a.to(dtype)
    hit = REGION.cache.get(id(a))
    if hit is None or hit[1].dtype is not dtype:
        hit = REGION.cache[id(a)] = (a, a.to(dtype))
    return hit[1]


def _widest(args, tensor_type):
    out = None
    for a in args:
        if _floating(a, tensor_type):
            out = a.dtype if out is None else _dtype.promote_types(out, a.dtype)
    return out


_NAMES: dict[type, frozenset] = {}


def _names(cls) -> frozenset:
    """The node names of ``cls`` and its bases: a variant that shows PyTorch's graph under
    another node (``F.linear`` of a 3-D input is a ``ViewBackward0``) is its base's op."""
    names = _NAMES.get(cls)
    if names is None:
        names = {c.__name__ for c in cls.__mro__} | {getattr(cls, "_autocast_name", None)}
        names = _NAMES[cls] = frozenset(names)
    return names


def _policy(names: frozenset, device: str):
    for table in (LOWER, FP32, PROMOTE, BANNED):
        if not names.isdisjoint(table.get(device, ())):
            return table
    return None


def cast_args(cls, args: tuple) -> tuple:
    """``args`` as the node class ``cls`` receives them under its inputs' device's autocast."""
    return cast_by_names(_names(cls), args)


MATMUL = frozenset(("matmul",))  # what ``matmul`` casts its operands as, before it picks a node


def op_inputs(name: str, *tensors) -> tuple:
    """``tensors`` as the composite op ``name`` (a name in PyTorch's lists) receives them:
    cast while some autocast region is enabled, themselves otherwise."""
    if not REGION.active:
        return tensors
    return cast_by_names(frozenset((name,)), tensors)


class suspended:
    """A block that runs with autocast off, as PyTorch runs the pieces of a listed op."""

    __slots__ = ("active",)

    def __enter__(self):
        self.active, REGION.active = REGION.active, False

    def __exit__(self, *exc):
        REGION.active = self.active


def cast_by_names(names: frozenset, args: tuple) -> tuple:
    from ._tensor import Tensor

    device = next((a.device.type for a in args if isinstance(a, Tensor)), None)
    if not enabled_on(device):
        return args
    st = REGION.devices[device]
    table = _policy(names, device)
    if table is LOWER:
        dtype = st[1]
        return tuple(
            _lower(a, dtype) if _floating(a, Tensor) and a.dtype is not _dtype.float64 else a
            for a in args
        )
    if table is FP32:
        low = (_dtype.float16, _dtype.bfloat16)
        return tuple(a.float() if _floating(a, Tensor) and a.dtype in low else a for a in args)
    if table is PROMOTE:
        wide = _widest(args, Tensor)
        return tuple(
            a.to(wide) if _floating(a, Tensor) and a.dtype is not wide else a for a in args
        )
    if table is BANNED:
        raise RuntimeError(next(BANNED[device][n] for n in names if n in BANNED[device]))
    return args


def unifies(a, b) -> bool:
    """Whether autocast casts the operands ``a`` and ``b`` of a lower-precision op to one dtype,
    so that a dtype check before the op lets them through as PyTorch's autocast does."""
    return enabled_on(a.device.type) and all(
        t._data.dtype.kind in "fV" and t.dtype is not _dtype.float64 for t in (a, b)
    )
