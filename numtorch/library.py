"""``torch.library``: Python functions registered as custom operators.

``custom_op("ns::name", fn, mutates_args=())`` makes ``fn`` an operator that autograd treats
as one node (``GeneratedBackwardFor_ns_name_defaultBackward``): its backward is the formula
given to ``register_autograd``, never a trace of ``fn``'s own ops, and without one a backward
through it raises, as in PyTorch. ``register_fake`` records the shape function that compilers
use; numtorch's compiler records real calls, so it is kept but not called. ``torch.ops.ns.name``
finds a registered operator; C++ ``Library`` registrations are not supported."""

from __future__ import annotations

import inspect

from ._tensor import Tensor
from .autograd.function import Function

__all__ = ["custom_op", "register_autograd", "register_fake", "register_kernel", "CustomOpDef"]

_OPS: dict = {}  # "ns::name" -> CustomOpDef


def _check_annotations(fn) -> None:
    """PyTorch infers the operator's schema from the annotations, so it requires them."""
    sig = inspect.signature(fn)
    for p in sig.parameters.values():
        if p.annotation is inspect.Parameter.empty:
            raise ValueError(
                f"infer_schema(func): Parameter {p.name} must have a type annotation. "
                f"Got func with signature {sig})"
            )
    if sig.return_annotation is inspect.Signature.empty:
        raise ValueError(
            "infer_schema(func): No return type annotation was provided. Please add one."
        )


class CustomOpDef:
    """A custom operator: call it as a function."""

    def __init__(self, namespace: str, name: str, fn, mutates_args):
        self._namespace, self._name, self._init_fn = namespace, name, fn
        self._mutates_args = mutates_args
        self._kernels: dict = {}
        self._fake = self._backward = self._setup_context = None
        self._signature = inspect.signature(fn)
        self._function = type(
            f"GeneratedBackwardFor_{namespace}_{name}_default",
            (Function,),
            {
                "forward": staticmethod(self._run),
                "setup_context": staticmethod(self._setup),
                "backward": staticmethod(self._backward_of),
            },
        )

    def __repr__(self):
        return f"<CustomOpDef({self._namespace}::{self._name})>"

    def register_kernel(self, device_types, fn=None, /):
        """``fn`` runs instead of the default implementation on the given device types."""

        def register(fn):
            types = [device_types] if isinstance(device_types, str) else device_types
            self._kernels.update(dict.fromkeys(types, fn))
            return fn

        return register if fn is None else register(fn)

    def register_fake(self, fn, /):
        self._fake = fn
        return fn

    def register_autograd(self, backward, /, *, setup_context=None) -> None:
        self._backward, self._setup_context = backward, setup_context

    def __call__(self, *args, **kwargs):
        bound = self._signature.bind(*args, **kwargs)
        bound.apply_defaults()
        return self._function.apply(*bound.arguments.values())

    def _run(self, *args):
        names = list(self._signature.parameters)
        device = next((a.device.type for a in args if isinstance(a, Tensor)), "cpu")
        out = self._kernels.get(device, self._init_fn)(**dict(zip(names, args)))
        outs = out if isinstance(out, tuple) else (out,)
        if any(o is a for o in outs for a in args if isinstance(o, Tensor)):
            raise RuntimeError(
                f"{self._name} (with implementation in {inspect.getmodule(self._init_fn)}): The "
                "output of this custom operator (1) must not also be an input to this custom "
                "operator and (2) may not alias any inputs to this custom op"
            )
        return out

    def _setup(self, ctx, inputs, output) -> None:
        if self._setup_context is not None:
            self._setup_context(ctx, inputs, output)

    def _backward_of(self, ctx, *grads):
        if self._backward is None:
            raise RuntimeError(
                f"Trying to backward through {self._namespace}.{self._name}.default but no "
                "autograd formula was registered. Please use register_autograd to add one."
            )
        return self._backward(ctx, *grads)


def custom_op(name: str, fn=None, /, *, mutates_args, device_types=None, schema=None):
    """Register ``fn`` as the operator ``name`` ("namespace::opname"); a decorator without
    ``fn``. ``schema`` replaces the annotations PyTorch otherwise requires."""

    def register(fn):
        if schema is None:
            _check_annotations(fn)
        if name in _OPS:
            raise RuntimeError(f"custom_op: {name} is already registered")
        namespace, opname = name.split("::")
        op = CustomOpDef(namespace, opname, fn, mutates_args)
        if device_types is not None:
            op.register_kernel(device_types, fn)
        _OPS[name] = op
        return op

    return register if fn is None else register(fn)


class OpNamespace:
    """``torch.ops.<namespace>``: its custom operators as attributes."""

    def __init__(self, name: str):
        self.name = name

    def __getattr__(self, opname: str) -> CustomOpDef:
        op = _OPS.get(f"{self.name}::{opname}")
        if op is None:
            raise AttributeError(f"'_OpNamespace' '{self.name}' object has no attribute '{opname}'")
        return op


def _op(op) -> CustomOpDef:
    if isinstance(op, CustomOpDef):
        return op
    if op not in _OPS:
        raise ValueError(
            f"{op} is not a custom operator registered with torch.library.custom_op in "
            "numtorch (registrations of PyTorch's built-in operators are not supported)"
        )
    return _OPS[op]


def register_fake(op, func=None, /, *, lib=None, _stacklevel: int = 1):
    register = _op(op).register_fake
    return register if func is None else register(func)


def register_autograd(op, backward, /, *, setup_context=None, lib=None) -> None:
    _op(op).register_autograd(backward, setup_context=setup_context)


def register_kernel(op, device_types, func=None, /, *, lib=None):
    return _op(op).register_kernel(device_types, func)
