"""The graph PyTorch records for ``F.linear``, shown on numtorch's one fused node.

PyTorch computes ``linear`` as ``addmm(bias, x, W.t())`` (``mm`` without a bias, ``matmul``
and ``add`` for a non-contiguous input) with views around inputs of other ranks, so its graph
has a ``TBackward0`` node over the weight and view nodes over the input. numtorch's engine runs
one fused node instead (real transpose and view nodes cost +24-28 % on the demo's training
step). This module gives that node PyTorch's ``next_functions``: nodes that show the structure
to the programs and tools that walk it (torchviz, tutorials, DistributedDataParallel's search
for unused parameters). The engine never runs them; gradients flow through the fused node.
"""

from __future__ import annotations

from ..autograd.node import _NO_EDGE, Node

_NO_HOOKS = (
    "{} is a node of the graph PyTorch records, which numtorch computes inside one node "
    "({}): hooks cannot run on it. Register the hook on that node (grad_fn.register_hook) or "
    "on the tensor (Tensor.register_hook) instead."
)


class ShownNode(Node):
    """A node of PyTorch's graph that a fused numtorch node computes inside its own backward."""

    __slots__ = ("_fused",)
    _wrapped_scalars = True  # next_functions lists the edges exactly as given

    def __init__(self, fused, *edges):
        self._fused = fused
        self._edges = edges
        self._in_shapes = ()
        self._n_out = 1
        self._pre_hooks = self._post_hooks = None

    def register_hook(self, fn):
        raise RuntimeError(_NO_HOOKS.format(self.name(), self._fused.name()))

    def register_prehook(self, fn):
        raise RuntimeError(_NO_HOOKS.format(self.name(), self._fused.name()))


def _over(fused, name, edge):
    """The edge into a shown node ``name`` over ``edge``: none where no gradient flows."""
    if edge[0] is None:
        return _NO_EDGE
    return (ShownNode.named(name)(fused, edge), 0)


def _flattened(fused, x, reshape):
    """The edge of ``x.reshape(-1, k)`` as PyTorch records it for the input's strides."""
    if reshape == "clone":  # a copy: PyTorch's reshape clones, then views the copy
        return _over(fused, "UnsafeViewBackward0", _over(fused, "CloneBackward0", x))
    return _over(fused, reshape, x)


def linear_edges(node, root: str, reshape: str | None) -> tuple:
    """``next_functions`` of the fused linear ``node`` shown as PyTorch's node ``root``;
    ``reshape`` names the node that flattens an input of more than two dimensions."""
    x, w, b = node._edges
    t = _over(node, "TBackward0", w)
    if root == "AddmmBackward0":
        return (b, x, t)
    if root == "MmBackward0":
        return (x, t)
    if root == "ViewBackward0":  # a contiguous input, flattened by a view, and a bias
        addmm = ShownNode.named("AddmmBackward0")(node, b, _over(node, "ViewBackward0", x), t)
        return ((addmm, 0),)
    if reshape is None:  # a 1-D input: matmul's unsqueeze and squeeze around mm
        mm = ShownNode.named("MmBackward0")(node, _over(node, "UnsqueezeBackward0", x), t)
        around = "SqueezeBackward4"
    else:
        mm = ShownNode.named("MmBackward0")(node, _flattened(node, x, reshape), t)
        around = "UnsafeViewBackward0"
    if root != "AddBackward0":
        return ((mm, 0),)
    # a non-contiguous input: matmul, then the bias added
    return ((ShownNode.named(around)(node, (mm, 0)), 0), b)
