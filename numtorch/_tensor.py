"""The Tensor: one array, its autograd bookkeeping, and the Python protocols.

The ops themselves live in ``ops/``, one family per file; each family lists the Tensor methods
it provides in a ``METHODS`` table, which ``ops/__init__.py`` attaches here. So ``x.exp()`` is
found in ``ops/unary.py``, ``x @ w`` in ``ops/blas.py``, and this file holds only what every
tensor is: its array, ``requires_grad``, ``grad``, ``grad_fn``, the version counter that catches
in-place changes to saved values, and conversions to Python values.
"""

from __future__ import annotations

import warnings

from . import _backend, _dtype

_new = object.__new__
_ndarray = _backend.ndarray
_FROM_NP = _dtype._FROM_NP


class Size(tuple):
    """``torch.Size``: a tuple of ints that prints as ``torch.Size([2, 3])``."""

    __slots__ = ()

    def __repr__(self):
        return f"torch.Size({list(self)})"

    __str__ = __repr__

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, key):
        out = tuple.__getitem__(self, key)
        return Size(out) if isinstance(key, slice) else out

    def __add__(self, other):
        return Size(tuple.__add__(self, other))

    def __reduce__(self):
        return (Size, (tuple(self),))


def wrap(array, requires_grad: bool = False) -> "Tensor":
    """A new Tensor around ``array`` (no copy): how every op makes its result."""
    if array.__class__ is not _ndarray:
        # NOTE: NumPy returns scalars, not 0-d arrays, from ops on 0-d arrays; a tensor always
        # holds an array (writable, with a base and flags)
        array = _backend.ensure_array(array)
    t = _new(Tensor)
    t._data = array
    t._rg = requires_grad
    t.grad_fn = None
    t._output_nr = 0
    t._grad = None
    t._vc = [0]
    t._base = None
    t._view = None
    t._meta = None
    if _INFERENCE_OPEN[0]:
        _mark_inference(t)
    return t


def arg_type_name(obj) -> str:
    """How PyTorch's argument errors name the type of ``obj``: a type defined in C with its
    module (``numpy.ndarray``), a builtin or a Python class by its name."""
    t = type(obj)
    if t.__flags__ & _HEAP_TYPE or t.__module__ == "builtins":
        return t.__name__
    return f"{t.__module__}.{t.__name__}"


_HEAP_TYPE = 1 << 9  # CPython's Py_TPFLAGS_HEAPTYPE: set on classes defined in Python


# how many inference_mode(True) blocks are open, in any thread: wrap looks no further while none
_INFERENCE_OPEN = [0]


def _mark_inference(t) -> None:
    """Mark ``t`` an inference tensor if this thread is in inference mode (made there, as
    PyTorch's ``is_inference()`` reports)."""
    from .autograd.grad_mode import STATE

    if STATE.inference:
        t._meta_of().inference = True


_FLOAT_WARNED = []


class TensorMeta:
    """What few tensors carry, kept off the common path (``Tensor._meta`` is None until one is
    needed): a leaf's AccumulateGrad node and hooks, retain_grad's mark, nn.Buffer's mark."""

    __slots__ = (
        "accumulator",
        "hooks",
        "post_accumulate_hooks",
        "retains_grad",
        "inference",
        "inference_view",
        "buffer_persistent",
    )

    def __init__(self):
        self.accumulator = None
        self.hooks, self.post_accumulate_hooks = [], []
        self.retains_grad = self.inference = False
        # a view of a normal tensor made in inference mode, or of a tensor that requires grad
        # made in no_grad mode: autograd may not record a write through it
        self.inference_view = 0
        self.buffer_persistent = None  # True/False for a tensor marked by nn.Buffer


