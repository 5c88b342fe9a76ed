"""numtorch: PyTorch's tensors, autograd, nn and optim, in Python on NumPy.

import numtorch as torch

x = torch.tensor([5.0], requires_grad=True)
(x ** 3).backward()
print(x.grad)  # tensor([75.])
"""

from __future__ import annotations

from . import _dtype
from ._backend import device, get_default_device, set_default_device
from ._dtype import (  # noqa: F401 - PyTorch's public dtype names
    bfloat16,
    bool,
    cdouble,
    cfloat,
    complex64,
    complex128,
    double,
    dtype,
    float,
    float16,
    float32,
    float64,
    float8_e4m3fn,
    float8_e4m3fnuz,
    float8_e5m2,
    float8_e5m2fnuz,
    float8_e8m0fnu,
    get_default_dtype,
    half,
    int,
    int8,
    int16,
    int32,
    int64,
    long,
    promote_types,
    set_default_dtype,
    short,
    uint8,
    uint16,
    uint32,
    uint64,
)
from ._tensor import Size, Tensor
from .autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from . import ops
from .ops import *  # noqa: F401,F403 - every op family's exports
from . import autograd, cuda, random
from ._printing import get_printoptions, printoptions, set_printoptions
from .random import (
    Generator,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)

import builtins as _builtins


def is_tensor(obj) -> _builtins.bool:
    return isinstance(obj, Tensor)


def is_floating_point(input) -> _builtins.bool:
    return input.is_floating_point()


def is_complex(input) -> _builtins.bool:
    return input.is_complex()


def numel(input) -> _builtins.int:
    return input.numel()


# PyTorch's argument error where the input is not a Tensor
is_floating_point = ops.with_numpy_aliases(is_floating_point, "is_floating_point")
is_complex = ops.with_numpy_aliases(is_complex, "is_complex")
numel = ops.with_numpy_aliases(numel, "numel")


def result_type(tensor1, tensor2) -> dtype:
    return _dtype.result_type(tensor1, tensor2)


def can_cast(from_, to) -> _builtins.bool:
    order = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3, "V": 2}
    return order[from_.np.kind] <= order[to.np.kind]


def get_default_device_type() -> str:
    return get_default_device().type


# --- the sub-packages PyTorch programs reach through ``torch.`` ------------------------------
from . import linalg, return_types, version  # noqa: E402
from .torch_version import __version__  # noqa: E402 - the PyTorch release numtorch follows
from . import _runtime  # noqa: E402
from ._runtime import *  # noqa: E402,F401,F403 - finfo, iinfo, pi, threads, determinism ...

for _name, _fn in linalg.TORCH_LEVEL.items():  # torch.det, torch.svd ... and Tensor.det ...
    globals()[_name] = ops.with_numpy_aliases(_fn, _name)
    setattr(Tensor, _name, _fn)
del _name, _fn

# NOTE: the larger sub-packages load on first use (``numtorch.nn`` imports it then), which
# keeps ``import numtorch`` a small fraction of ``import torch``
_LAZY_MODULES = {
    "nn",
    "optim",
    "utils",
    "fft",
    "special",
    "serialization",
    "distributions",
    "multiprocessing",
    "backends",
}
_LAZY_MODULES |= {"testing", "func", "amp"}
_LAZY_MODULES |= {"jit", "_C", "storage", "functional", "onnx"}
_LAZY_MODULES |= {"compiler", "_dynamo"}
_LAZY_MODULES |= {"distributed", "futures"}
_LAZY_MODULES |= {"profiler", "overrides", "accelerator", "library", "fx"}
_LAZY_NAMES = {"save": "serialization", "load": "serialization"}
_LAZY_NAMES.update(autocast="amp", is_autocast_enabled="amp", get_autocast_dtype="amp")
_LAZY_NAMES.update(UntypedStorage="storage", TypedStorage="storage")
_LAZY_NAMES.update(PyTorchFileReader="serialization._zip", ScriptModule="jit")


_LAZY_IMPORT_HOOKS: list = []


def __getattr__(name):
    import importlib

    if name in _LAZY_MODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        for hook in _LAZY_IMPORT_HOOKS:  # numtorch run names the new classes as torch's
            hook()
        return module
    if name in _LAZY_NAMES:
        value = getattr(importlib.import_module(f"{__name__}.{_LAZY_NAMES[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'numtorch' has no attribute '{name}'")


def __dir__():
    return sorted(set(globals()) | _LAZY_MODULES | set(_LAZY_NAMES))
