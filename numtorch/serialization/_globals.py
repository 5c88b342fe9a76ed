"""Which pickle GLOBALs a ``weights_only`` load may resolve, and to what.

The names are PyTorch's (``torch._utils._rebuild_tensor_v2``, ``torch.FloatStorage`` ...), the
objects numtorch's. Users extend the list with ``add_safe_globals`` / ``safe_globals`` exactly
as in PyTorch; modules that can run commands stay blocked whatever the list says.
"""

from __future__ import annotations

import collections
import contextlib
import threading
from _compat_pickle import IMPORT_MAPPING, NAME_MAPPING

from . import _rebuild as rb

BLOCKED_MODULES = frozenset({"sys", "os", "posix", "nt", "subprocess"})
_LEGACY_TENSORS = (
    "Float",
    "Double",
    "Half",
    "BFloat16",
    "Byte",
    "Char",
    "Short",
    "Int",
    "Long",
    "Bool",
    "ComplexFloat",
    "ComplexDouble",
)
_QSCHEMES = (
    "per_tensor_affine",
    "per_channel_affine",
    "per_tensor_symmetric",
    "per_channel_symmetric",
    "per_channel_affine_float_qparams",
)


def _torch_names() -> dict:
    """PyTorch's default allowlist, each name mapped to its numtorch counterpart."""
    import numtorch
    from numtorch._backend import device
    from numtorch._tensor import Size, Tensor
    from numtorch.nn.parameter import Parameter

    table = {
        "collections.OrderedDict": collections.OrderedDict,
        "collections.Counter": collections.Counter,
        "torch.nn.parameter.Parameter": Parameter,
        "torch.serialization._get_layout": rb.get_layout,
        "torch.Size": Size,
        "torch.Tensor": Tensor,
        "torch.device": device,
        "_codecs.encode": rb.encode,
        "builtins.bytearray": rb.safe_bytearray,
        "builtins.set": set,
        "builtins.complex": complex,
        "torch._utils._rebuild_tensor": rb._rebuild_tensor,
        "torch._utils._rebuild_tensor_v2": rb._rebuild_tensor_v2,
        "torch._utils._rebuild_tensor_v3": rb._rebuild_tensor_v3,
        "torch._utils._rebuild_parameter": rb._rebuild_parameter,
        "torch._utils._rebuild_parameter_with_state": rb._rebuild_parameter_with_state,
        "torch._tensor._rebuild_from_type_v2": rb.rebuild_from_type_v2,
        "torch.storage.UntypedStorage": rb.StorageType("UntypedStorage", "uint8"),
        "torch.storage.TypedStorage": rb.StorageType("TypedStorage", "uint8"),
        "torch.UntypedStorage": rb.StorageType("UntypedStorage", "uint8"),
        "torch.TypedStorage": rb.StorageType("TypedStorage", "uint8"),
    }
    for kind, fn in (
        ("quantized tensors", "_rebuild_qtensor"),
        ("sparse tensors", "_rebuild_sparse_tensor"),
        ("meta tensors", "_rebuild_meta_tensor_no_storage"),
        ("nested tensors", "_rebuild_nested_tensor"),
        ("tensor subclasses", "_rebuild_wrapper_subclass"),
        ("device tensors", "_rebuild_device_tensor_from_numpy"),
        ("device tensors", "_rebuild_device_tensor_from_cpu_tensor"),
    ):
        table[f"torch._utils.{fn}"] = rb.unsupported(kind)
    for name in rb.TORCH_DTYPE_NAMES:
        table[f"torch.{name}"] = rb.lookup_dtype(name)
    for name, dtype_name in rb.STORAGE_DTYPES.items():
        table[f"torch.{name}"] = rb.StorageType(name, dtype_name)
    for name in _LEGACY_TENSORS:
        table[f"torch.{name}Tensor"] = getattr(numtorch, f"{name}Tensor", Tensor)
    for name in _QSCHEMES:
        table[f"torch.{name}"] = f"torch.{name}"
    return table


