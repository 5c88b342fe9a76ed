"""Hook handles, the global module hooks, and full backward hooks on a module's call."""

from __future__ import annotations

import itertools
from collections import OrderedDict

from ..._tensor import Tensor
from ...autograd.function import Function

__all__ = ["RemovableHandle", "register_module_forward_pre_hook", "register_module_forward_hook"]


class RemovableHandle:
    """What ``register_*_hook`` returns: ``handle.remove()`` unregisters the hook."""

    _ids = itertools.count()

    def __init__(self, hooks_dict: dict, *, extra_dict=None):
        self.hooks_dict_ref = hooks_dict
        self.id = next(RemovableHandle._ids)
        self.extra_dicts = (
            ()
            if extra_dict is None
            else tuple(extra_dict if isinstance(extra_dict, (list, tuple)) else [extra_dict])
        )

    def remove(self) -> None:
        self.hooks_dict_ref.pop(self.id, None)
        for d in self.extra_dicts:
            d.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


GLOBAL_FORWARD_PRE_HOOKS: dict = OrderedDict()
GLOBAL_FORWARD_HOOKS: dict = OrderedDict()


def register_module_forward_pre_hook(hook) -> RemovableHandle:
    """``hook(module, args)`` runs before every module's forward."""
    handle = RemovableHandle(GLOBAL_FORWARD_PRE_HOOKS)
    GLOBAL_FORWARD_PRE_HOOKS[handle.id] = hook
    return handle


def register_module_forward_hook(hook) -> RemovableHandle:
    """``hook(module, args, output)`` runs after every module's forward."""
    handle = RemovableHandle(GLOBAL_FORWARD_HOOKS)
    GLOBAL_FORWARD_HOOKS[handle.id] = hook
    return handle


class BackwardHookFunction(Function):
    """Passes tensors through unchanged; its backward hands the gradients to a callback,
    which may replace them. Wraps a module's inputs and outputs for full backward hooks."""

    @staticmethod
    def forward(ctx, callback, *tensors):
        ctx.callback = callback
        return tuple(t.detach() for t in tensors)

    @staticmethod
    def backward(ctx, *grads):
        return (None,) + tuple(ctx.callback(grads))


class BackwardHook:
    """One call's full backward hooks: ``pre(module, grad_output)`` when the output gradients
    arrive, ``hook(module, grad_input, grad_output)`` when the input gradients are known."""

    def __init__(self, module, hooks, pre_hooks):
        self.module, self.hooks, self.pre_hooks = module, hooks, pre_hooks
        self.grad_outputs = None
        self.n_inputs = 0
        self.input_positions = ()

    def _wrap(self, values, callback):
        """``values`` with its grad-requiring tensors routed through one ``_Identity``."""
        single = isinstance(values, Tensor)
        seq = (values,) if single else tuple(values)
        pos = [i for i, v in enumerate(seq) if isinstance(v, Tensor) and v.requires_grad]
        if not pos:
            return values, pos
        new = BackwardHookFunction.apply(callback, *[seq[i] for i in pos])
        new = new if isinstance(new, tuple) else (new,)
        out = list(seq)
        for i, t in zip(pos, new):
            out[i] = t
        return (out[0] if single else type(seq)(out)), pos

    def setup_input_hook(self, args):
        wrapped, pos = self._wrap(args, self._on_inputs)
        self.n_inputs, self.input_positions = len(args), pos
        return wrapped

    def setup_output_hook(self, output):
        wrapped, pos = self._wrap(output, self._on_outputs)
        if not pos:
            return output
        return wrapped

    def _on_outputs(self, grads):
        for hook in self.pre_hooks:
            res = hook(self.module, grads)
            if res is not None:
                grads = tuple(res)
        self.grad_outputs = grads
        if not self.input_positions:  # nothing upstream needs grad: hooks see grad_input None
            for hook in self.hooks:
                hook(self.module, (None,) * max(self.n_inputs, 1), grads)
        return grads

    def _on_inputs(self, grads):
        full = [None] * self.n_inputs
        for i, g in zip(self.input_positions, grads):
            full[i] = g
        full = tuple(full)
        for hook in self.hooks:
            res = hook(self.module, full, self.grad_outputs)
            if res is not None:
                if len(res) != len(full):
                    raise RuntimeError(
                        f"Backward hook returned an invalid number of grad_input, got "
                        f"{len(res)}, but expected {len(full)}"
                    )
                full = tuple(res)
        return tuple(full[i] for i in self.input_positions)