class Tensor:
    """A multi-dimensional array that can record the operations applied to it."""

    # _base/_view: for a view, the tensor it views and the view ops leading from it (so an
    # in-place change through the view can be replayed on the base's history).
    __slots__ = (
        "_data",
        "_rg",
        "grad_fn",
        "_output_nr",
        "_grad",
        "_vc",
        "_base",
        "_view",
        "_meta",
        "__weakref__",
    )
    __array_priority__ = 1000  # ``ndarray * tensor`` defers to Tensor.__rmul__
    __hash__ = object.__hash__

    def __init__(self, *args, device=None):
        from .ops.creation import legacy_constructor

        legacy_constructor(self, args, device)

    # --- what the tensor is -------------------------------------------------------------
    @property
    def data(self) -> "Tensor":
        """The same values outside autograd: shares memory, and in-place changes through it
        are not seen by the version counter (as in PyTorch)."""
        return wrap(self._data)

    @data.setter
    def data(self, value: "Tensor"):
        self._data = value._data

    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    @property
    def dtype(self):
        return _FROM_NP[self._data.dtype]

    @property
    def device(self):
        return _backend.device_of(self._data)

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"

    @property
    def layout(self):
        return "torch.strided"

    def size(self, dim=None):
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim, "size")]

    def dim(self) -> int:
        return self._data.ndim

    ndimension = dim

    def numel(self) -> int:
        return self._data.size

    nelement = numel

    def element_size(self) -> int:
        return self._data.itemsize

    def stride(self, dim=None):
        strides = tuple(s // self._data.itemsize for s in self._data.strides)
        return strides if dim is None else strides[_wrap_dim(dim, self._data.ndim, "stride")]

    def storage_offset(self) -> int:
        from .storage import storage_offset

        return storage_offset(self)

    def untyped_storage(self):
        """The memory this tensor and its views share (see ``numtorch.storage``)."""
        from .storage import untyped_storage

        return untyped_storage(self)

    def storage(self):
        from .storage import typed_storage

        return typed_storage(self)

    def data_ptr(self) -> int:
        arr = self._data  # a GPU array (CuPy's) describes itself in the CUDA interface
        face = getattr(arr, "__cuda_array_interface__", None) or arr.__array_interface__
        return face["data"][0]

    def is_contiguous(self, memory_format=None) -> bool:
        return self._data.flags.c_contiguous

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f" or self.dtype.is_floating_point

    def is_complex(self) -> bool:
        return self._data.dtype.kind == "c"

    def is_inference(self) -> bool:
        return self._meta is not None and self._meta.inference

    def get_device(self) -> int:
        dev = self.device
        return -1 if dev.type == "cpu" else dev.index or 0

    # --- autograd state -------------------------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        return self._rg

    @requires_grad.setter
    def requires_grad(self, flag: bool):
        if self.grad_fn is not None:
            if not flag:
                raise RuntimeError(
                    "you can only change requires_grad flags of leaf variables. If you want to "
                    "use a computed variable in a subgraph that doesn't require differentiation "
                    "use var_no_grad = var.detach()."
                )
            return
        if flag and self._data.dtype.kind not in "fcV":
            raise RuntimeError(
                "only Tensors of floating point and complex dtype can require gradients"
            )
        if flag and self._meta is not None and self._meta.inference:
            from .autograd.grad_mode import STATE

            if not STATE.inference:
                raise RuntimeError(
                    "Setting requires_grad=True on inference tensor outside InferenceMode is not "
                    "allowed."
                )
        self._rg = bool(flag)

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        if requires_grad and self._data.dtype.kind not in "fcV":
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def grad(self):
        if self.grad_fn is not None and not self.retains_grad:
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its "
                ".grad attribute won't be populated during autograd.backward(). If you indeed "
                "want the .grad field to be populated for a non-leaf Tensor, use .retain_grad() "
                "on the non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure "
                "you access the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 "
                "for more information.",
                UserWarning,
                stacklevel=2,
            )
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"assigned grad expected to be a Tensor or None but got grad of type "
                    f"{type(value).__name__}"
                )
            if value._data.shape != self._data.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(value.shape)}' to a tensor "
                    f"of size '{list(self.shape)}'. Please ensure that the gradient and the "
                    "tensor are the same size"
                )
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(
                    "attempting to assign a gradient with dtype "
                    f"'{value.dtype.name}' to a tensor with dtype '{self.dtype.name}'. Please "
                    "ensure that the gradient and the tensor have the same dtype"
                )
        self._grad = value

    @property
    def _version(self) -> int:
        if self._meta is not None and self._meta.inference:
            raise RuntimeError("Inference tensors do not track version counter.")
        return self._vc[0]

    def _is_view(self) -> bool:
        """Whether this tensor is a view of another (its ``_base``), as autograd tracks it."""
        return self._base is not None

    def _bump_version(self) -> None:
        self._vc[0] += 1

    @property
    def retains_grad(self) -> bool:
        return self._meta is not None and self._meta.retains_grad

    def _meta_of(self) -> "TensorMeta":
        if self._meta is None:
            self._meta = TensorMeta()
        return self._meta

    def retain_grad(self) -> None:
        """Keep this non-leaf tensor's gradient in ``.grad`` during backward."""
        if not self._rg:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None or self.retains_grad:
            return
        from .autograd.node import RetainGrad

        self._meta_of().retains_grad = True
        self.grad_fn._add_pre_hook(self._output_nr, RetainGrad(self))

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned tensor
        replaces the gradient."""
        if not self._rg:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            return self.grad_fn._add_pre_hook(self._output_nr, hook)
        from .autograd.node import _RemovableHandle

        hooks = self._meta_of().hooks
        hooks.append(hook)
        return _RemovableHandle(hooks, hook)

    def register_post_accumulate_grad_hook(self, hook):
        """Call ``hook(tensor)`` after this leaf's ``.grad`` has been updated by backward."""
        if self.grad_fn is not None:
            raise RuntimeError(
                "post accumulate grad hooks cannot be registered on non-leaf tensors"
            )
        if not self._rg:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        from .autograd.node import _RemovableHandle

        hooks = self._meta_of().post_accumulate_hooks
        hooks.append(hook)
        return _RemovableHandle(hooks, hook)

    def _accumulator(self):
        """The AccumulateGrad node of this leaf (one per leaf, so hooks see the total)."""
        meta = self._meta_of()
        node = meta.accumulator
        if node is None:
            from .autograd.node import AccumulateGrad

            node = meta.accumulator = AccumulateGrad(self)
        return node

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Compute the gradient of this tensor with respect to the graph's leaves."""
        _engine().backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self) -> "Tensor":
        """A new leaf sharing this tensor's memory and version counter, outside the graph."""
        t = wrap(self._data)
        t._vc = self._vc
        if self._meta is not None or t._meta is not None:  # a view: inference as its base
            t._meta_of().inference = self.is_inference()
        return t

    def detach_(self) -> "Tensor":
        if self._base is not None:
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead. If you are using "
                "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set "
                "as True, gradients are views of DDP buckets, and hence detach_() cannot be "
                "called on these gradients. To fix this error, please refer to the "
                "Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution."
            )
        self.grad_fn = None
        self._rg = False
        return self

    def _alias(self) -> "Tensor":
        t = self.detach()
        t._base = self._base
        return t

    # --- Python values --------------------------------------------------------------------
    def item(self):
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar"
            )
        return self._data.item()

    def tolist(self):
        return self._data.tolist()

    def numpy(self, *, force: bool = False):
        if self._rg and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead."
            )
        if self._data.__class__ is not _ndarray and self.device.type != "cpu":
            raise TypeError(
                f"can't convert {self.device} device type tensor to numpy. Use Tensor.cpu() to "
                "copy the tensor to host memory first."
            )
        return self._data

    def __array__(self, dtype=None, copy=None):
        arr = self.numpy()
        return arr if dtype is None else arr.astype(dtype, copy=False)

    def __array_wrap__(self, array, context=None, return_scalar=False):
        """NumPy's result where it computed with this tensor (``t + ndarray``, after the Tensor
        declined the ndarray; ``numpy.exp(t)``): a Tensor, a bool result as uint8, as PyTorch
        returns it."""
        return wrap(array.astype("uint8") if array.dtype.kind == "b" else array)

    def _scalar(self):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self._data.item()

    def __float__(self):
        if self._rg and not _FLOAT_WARNED:
            _FLOAT_WARNED.append(True)
            warnings.warn(
                "Converting a tensor with requires_grad=True to a scalar may lead to unexpected "
                "behavior.\nConsider using tensor.detach() first.",
                UserWarning,
                stacklevel=2,
            )
        return float(self._scalar())

    def __int__(self):
        return int(self._scalar())

    def __complex__(self):
        return complex(self._scalar())

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data.item())

    def __bool__(self):
        if self._data.size != 1:
            if self._data.size == 0:
                raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data.item())

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __repr__(self, *, tensor_contents=None):
        from ._printing import tensor_repr

        return tensor_repr(self)

    def __format__(self, spec):
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __reduce_ex__(self, protocol):
        from .serialization import reduce_tensor

        return reduce_tensor(self)

    def __deepcopy__(self, memo):
        if self.grad_fn is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
                "protocol at the moment.  If you were attempting to deepcopy a module, this may "
                "be because of a torch.nn.utils.weight_norm usage, see "
                "https://github.com/pytorch/pytorch/pull/103001"
            )
        if id(self) in memo:
            return memo[id(self)]
        new = _new(type(self))
        for slot in Tensor.__slots__[:-1]:
            setattr(new, slot, None)
        new._data = self._data.copy()
        new._rg = self._rg
        new._output_nr = 0
        new._vc = [0]
        new._grad = None if self._grad is None else self._grad.__deepcopy__(memo)
        memo[id(self)] = new
        return new


def _engine():
    global _ENGINE
    if _ENGINE is None:
        from .autograd import engine

        _ENGINE = engine
    return _ENGINE


_ENGINE = None


def _wrap_dim(dim: int, ndim: int, name: str = "") -> int:
    """A possibly negative dim as an index into the shape, with PyTorch's IndexError."""
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})"
        )
    return dim + n if dim < 0 else dim
