"""The op nodes: numtorch's primitives and user-defined Functions (graph basics: node.py).

* ``Primitive`` (numtorch's own ops): ``forward`` works on arrays, ``backward`` on arrays for a
  first-order pass, or on Tensors through ``ctx.xp`` when the engine is asked to
  ``create_graph`` (so every primitive has higher-order gradients from one formula).
* ``Function`` (the public ``torch.autograd.Function``): ``forward`` and ``backward`` take
  Tensors, as PyTorch users write them; each call is a ``BackwardCFunction`` node.
"""

from __future__ import annotations

from .. import _autocast
from .._backend import array_module
from .._tensor import Tensor, wrap
from . import grad_mode
from .grad_kinds import _as_tensor
from .node import (
    _NO_EDGE,
    FREED_MSG,
    Node,
    _version_error,
    broadcast_error,
    check_same_device,
    edge,
)

_STATE = grad_mode.STATE
_AUTOCAST = _autocast.REGION


class Primitive(Node):
    """A numtorch op: ``forward`` on arrays and ``backward`` (its VJP) side by side.

    ``forward(ctx, *arrays)`` returns an array (or a tuple of arrays) and may call
    ``ctx.save_for_backward(...)`` with any of its input or output arrays. ``backward(ctx, *g)``
    returns one gradient per input (``None`` where ``ctx.needs_input_grad`` is False), written
    with ``ctx.xp`` so that the same formula runs on arrays (first order) or on Tensors
    (``create_graph=True``). The engine sums each gradient back to its input's shape, so no
    op undoes broadcasting itself.
    """

    __slots__ = ("needs_input_grad", "xp", "_saved", "_refs", "_graph")
    # PyTorch's names of the saved values, in save_for_backward's order: the node shows them
    # as ``_saved_<name>`` attributes (``_saved_self``, ``_saved_result``), as PyTorch's do
    _save_names = ()
    # A holomorphic op writes its VJP as for real numbers (g * f'(z)); for complex gradients
    # the engine conjugates around it, giving PyTorch's convention g * conj(f'(z)).
    _holomorphic = False
    # Where the saved values come from, in order: an input's position, None for the output,
    # KEPT for an array the forward computed, or the name of a method computing an
    # intermediate from the saved values before it (again, on Tensors, under create_graph: so
    # it is differentiable); a derivative table row declares them, and a primitive without it
    # saves arrays that are matched to its inputs and output by identity
    _save_at = None

    def save_for_backward(self, *arrays):
        self._saved = arrays

    @classmethod
    def apply(cls, *args):
        if _AUTOCAST.active:
            args = _autocast.cast_args(cls, args)
        ctx = object.__new__(cls)
        ctx._saved = ()
        try:
            out = ctx.forward(*[a._data if isinstance(a, Tensor) else a for a in args])
        except ValueError as e:
            if "broadcast" not in str(e):
                raise
            raise broadcast_error(*[a.shape for a in args if isinstance(a, Tensor)]) from None
        except TypeError:  # what a device's array library says to another device's array
            check_same_device(args)
            raise
        if _STATE.enabled:
            for a in args:
                if isinstance(a, Tensor) and a._rg:
                    return ctx._connect(args, out)
        if type(out) is tuple:
            return tuple(wrap(o) for o in out)
        return wrap(out)

    def _connect(self, args, out):
        """Make this node the ``grad_fn`` of the outputs and remember what backward needs."""
        needs, edges, shapes = [], [], []
        for a in args:
            if isinstance(a, Tensor):
                if a._rg:
                    shapes.append(a._data.shape)
                    needs.append(True)
                    edges.append(edge(a))
                    continue
                # integer tensors (indices, targets) have no edge in PyTorch's graph
                shapes.append(a._data.shape if a._data.dtype.kind in "fcV" else None)
            else:
                shapes.append(None)
            needs.append(False)
            edges.append(_NO_EDGE)
        self.needs_input_grad = tuple(needs)
        self._edges = tuple(edges)
        self._in_shapes = shapes
        self._pre_hooks = self._post_hooks = None
        multi = type(out) is tuple
        outs = out if multi else (out,)
        self._n_out = len(outs)
        results = []
        for i, o in enumerate(outs):
            t = wrap(o)
            if o.dtype.kind in "fcV":  # integer outputs (indices) never require grad
                t._rg = True
                t.grad_fn = self
                t._output_nr = i
            results.append(t)
        save_at = self._save_at
        if save_at is None:
            self._refs = [self._ref(s, args, outs, results) for s in self._saved]
        else:
            self._refs = [_declared_ref(i, args, results) for i in save_at]
        return tuple(results) if multi else results[0]

    @staticmethod
    def _ref(s, args, outs, results):
        """What a saved array is, found by identity (a primitive that declares no
        ``_save_at``): an input, an output, or else a constant."""
        for a in args:
            if isinstance(a, Tensor) and a._data is s:
                return _input_ref(a)
        for i, o in enumerate(outs):
            if o is s:
                return ("out", i, results[i]._vc, 0)
        return ("const", None, None, 0)

    @property
    def saved_tensors(self):
        """The values saved for ``backward`` (arrays, or Tensors under ``create_graph``),
        checked against in-place changes. Inside ``backward`` only: the engine sets ``xp``
        for the call, and tools that look for a Python Function's ``saved_tensors`` on a
        node find none, as on PyTorch's own nodes."""
        if self.xp is None:
            raise AttributeError("saved_tensors is read inside backward")
        saved = self._saved
        if saved is None:
            raise RuntimeError(FREED_MSG)
        for i, (kind, obj, vc, version) in enumerate(self._refs):
            if vc is not None and vc[0] != version:
                if kind == "in":
                    raise _version_error(obj, version, None)
                out = wrap(saved[i])
                out._vc = vc
                raise _version_error(out, version, self.name().split("Backward")[0], obj)
        if not self._graph:
            return saved
        values = []
        for s, ref in zip(saved, self._refs):
            derived = ref[0] == "derived"
            values.append(getattr(self, ref[1])(*values) if derived else self._as_tensor(s, ref))
        return tuple(values)

    def _get_saved(self, i):
        if self._saved is None:
            raise RuntimeError(FREED_MSG)
        return self._as_tensor(self._saved[i], self._refs[i])

    def _as_tensor(self, array, ref):
        kind, obj = ref[0], ref[1]
        if kind == "in":
            return obj
        if kind == "kept":
            return array
        if kind == "const" and not hasattr(array, "shape"):
            return array  # a Python number stays one, so it keeps its weak dtype
        t = wrap(array)
        if kind == "out":
            t._rg = True
            t.grad_fn = self
            t._output_nr = obj
        return t

    def _release(self):
        self._saved = None


