"""Graph nodes: the primitives' base class, leaf accumulators and user-defined Functions.

Every op result that requires grad points at the node that made it (``grad_fn``). A node knows
the nodes of its inputs (``next_functions``), the tensors it saved for its derivative, and how
to turn the gradient of its outputs into gradients of its inputs (``backward``). The engine
(engine.py) walks these nodes; nothing else in numtorch walks the graph.

Two kinds of op build nodes:

* ``Primitive`` (numtorch's own ops): ``forward`` works on arrays, ``backward`` on arrays for a
  first-order pass, or on Tensors through ``ctx.xp`` when the engine is asked to
  ``create_graph`` (so every primitive has higher-order gradients from one formula).
* ``Function`` (the public ``torch.autograd.Function``): ``forward`` and ``backward`` take
  Tensors, as PyTorch users write them.
"""

from __future__ import annotations

import weakref

from .. import _autocast
from .._backend import array_module
from .._tensor import Tensor, wrap
from . import grad_mode

_STATE = grad_mode.STATE
_AUTOCAST = _autocast.REGION

FREED_MSG = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward."
)
_HINT = (
    "Hint: enable anomaly detection to find the operation that failed to compute its gradient, "
    "with torch.autograd.set_detect_anomaly(True, check_nan=False)."
)


_NO_EDGE = (None, 0)


def edge(t):
    """The (node, output_nr) pair through which gradient flows into tensor ``t``: its
    ``grad_fn``, or a leaf's AccumulateGrad; ``(None, 0)`` where no gradient flows."""
    if not isinstance(t, Tensor) or not t._rg:
        return _NO_EDGE
    fn = t.grad_fn
    if fn is not None:
        return (fn, t._output_nr)
    return (t._accumulator(), 0)


def _version_error(t, version, node_name, output_nr=0):
    where = ""
    fn = t.grad_fn if isinstance(t, Tensor) else None
    if node_name is not None:
        where = f", which is output {output_nr} of {node_name},"
    elif fn is not None:
        where = f", which is output {t._output_nr} of {fn.name().split('Backward')[0]},"
    shape = list(t.shape)
    return RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [{t.dtype.legacy_name} {shape}]{where} is at version {t._version}; "
        f"expected version {version} instead. {_HINT}"
    )


def check_same_device(args) -> None:
    """PyTorch's error where an op's tensors live on different devices (a GPU named first; a
    0-d CPU tensor goes with any device, as in PyTorch)."""
    devices = {a.device for a in args if isinstance(a, Tensor) and (a._data.ndim or not a.is_cpu)}
    if len(devices) > 1:
        first, second = sorted(devices, key=lambda d: (d.type == "cpu", str(d)))[:2]
        raise RuntimeError(
            "Expected all tensors to be on the same device, but found at least two devices, "
            f"{first} and {second}!"
        )


def broadcast_error(*shapes) -> RuntimeError:
    """PyTorch's error for shapes that do not broadcast, naming the first clashing dimension."""
    n = max(len(sh) for sh in shapes)
    padded = [(1,) * (n - len(sh)) + tuple(sh) for sh in shapes]
    for dim in range(n - 1, -1, -1):
        sizes = [sh[dim] for sh in padded if sh[dim] != 1]
        if len(set(sizes)) > 1:
            a = sizes[0]
            b = next(v for v in sizes if v != a)  # the first size that clashes with a
            return RuntimeError(
                f"The size of tensor a ({a}) must match the size of tensor b ({b}) at "
                f"non-singleton dimension {dim}"
            )
    return RuntimeError(f"shapes {[list(sh) for sh in shapes]} cannot be broadcast together")


