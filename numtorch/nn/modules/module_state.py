"""``state_dict`` / ``load_state_dict``: a Module's parameters and persistent buffers as an
ordered name -> tensor mapping, and back.

Loading is all-or-nothing: every key is checked (missing, unexpected, shape) before any value
is written, so a failed ``load_state_dict`` leaves the module as it was.
"""

from __future__ import annotations

from collections import OrderedDict, namedtuple
from collections.abc import Mapping

from ..._tensor import Tensor
from ...autograd import grad_mode

_EXTRA_STATE = "_extra_state"


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict`` returns: the keys it missed and the keys it did not use."""

    __slots__ = ()

    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


class _Load:
    """One ``load_state_dict`` call: what to write, and what went wrong."""

    def __init__(self, strict: bool, assign: bool):
        self.strict, self.assign = strict, assign
        self.missing, self.unexpected, self.errors = [], [], []
        self.writes = []  # (module, name, is_param, value) applied only when nothing failed


class StateDictMixin:
    """The state-dict half of ``Module``."""

    T_destination = OrderedDict

    def get_extra_state(self):
        raise RuntimeError(
            "Reached a code path in Module.get_extra_state() that should never be called."
        )

    def set_extra_state(self, state) -> None:
        raise RuntimeError(
            "Reached a code path in Module.set_extra_state() that should never be called."
        )

    def _has_extra_state(self) -> bool:
        return type(self).get_extra_state is not StateDictMixin.get_extra_state

    # --- saving -------------------------------------------------------------------------
    def _save_to_state_dict(self, destination, prefix, keep_vars):
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if keep_vars else param.detach()
        for name, buf in self._buffers.items():
            if buf is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = buf if keep_vars else buf.detach()
        if self._has_extra_state():
            destination[prefix + _EXTRA_STATE] = self.get_extra_state()

    def state_dict(self, *args, destination=None, prefix: str = "", keep_vars: bool = False):
        """An ``OrderedDict`` of every parameter and persistent buffer (detached unless
        ``keep_vars``), keyed by dotted name; ``._metadata`` holds each module's version."""
        if args:  # the old positional form state_dict(destination, prefix, keep_vars)
            destination = args[0]
            if len(args) > 1:
                prefix = args[1]
            if len(args) > 2:
                keep_vars = args[2]
        if destination is None:
            destination = OrderedDict()
            destination._metadata = OrderedDict()
        meta = {"version": self._version}
        if hasattr(destination, "_metadata"):
            destination._metadata[prefix[:-1]] = meta
        for hook in self._state_dict_pre_hooks.values():
            hook(self, prefix, keep_vars)
        self._save_to_state_dict(destination, prefix, keep_vars)
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(
                    destination=destination, prefix=prefix + name + ".", keep_vars=keep_vars
                )
        for hook in self._state_dict_hooks.values():
            result = hook(self, destination, prefix, meta)
            if result is not None:
                destination = result
        return destination

    def register_state_dict_pre_hook(self, hook):
        """``hook(module, prefix, keep_vars)`` runs before ``state_dict`` collects tensors."""
        return self._add_hook(self._state_dict_pre_hooks, hook, False)

    def register_state_dict_post_hook(self, hook):
        """``hook(module, state_dict, prefix, local_metadata)`` runs after; it may replace it."""
        return self._add_hook(self._state_dict_hooks, hook, False)

    _register_state_dict_hook = register_state_dict_post_hook

    def register_load_state_dict_pre_hook(self, hook):
        """``hook(module, state_dict, prefix, local_metadata, strict, missing_keys,
        unexpected_keys, error_msgs)`` runs before this module's keys are read."""
        return self._add_hook(self._load_state_dict_pre_hooks, hook, False)

    def register_load_state_dict_post_hook(self, hook):
        """``hook(module, incompatible_keys)`` runs after loading; it may edit the key lists."""
        return self._add_hook(self._load_state_dict_post_hooks, hook, False)

    # --- loading ------------------------------------------------------------------------
    def _load_from_state_dict(
        self,
        state_dict,
        prefix,
        local_metadata,
        strict,
        missing_keys,
        unexpected_keys,
        error_msgs,
        _writes=None,
    ):
        """Check this module's own keys in ``state_dict``; queue the values to write."""
        for hook in self._load_state_dict_pre_hooks.values():
            hook(
                self,
                state_dict,
                prefix,
                local_metadata,
                strict,
                missing_keys,
                unexpected_keys,
                error_msgs,
            )
        local = [(n, p, True) for n, p in self._parameters.items() if p is not None]
        local += [
            (n, b, False)
            for n, b in self._buffers.items()
            if b is not None and n not in self._non_persistent_buffers_set
        ]
        for name, current, is_param in local:
            key = prefix + name
            if key not in state_dict:
                missing_keys.append(key)
                continue
            value = _checked(key, state_dict[key], current, error_msgs)
            if value is not None and _writes is not None:
                _writes.append((self, name, is_param, value))
        if self._has_extra_state():
            key = prefix + _EXTRA_STATE
            if key in state_dict:
                if _writes is not None:
                    _writes.append((self, None, None, state_dict[key]))
            elif strict:
                missing_keys.append(key)
        if strict:
            own = {n for n, _, _ in local}
            for key in state_dict:
                if key.startswith(prefix) and key != prefix + _EXTRA_STATE:
                    head = key[len(prefix) :].split(".", 1)[0]
                    if head not in self._modules and head not in own:
                        unexpected_keys.append(key)

    def load_state_dict(self, state_dict, strict: bool = True, assign: bool = False):
        """Copy ``state_dict``'s tensors into this module's parameters and buffers.

        With ``strict`` (the default) missing and unexpected keys are errors; a shape mismatch
        always is. Raises ``RuntimeError`` listing every problem, leaving the module unchanged;
        returns ``(missing_keys, unexpected_keys)`` otherwise.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        metadata = getattr(state_dict, "_metadata", None)
        state_dict = OrderedDict(state_dict)
        job = _Load(strict, assign)
        self._load_walk(state_dict, "", metadata or {}, job)
        errors = list(job.errors)
        if strict:
            if job.unexpected:
                errors.insert(
                    0,
                    "Unexpected key(s) in state_dict: {}. ".format(
                        ", ".join(f'"{k}"' for k in job.unexpected)
                    ),
                )
            if job.missing:
                errors.insert(
                    0,
                    "Missing key(s) in state_dict: {}. ".format(
                        ", ".join(f'"{k}"' for k in job.missing)
                    ),
                )
        if errors:
            raise RuntimeError(
                "Error(s) in loading state_dict for {}:\n\t{}".format(
                    type(self).__name__, "\n\t".join(errors)
                )
            )
        _apply_writes(job)
        result = _IncompatibleKeys(job.missing, job.unexpected)
        for module in self.modules():
            for hook in module._load_state_dict_post_hooks.values():
                hook(module, result)
        return result

    def _load_walk(self, state_dict, prefix, metadata, job):
        meta = metadata.get(prefix[:-1], {})
        self._load_from_state_dict(
            state_dict, prefix, meta, True, job.missing, job.unexpected, job.errors, job.writes
        )
        for name, child in self._modules.items():
            if child is not None:
                child_prefix = prefix + name + "."
                sub = {k: v for k, v in state_dict.items() if k.startswith(child_prefix)}
                child._load_walk(sub, child_prefix, metadata, job)


def _apply_writes(job: _Load) -> None:
    from ..parameter import Parameter, is_lazy

    with grad_mode.no_grad():
        for module, name, is_param, value in job.writes:
            if name is None:
                module.set_extra_state(value)
                continue
            store = module._parameters if is_param else module._buffers
            current = store[name]
            if job.assign or is_lazy(current):
                if is_param:
                    value = Parameter(value.detach(), current.requires_grad)
                store[name] = value if is_param else value.detach()
                continue
            current._data[...] = value._data.astype(current._data.dtype, copy=False)
            current._vc[0] += 1


def _checked(key, value, current, error_msgs):
    """The checkpoint's ``value`` for the tensor ``current``, or None with PyTorch's error
    added to ``error_msgs``."""
    from ..parameter import is_lazy

    if not isinstance(value, Tensor):
        error_msgs.append(
            f'While copying the parameter named "{key}", expected torch.Tensor or '
            f"Tensor-like object from checkpoint but received {type(value)}"
        )
        return None
    if is_lazy(current):
        return value
    if current.ndim == 0 and value.ndim == 1 and value.numel() == 1:
        value = value.reshape(())  # checkpoints from before 0-d tensors existed
    if value.shape != current.shape:
        error_msgs.append(
            f"size mismatch for {key}: copying a param with shape {value.shape} from "
            f"checkpoint, the shape in current model is {current.shape}."
        )
        return None
    return value