_CONST_REF = ("const", None, None, 0)
# A ``_save_at`` entry: an array the forward computed from its inputs (an im2col buffer). The
# backward reads it as that array in both kinds of pass, so under ``create_graph`` it can only
# feed a primitive applied through ``linear()`` whose own node differentiates the dependence on
# the inputs (it never becomes a constant Tensor in a graph).
KEPT = "kept"
_KEPT_REF = ("kept", None, None, 0)


def _declared_ref(i, args, results):
    """A saved value's reference: input ``i`` (checked against its version counter), a Python
    number among the inputs, the output (``i`` None), an array the forward kept (KEPT), or an
    intermediate (``i`` the name of the method that computes it)."""
    if i is None:
        return ("out", 0, results[0]._vc, 0)
    if i is KEPT:
        return _KEPT_REF
    if isinstance(i, str):
        return ("derived", i, None, 0)
    a = args[i]
    if isinstance(a, Tensor):
        return _input_ref(a)
    return _CONST_REF


_INFERENCE_SAVED = (
    "Inference tensors cannot be saved for backward. Please do not use Tensors created in "
    "inference mode in computation tracked by autograd. To work around this, you can make a clone "
    "to get a normal tensor and use it in autograd, or use `torch.no_grad()` instead of "
    "`torch.inference_mode()`."
)


def _input_ref(a):
    """A saved input's reference, checked against its version counter; an inference tensor has
    none, and PyTorch refuses to save it."""
    if a._meta is not None and a._meta.inference:
        raise RuntimeError(_INFERENCE_SAVED)
    return ("in", a, a._vc, a._vc[0])


def linear(ctx, cls, g, *args):
    """Apply the primitive ``cls`` inside a backward (most often a linear map of the gradient
    ``g``): its forward on arrays in a first-order pass, and recorded in the graph (so
    differentiable again) under ``create_graph``, where ``g`` is a Tensor."""
    if isinstance(g, Tensor):
        return cls.apply(g, *args)
    return object.__new__(cls).forward(g, *args)


class FunctionCtx:
    """The ``ctx`` a user-defined ``Function`` receives: what it saves and marks."""

    def save_for_backward(self, *tensors):
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(
                    "save_for_backward can only save variables, but argument "
                    f"{tensors.index(t)} is of type {type(t).__name__}"
                )
        self._to_save = tensors
        self._versions = tuple(None if t is None else t._vc[0] for t in tensors)

    def mark_non_differentiable(self, *tensors):
        self._non_diff = set(map(id, tensors))

    def mark_dirty(self, *tensors):
        self._dirty = set(map(id, tensors))

    def set_materialize_grads(self, value: bool):
        self.materialize_grads = value


