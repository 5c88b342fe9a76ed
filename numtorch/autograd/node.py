"""Graph nodes: what the engine (engine.py) walks.

Every op result that requires grad points at the node that made it (``grad_fn``). A node knows
the nodes of its inputs (``next_functions``, one edge per input), its hooks, and how to turn the
gradient of its outputs into gradients of its inputs. ``Node`` is what every node has;
``AccumulateGrad`` is a leaf's node; the op nodes (``Primitive``, a user ``Function``'s
``FBackward``) are in function.py. The errors that nodes and ops raise in PyTorch's words
live here too, so that both kinds of node share them.
"""

from __future__ import annotations

import weakref

from .._tensor import Tensor
from .grad_kinds import _as_tensor

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
            if saved:  # None: a value PyTorch does not show
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

    def _run_pre_hooks(self, grads, take):
        """The gradients of this node's outputs after its pre-hooks (``take`` turns what a hook
        returns into what the pass carries)."""
        grads = list(grads)
        # NOTE: as in PyTorch 2, retain_grad's hook runs after every other hook of the tensor,
        # so .grad holds the gradient the hooks made, whatever the order they were registered in
        hooks = sorted(self._pre_hooks, key=lambda entry: isinstance(entry[1], RetainGrad))
        for nr, hook in hooks:
            if nr is None:
                res = hook(tuple(_as_tensor(g) for g in grads))
                if res is not None:
                    grads = [None if r is None else take(r) for r in res]
            elif grads[nr] is not None:
                res = hook(_as_tensor(grads[nr]))
                if res is not None:
                    grads[nr] = take(res)
        return grads

    def _run_post_hooks(self, out, grads):
        for hook in self._post_hooks:
            hook(tuple(_as_tensor(g) for g in out), tuple(_as_tensor(g) for g in grads))

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