class _Registry(threading.local):
    """The user's additions (thread-local for the context manager, as in PyTorch)."""

    def __init__(self):
        self.user = {}


_DEFAULT: dict = {}
_USER = {}  # process-wide: add_safe_globals
_LOCAL = _Registry()  # this thread: safe_globals(...)


_DEFAULT_IDS: set = set()


def default_globals() -> dict:
    if not _DEFAULT:
        _DEFAULT.update(_torch_names())
        _DEFAULT_IDS.update(id(v) for v in _DEFAULT.values())
    return _DEFAULT


def default_ids() -> set:
    """``id()`` of every default allowlisted object (they live as long as the table)."""
    default_globals()
    return _DEFAULT_IDS


def qualified_name(obj) -> str:
    module = getattr(obj, "__module__", None)
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
    if not module or not name:
        raise ValueError(
            f"cannot tell the module and name of {obj!r:.80}; pass (obj, 'module.name') instead"
        )
    return f"{module}.{name}"


def _entries(safe_globals) -> dict:
    if not isinstance(safe_globals, (list, tuple, set)):
        raise TypeError("safe_globals must be a list of objects or (object, name) tuples")
    out = {}
    for item in safe_globals:
        if isinstance(item, tuple):
            if len(item) != 2 or not isinstance(item[1], str):
                raise ValueError("a safe global tuple must be (object, 'module.name')")
            out[item[1]] = item[0]
        else:
            name = qualified_name(item)
            out[name] = item
            if name.startswith("numtorch."):  # files name the class by PyTorch's path
                out[name[3:]] = item
    return out


def add_safe_globals(safe_globals: list) -> None:
    """Allow these objects (or ``(obj, "module.name")`` pairs) in ``weights_only`` loads.

    Examples:
        >>> numtorch.serialization.add_safe_globals([MyConfig])
    """
    _USER.update(_entries(safe_globals))


def clear_safe_globals() -> None:
    """Forget every global added with ``add_safe_globals``."""
    _USER.clear()


def get_safe_globals() -> list:
    """The user-added globals (objects, or ``(obj, name)`` where a name was given)."""
    out = []
    for name, obj in _USER.items():
        try:
            plain = qualified_name(obj) == name
        except ValueError:
            plain = False
        out.append(obj if plain else (obj, name))
    return out


@contextlib.contextmanager
def safe_globals(safe_globals: list):
    """Allow these globals for ``weights_only`` loads inside the ``with`` block only."""
    before = _LOCAL.user
    _LOCAL.user = {**before, **_entries(safe_globals)}
    try:
        yield
    finally:
        _LOCAL.user = before


def user_globals() -> dict:
    return {**_USER, **_LOCAL.user} if _LOCAL.user else _USER


def canonical(module: str, name: str) -> tuple:
    """Python 2 names that protocol-2 pickles use (``__builtin__.set``) in Python 3 form."""
    if (module, name) in NAME_MAPPING:
        return NAME_MAPPING[(module, name)]
    return IMPORT_MAPPING.get(module, module), name


def is_blocked(module: str) -> bool:
    return module in BLOCKED_MODULES or module.split(".", 1)[0] in BLOCKED_MODULES


def resolve(module: str, name: str):
    """The object a weights-only load gives for GLOBAL ``module.name``; raises otherwise."""
    import pickle

    full = f"{module}.{name}"
    if is_blocked(module):
        raise pickle.UnpicklingError(
            f"Trying to load unsupported GLOBAL {full} whose module {module} is blocked."
        )
    table = default_globals()
    if full in table:
        return table[full]
    user = user_globals()
    if full in user:
        return user[full]
    shown = full[len("builtins.") :] if full.startswith("builtins.") else full
    raise pickle.UnpicklingError(
        f"Unsupported global: GLOBAL {shown} was not an allowed global by default. Please use "
        f"`torch.serialization.add_safe_globals([{shown}])` or the "
        f"`torch.serialization.safe_globals([{shown}])` context manager to allowlist this "
        "global if you trust this class/function."
    )