class BackwardCFunction(FunctionCtx, Node):
    """The graph node (and ctx) of one call of a user-defined ``Function``. Each Function
    subclass ``F`` has its own node class ``FBackward`` (``F._backward_cls``), as in PyTorch."""

    _forward_cls = None
    __repr__ = object.__repr__  # PyTorch shows the Python class with its module

    def __init__(self):
        self._cls = self._forward_cls
        self._to_save = ()
        self._versions = ()
        self._non_diff = set()
        self._dirty = set()
        self.materialize_grads = True
        self._freed = False
        self._edges = ()
        self._in_shapes = ()
        self._n_out = 1
        self._pre_hooks = self._post_hooks = None
        self.needs_input_grad = ()

    def name(self) -> str:
        return type(self).__name__

    @property
    def saved_tensors(self):
        if self._freed:
            raise RuntimeError(FREED_MSG)
        for t, v in zip(self._to_save, self._versions):
            if t is not None and t._version != v:
                raise _version_error(t, v, None)
        return self._to_save

    saved_variables = saved_tensors

    def _call(self, grads, take):
        """Run the user's ``backward`` on Tensors; the result has one gradient per input, as
        the pass carries them (``take``), checked as PyTorch checks them."""
        gts = []
        for g, meta in zip(grads, self._out_meta):
            if g is None and self.materialize_grads and meta is not None:
                g = meta[2].zeros(meta[0], meta[1])
            gts.append(_as_tensor(g))
        res = self._cls.backward(self, *gts)
        if not isinstance(res, tuple):
            res = (res,)
        n_in = len(self._edges)
        if len(res) < n_in or any(r is not None for r in res[n_in:]):
            raise RuntimeError(
                f"function {self.name()} returned an incorrect number of gradients (expected "
                f"{n_in}, got {len(res)})"
            )
        out = []
        for i, r in enumerate(res[:n_in]):
            if r is None or self._edges[i][0] is None:
                out.append(None)
            elif not isinstance(r, Tensor):
                raise TypeError(
                    f"function {self.name()} returned a gradient of type {type(r).__name__} at "
                    f"index {i}; expected a Tensor or None"
                )
            else:
                out.append(take(r))
        return tuple(out)

    def _release(self):
        self._freed = True
        self._to_save = ()


class _FunctionMeta(type):
    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        cls._backward_cls = type(name + "Backward", (BackwardCFunction,), {"_forward_cls": cls})


class Function(metaclass=_FunctionMeta):
    """Base of user-defined differentiable operations.

    Subclass it with two static methods, then call ``MyFn.apply(*inputs)``::

        class Cube(Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x ** 3

            @staticmethod
            def backward(ctx, grad):
                (x,) = ctx.saved_tensors
                return grad * 3 * x ** 2
    """

    generate_vmap_rule = False

    def __init__(self, *args, **kwargs):
        raise RuntimeError(
            "Legacy autograd function with non-static forward method is deprecated. Please use "
            "new-style autograd function with static forward method. (Example: "
            "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)"
        )

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError(
            "You must implement the forward function for custom autograd.Function."
        )

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your custom "
            "autograd.Function to use it with backward mode AD."
        )

    vjp = backward

    @classmethod
    def apply(cls, *args, **kwargs):
        node = cls._backward_cls()
        node.needs_input_grad = tuple(isinstance(a, Tensor) and a._rg for a in args)
        separate_ctx = cls.setup_context is not Function.setup_context
        with grad_mode.no_grad():
            if separate_ctx:
                output = cls.forward(*args, **kwargs)
                cls.setup_context(node, args, output)
            else:
                output = cls.forward(node, *args, **kwargs)
        requires = _STATE.enabled and any(node.needs_input_grad)
        if not requires:
            return output
        return _connect_user_outputs(node, args, output)


def _connect_user_outputs(node, args, output):
    for t in node._to_save:
        if t is not None and t.is_inference():
            raise RuntimeError(_INFERENCE_SAVED)
    node._edges = tuple(edge(a) for a in args)
    node._in_shapes = tuple(a.shape if isinstance(a, Tensor) else None for a in args)
    multi = isinstance(output, tuple)
    outs = output if multi else (output,)
    node._n_out = len(outs)
    node._out_meta = [
        (o._data.shape, o._data.dtype, array_module(o._data)) if isinstance(o, Tensor) else None
        for o in outs
    ]
    input_ids = {id(a) for a in args if isinstance(a, Tensor)}
    results = []
    for i, o in enumerate(outs):
        if isinstance(o, Tensor) and id(o) not in node._non_diff and o.is_floating_point():
            if id(o) in node._dirty:
                if o.grad_fn is None and o._rg:
                    raise RuntimeError(
                        "a leaf Variable that requires grad is being used in an in-place operation."
                    )
            elif id(o) in input_ids or o.grad_fn is not None:
                o = o._alias()  # an input returned as is gets a new identity in the graph
            o._rg = True
            o.grad_fn = node
            o._output_nr = i
        results.append(o)
    return tuple(results) if multi else results[0]


def once_differentiable(fn):
    """Decorate a custom Function's ``backward`` that cannot itself be differentiated: it runs
    without recording a graph, so its results are plain tensors even under ``create_graph``."""
    import functools

    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with grad_mode.no_grad():
            return fn(ctx, *args)

    return wrapper