class Node:
    """What the engine needs of every graph node.

    A node class's ``__name__`` is PyTorch's node name (``MeanBackward0``), which is what
    tools such as torchviz read: a class sets it with ``_name``, and ``Cls.named(name)`` is the
    class shown under another name (an op that PyTorch names by its variant, or a composite op
    whose last node takes the fused op's name), made once per name.
    """

    __slots__ = (
        "_edges",
        "_in_shapes",
        "_n_out",
        "_pre_hooks",
        "_post_hooks",
        "__weakref__",
    )
    _name = None
    # Which inputs ``next_functions`` lists, as in PyTorch: by default the floating-point
    # tensors; ``_edge_args`` (positions) overrides, and ``_wrapped_scalars`` lists every input
    # (Python numbers count as tensors, as PyTorch wraps them for ``x * 2``)
    _edge_args = None
    _wrapped_scalars = False
    # What the engine may assume of the gradients a node's backward returns (see
    # grad_kinds.ARRAYS.fresh)
    _fresh_views = False
    _grad_view = False

    @property
    def next_functions(self) -> tuple:
        """The nodes gradient flows to, one ``(node, output_nr)`` per differentiable input
        (``(None, 0)`` for one that needs no gradient)."""
        if self._wrapped_scalars:
            return tuple(self._edges)
        if self._edge_args is not None:
            return tuple(self._edges[i] for i in self._edge_args)
        return tuple(e for e, s in zip(self._edges, self._in_shapes) if s is not None)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("_name")
        if name:
            cls.__name__ = cls.__qualname__ = name
        for i, saved in enumerate(cls.__dict__.get("_save_names", ())):
            setattr(cls, "_saved_" + saved, property(lambda self, i=i: self._get_saved(i)))

    @classmethod
    def named(cls, name: str) -> type:
        """This node class under PyTorch's node ``name``."""
        if cls.__name__ == name:
            return cls
        shown = _NAMED.get((cls, name))
        if shown is None:
            shown = _NAMED[(cls, name)] = type(name, (cls,), {"__slots__": (), "_name": name})
        return shown

    def name(self) -> str:
        return type(self).__name__

    def __repr__(self):
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    def register_hook(self, fn):
        """``fn(grad_inputs, grad_outputs)`` runs after this node's backward."""
        if getattr(self, "_post_hooks", None) is None:
            self._post_hooks = []
        self._post_hooks.append(fn)
        return _RemovableHandle(self._post_hooks, fn)

    def register_prehook(self, fn):
        """``fn(grad_outputs)`` runs before this node's backward and may replace them."""
        return self._add_pre_hook(None, fn)

    def _add_pre_hook(self, output_nr, fn):
        if getattr(self, "_pre_hooks", None) is None:
            self._pre_hooks = []
        entry = (output_nr, fn)
        self._pre_hooks.append(entry)
        return _RemovableHandle(self._pre_hooks, entry)

    def _release(self):
        pass


_NAMED: dict = {}


class _RemovableHandle:
    __slots__ = ("_list", "_item")

    def __init__(self, lst, item):
        self._list, self._item = lst, item

    def remove(self):
        if self._item in self._list:
            self._list.remove(self._item)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


class RetainGrad:
    """The hook ``retain_grad()`` puts on a non-leaf's node: it keeps the gradient in ``.grad``
    (the engine runs it after the tensor's other hooks)."""

    __slots__ = ("_ref",)

    def __init__(self, tensor):
        self._ref = weakref.ref(tensor)

    def __call__(self, grad):
        t = self._ref()
        if t is not None:
            t._grad = grad.detach() if t._grad is None else t._grad + grad.detach()


class AccumulateGrad(Node):
    """The node of a leaf tensor: the engine adds the gradient arriving here into ``.grad``."""

    __slots__ = ("_variable",)

    def __init__(self, tensor):
        self._variable = weakref.ref(tensor)
        self._edges = ()
        self._in_shapes = ()
        self._n_out = 1
        self._pre_hooks = None
        self._post_hooks = None

    @property
    def variable(self):
        return self._variable()

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    def __repr__(self):
        return f"<AccumulateGrad object at {hex(id(self))}>"


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
    # Where the saved values come from, in order: an input's position, or None for the output
    # (a derivative table row declares them; a primitive without it saves arrays that are
    # matched to its inputs and output by identity)
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
                return ("in", a, a._vc, a._vc[0])
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
        return tuple(self._as_tensor(s, ref) for s, ref in zip(saved, self._refs))

    def _get_saved(self, i):
        if self._saved is None:
            raise RuntimeError(FREED_MSG)
        return self._as_tensor(self._saved[i], self._refs[i])

    def _as_tensor(self, array, ref):
        kind, obj = ref[0], ref[1]
        if kind == "in":
            return obj
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


def _declared_ref(i, args, results):
    """A saved value's reference: input ``i`` (checked against its version counter), a Python
    number among the inputs, or the output (``i`` None)."""
    if i is None:
        return ("out", 0, results[0]._vc, 0)
    a = args[i]
    if isinstance(a, Tensor):
        return ("in", a, a._vc, a._vc[0])
    return _CONST_REF


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
        self._versions = tuple(None if t is None else t._version for t in tensors)

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
