"""The Optimizer base: parameter groups, per-parameter state, hooks and state dicts.

An algorithm is small: ``_init_state(p, group)`` returns the fresh state of one parameter and
``_update(p, g, state, group)`` computes, from the arrays ``p`` (the parameter) and ``g`` (its
gradient), the parameter's new values and its new state arrays, into temporaries. The base class
runs every update of a step first and commits them afterwards, so a step that raises half way
(a shape mismatch after a bad ``load_state_dict``, an exception in a hook) leaves parameters and
state as they were. Committing writes the new values into the parameter's own array (so views of
``param.data`` see them, as in PyTorch) and rebinds the state tensors to their new arrays. An
algorithm whose class sets ``_increments`` returns the change of the parameter instead of its new
values, and committing adds it in place: one pass over the parameter instead of two.
"""

from __future__ import annotations

import functools
import warnings
from collections import OrderedDict, defaultdict
from copy import deepcopy
from itertools import chain
from typing import Any, Callable, Iterable

from .._backend import CPU, array_module, asarray, device_of
from .._dtype import float32, get_default_dtype
from .._tensor import Tensor, wrap
from ..autograd.grad_mode import enable_grad, no_grad
from ..utils.hooks import RemovableHandle

__all__ = ["Optimizer", "register_optimizer_step_pre_hook", "register_optimizer_step_post_hook"]


class _RequiredParameter:
    """Marks a default that every parameter group must give (``lr`` of a bare SGD)."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()

_global_pre_hooks: OrderedDict = OrderedDict()
_global_post_hooks: OrderedDict = OrderedDict()


def register_optimizer_step_pre_hook(hook: Callable) -> RemovableHandle:
    """``hook(optimizer, args, kwargs)`` runs before every optimizer's ``step``."""
    handle = RemovableHandle(_global_pre_hooks)
    _global_pre_hooks[handle.id] = hook
    return handle


def register_optimizer_step_post_hook(hook: Callable) -> RemovableHandle:
    """``hook(optimizer, args, kwargs)`` runs after every optimizer's ``step``."""
    handle = RemovableHandle(_global_post_hooks)
    _global_post_hooks[handle.id] = hook
    return handle


def _to_scalar(x):
    """A hyperparameter as a Python number (a 1-element tensor ``lr`` is allowed)."""
    return x.item() if isinstance(x, Tensor) else x


def _scalar_dtype():
    """The dtype of a ``step`` counter: float64 under a float64 default, else float32."""
    dt = get_default_dtype()
    return dt.np if dt.np.itemsize == 8 else "float32"


def lerp(xp, a, b, w: float):
    """``a + w * (b - a)``, computed from the nearer end as PyTorch's ``lerp`` does."""
    d = xp.subtract(b, a)
    if w < 0.5:
        d *= w
        d += a
        return d
    d *= w - 1
    return xp.add(b, d, out=d)


def step_counter(state) -> tuple:
    """The incremented ``step`` (a new 0-d array) and its value as a float."""
    s = state["step"]._data.copy()
    s += 1
    return s, float(s)


def new_step_state(p: Tensor, group: dict | None, value: float = 0.0) -> Tensor:
    """A 0-d counter in the scalar dtype (``step``, ``mu_product`` ...). PyTorch keeps it on the
    host, where reading it every step costs no device sync, unless the group is capturable or
    fused; ``group=None`` is for ASGD's counters, which PyTorch keeps on the parameter's device."""
    on_device = group is None or group.get("capturable") or group.get("fused")
    return wrap(asarray(value, _scalar_dtype(), device_of(p._data) if on_device else CPU))


def _with_hooks(step):
    """Wrap a ``step`` so pre/post hooks (global and per optimizer) run around it."""

    @functools.wraps(step)
    def wrapper(self, *args, **kwargs):
        if not hasattr(self, "_optimizer_step_pre_hooks"):
            # NOTE: PyTorch installs its hook runner in Optimizer.__init__, so a subclass that
            # never calls it (torch-optimizer's Lookahead) steps without any hooks
            return step(self, *args, **kwargs)
        for pre in chain(_global_pre_hooks.values(), self._optimizer_step_pre_hooks.values()):
            result = pre(self, args, kwargs)
            if result is not None:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError(
                        f"{step} must return None or a tuple of (new_args, new_kwargs), but got "
                        f"{result}."
                    )
                args, kwargs = result
        out = step(self, *args, **kwargs)
        for post in chain(self._optimizer_step_post_hooks.values(), _global_post_hooks.values()):
            post(self, args, kwargs)
        return out

    wrapper._hooked = True
    return wrapper


