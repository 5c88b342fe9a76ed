"""``torch.utils.checkpoint``: trade compute for memory.

``checkpoint(fn, *args)`` runs ``fn`` without recording a graph and keeps only its inputs; the
backward pass runs ``fn`` again with gradients on (from the same random state, so dropout
draws the same mask) and back-propagates through that recomputation. Gradients reach the
parameters ``fn`` uses even when no input requires grad (as PyTorch's ``use_reentrant=False``
does). ``use_reentrant`` is accepted either way; both give these semantics.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

from .._lazy import nt as _nt
from .._tensor import Tensor
from ..autograd.function import Function

__all__ = ["checkpoint", "checkpoint_sequential"]


class _CheckpointFunction(Function):
    @staticmethod
    def forward(ctx, run_fn, preserve_rng_state, anchor, *args):
        nt = _nt()
        ctx.run_fn = run_fn
        ctx.rng_state = nt.get_rng_state() if preserve_rng_state else None
        ctx.tensor_index = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        ctx.args = [None if isinstance(a, Tensor) else a for a in args]
        ctx.save_for_backward(*[args[i] for i in ctx.tensor_index])
        with nt.no_grad():
            out = run_fn(*args)
        ctx.single = isinstance(out, Tensor)
        return out if ctx.single else tuple(out)

    @staticmethod
    def backward(ctx, *grads):
        nt = _nt()
        args = list(ctx.args)
        saved = ctx.saved_tensors
        for i, t in zip(ctx.tensor_index, saved):
            args[i] = t.detach().requires_grad_(t.requires_grad)
        outer_state = nt.get_rng_state() if ctx.rng_state is not None else None
        try:
            if ctx.rng_state is not None:
                nt.set_rng_state(ctx.rng_state)
            with nt.enable_grad():
                out = ctx.run_fn(*args)
        finally:
            if outer_state is not None:
                nt.set_rng_state(outer_state)
        outs = (out,) if isinstance(out, Tensor) else tuple(out)
        pairs = [
            (o, g)
            for o, g in zip(outs, grads)
            if isinstance(o, Tensor) and o.requires_grad and g is not None
        ]
        if pairs:
            nt.autograd.backward([p[0] for p in pairs], [p[1] for p in pairs])
        arg_grads = [None] * len(args)
        for i in ctx.tensor_index:
            arg_grads[i] = args[i].grad if args[i].requires_grad else None
        return (None, None, None, *arg_grads)


def checkpoint(
    function: Callable,
    *args,
    use_reentrant: bool | None = None,
    context_fn: Callable | None = None,
    determinism_check: str = "default",
    debug: bool = False,
    preserve_rng_state: bool = True,
    **kwargs,
) -> Any:
    """Run ``function(*args, **kwargs)`` without keeping its intermediate activations; they
    are recomputed in the backward pass."""
    nt = _nt()
    if kwargs:
        function = functools.partial(function, **kwargs)
    if not nt.is_grad_enabled():
        return function(*args)
    # NOTE: a zero-size input that requires grad makes the outputs require grad, so the
    # recomputation runs (and reaches the parameters inside ``function``) even when no input
    # does; it gets no gradient itself.
    anchor = nt.empty(0, requires_grad=True)
    return _CheckpointFunction.apply(function, preserve_rng_state, anchor, *args)


def checkpoint_sequential(
    functions, segments: int, input, use_reentrant: bool | None = None, **kwargs
):
    """Split ``functions`` (a Sequential or a list of modules) into ``segments`` chunks and
    checkpoint each chunk but the last."""
    if hasattr(functions, "children") and not isinstance(functions, (list, tuple)):
        functions = list(functions.children())
    functions = list(functions)
    size = len(functions) // segments

    def run(start, end):
        def forward(x):
            for j in range(start, end + 1):
                x = functions[j](x)
            return x

        return forward

    end = -1
    for start in range(0, size * (segments - 1), size):
        end = start + size - 1
        input = checkpoint(run(start, end), input, use_reentrant=use_reentrant, **kwargs)
    return run(end + 1, len(functions) - 1)(input)