class Optimizer:
    """Base class of all optimizers.

    Args:
        params: an iterable of tensors, of ``(name, tensor)`` pairs, or of dicts (parameter
            groups with their own options).
        defaults: the options a group takes when it does not give them.
    """

    _increments = False  # whether ``_update`` returns the parameter's change (see the top)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "_hooked", False):
            cls.step = _with_hooks(step)

    def __init__(self, params, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self._optimizer_step_pre_hooks: OrderedDict = OrderedDict()
        self._optimizer_step_post_hooks: OrderedDict = OrderedDict()
        self._optimizer_state_dict_pre_hooks: OrderedDict = OrderedDict()
        self._optimizer_state_dict_post_hooks: OrderedDict = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks: OrderedDict = OrderedDict()
        self._optimizer_load_state_dict_post_hooks: OrderedDict = OrderedDict()
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or "
                f"dicts, but got {_typename(params)}"
            )
        self.state: defaultdict = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        groups = list(params)
        if len(groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # --- pickling and printing ----------------------------------------------------------
    def __getstate__(self) -> dict[str, Any]:
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        for name in (
            "step_pre",
            "step_post",
            "state_dict_pre",
            "state_dict_post",
            "load_state_dict_pre",
            "load_state_dict_post",
        ):
            self.__dict__.setdefault(f"_optimizer_{name}_hooks", OrderedDict())
        self.defaults.setdefault("differentiable", False)

    def __repr__(self) -> str:
        text = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"

    # --- groups -----------------------------------------------------------------------------
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters (with its own options) to ``param_groups``."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs. Please use a list instead."
            )
        else:
            params = list(params)
        names = [p[0] for p in params if isinstance(p, tuple)]
        tensors = [p[1] if isinstance(p, tuple) else p for p in params]
        param_group["params"] = tensors
        if names:
            if len(names) != len(tensors):
                raise ValueError(
                    "all optimizer params should be with/without names. Some param "
                    "names are missing"
                )
            param_group["param_names"] = names
        for p in tensors:
            if not isinstance(p, Tensor):
                raise TypeError(
                    "optimizer can only optimize Tensors, but one of the params is " + _typename(p)
                )
            if not self.defaults.get("differentiable", None) and not (p.is_leaf or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(
                    "parameter group didn't specify a value of required "
                    f"optimization parameter {name}"
                )
            param_group.setdefault(name, default)
        if len(tensors) != len(set(tensors)):
            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; in future, this "
                "will cause an error; see github.com/pytorch/pytorch/issues/40967 for more "
                "information",
                stacklevel=3,
            )
        seen: set = set()
        for group in self.param_groups:
            seen.update(group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError(
                    "all optimizer param groups should be with/without names. "
                    f"cannot add param group {which} to the optimizer"
                )
        if not seen.isdisjoint(tensors):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's gradient: to None (default), or to zeros in place."""
        for group in self.param_groups:
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                if set_to_none:
                    p._grad = None
                else:
                    if g.grad_fn is not None:
                        g.detach_()
                    else:
                        g._rg = False
                    g._data[...] = 0
                    g._vc[0] += 1

    # --- the step ---------------------------------------------------------------------------
    def step(self, closure: Callable[[], Any] | None = None):
        """Update every parameter that has a gradient; ``closure`` re-evaluates the loss."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            self._run_updates()
        return loss

    def _run_updates(self) -> None:
        """Compute every parameter's update into temporaries, then commit them all."""
        pending = []
        state_of = self.state
        for group in self.param_groups:
            update = self._group_update(group)
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                state = state_of.get(p)
                fresh = not state
                if fresh:
                    state = self._init_state(p, group)
                try:
                    new_p, new_state = update(p._data, g._data, state, group)
                except ValueError as exc:  # NumPy's broadcast errors; PyTorch raises RuntimeError
                    raise RuntimeError(f"{type(self).__name__}.step: {exc}") from None
                if new_p is not None and new_p.shape != p._data.shape:
                    raise RuntimeError(
                        f"{type(self).__name__}.step: the update of a parameter of shape "
                        f"{list(p.shape)} has shape {list(new_p.shape)}"
                    )
                pending.append((p, state, fresh, new_p, new_state))
        for p, state, fresh, new_p, new_state in pending:
            if new_p is not None:
                if self._increments:
                    array_module(new_p).add(p._data, new_p, out=p._data)
                else:
                    array_module(new_p).copyto(p._data, new_p)
                p._vc[0] += 1
            for key, value in new_state.items():
                old = state.get(key)
                if isinstance(old, Tensor):
                    old._data = value
                    old._vc[0] += 1
                else:
                    state[key] = wrap(value) if _is_array(value) else value
            if fresh and state:
                state_of[p] = state

    def _group_update(self, group: dict[str, Any]):
        """The per-parameter update function for this group (algorithms may specialise)."""
        return self._update

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        return {}

    def _update(self, p, g, state: dict[str, Any], group: dict[str, Any]):
        raise NotImplementedError

    # --- hooks ------------------------------------------------------------------------------
    def _register(self, hooks: OrderedDict, hook, prepend: bool = False) -> RemovableHandle:
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        if prepend:
            hooks.move_to_end(handle.id, last=False)
        return handle

    def register_step_pre_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(optimizer, args, kwargs)`` runs before ``step``; it may return new
        ``(args, kwargs)``."""
        return self._register(self._optimizer_step_pre_hooks, hook)

    def register_step_post_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(optimizer, args, kwargs)`` runs after ``step``."""
        return self._register(self._optimizer_step_post_hooks, hook)

    def register_state_dict_pre_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        return self._register(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        return self._register(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        return self._register(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        return self._register(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    # --- state dicts --------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """``{'state': {id: {...}}, 'param_groups': [{..., 'params': [ids]}]}``: parameters
        are numbered in the order the groups list them."""
        for hook in self._optimizer_state_dict_pre_hooks.values():
            hook(self)
        ids: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                ids.setdefault(id(p), len(ids))
            packed["params"] = [ids[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {(ids[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()}
        out = {"state": state, "param_groups": groups}
        for hook in self._optimizer_state_dict_post_hooks.values():
            result = hook(self, out)
            if result is not None:
                out = result
        return out

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a ``state_dict()`` (numtorch's or PyTorch's layout): all or nothing."""
        state_dict = state_dict.copy()
        for hook in self._optimizer_load_state_dict_pre_hooks.values():
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError(
                "loaded state dict contains a parameter group that doesn't match "
                "the size of optimizer's group"
            )
        id_map = dict(
            zip(
                chain.from_iterable(g["params"] for g in saved_groups),
                chain.from_iterable(g["params"] for g in groups),
            )
        )
        # PyTorch moves the step counters of capturable or fused groups onto the device
        on_device = {
            k for g in saved_groups if g.get("capturable") or g.get("fused") for k in g["params"]
        }
        state: defaultdict = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                state[id_map[k]] = _cast(id_map[k], v, step_on_device=k in on_device)
            else:
                state[k] = v
        new_groups = []
        for group, new in zip(groups, saved_groups):
            new["params"] = group["params"]
            if "param_names" in group and "param_names" not in new:
                new["param_names"] = group["param_names"]
            new_groups.append(new)
        self.__setstate__({"state": state, "param_groups": new_groups})
        for hook in self._optimizer_load_state_dict_post_hooks.values():
            hook(self)


Optimizer.step = _with_hooks(Optimizer.step)


def _cast(param: Tensor, value, key=None, step_on_device=False):
    """A loaded state value, with tensors on the parameter's device in its float dtype
    (``step`` keeps its own, or becomes a float32 on the device with ``step_on_device``)."""
    if isinstance(value, Tensor):
        if key == "step":  # PyTorch keeps the step count where it was
            return value.to(param.device, float32) if step_on_device else value
        if param.is_floating_point() and value.dtype != param.dtype:
            value = value.to(param.dtype)
        return value.to(param.device)
    if _is_array(value):  # a PyTorch checkpoint read without torch
        return _cast(param, wrap(value), key, step_on_device)
    if isinstance(value, dict):
        return {k: _cast(param, v, k, step_on_device) for k, v in value.items()}
    if isinstance(value, Iterable) and not isinstance(value, (str, bytes)):
        return type(value)(_cast(param, v) for v in value)
    return value


def _is_array(value) -> bool:
    return hasattr(value, "__array_interface__") and hasattr(value, "dtype")


def _typename(obj) -> str:
    if isinstance(obj, Tensor):
        return "torch." + {"float32": "FloatTensor", "float64": "DoubleTensor"}.get(
            obj._data.dtype.name, "Tensor"
        )
    module = type(obj).__module__
    name = type(obj).__qualname__
    return name if module in ("builtins", "__builtin__") else f"{module}.{name}"


def _validate(cond: bool, message: str) -> None:
    if not cond:
        raise ValueError(message)
