"""The two kinds of gradient a backward pass carries. The engine picks one per pass from
``create_graph`` and hands it to every step, so that no step branches on the graph mode:

* ``ARRAYS`` (a first-order pass): gradients are arrays of the device's array module; the engine
  owns the buffers it made and adds into them in place.
* ``TENSORS`` (``create_graph=True``): gradients are Tensors, so the pass records a graph of its
  own and its result can be differentiated again; the engine owns no buffer (a node of the new
  graph may have saved it) and adds out of place.
"""

from __future__ import annotations

from .. import _backend
from .._tensor import Tensor, wrap


def _as_tensor(g):
    return g if g is None or isinstance(g, Tensor) else wrap(g)


class ARRAYS:
    """Gradients as arrays: the first-order pass, the fast one."""

    graph = False
    owned = set  # the engine's own buffers: it may add into them in place

    @staticmethod
    def take(t: Tensor):
        """A gradient a hook or a Function returned (a Tensor), as this pass carries it."""
        return t._data

    @staticmethod
    def of(array):
        """An array made by the engine (an implicit root gradient), as this pass carries it."""
        return array

    @staticmethod
    def module(grads):
        """The array module a node's backward computes with: its gradients' own."""
        return _backend.array_module(next(g for g in grads if g is not None))

    @staticmethod
    def fresh(owned, node, g, grads) -> bool:
        """Whether ``g``, returned by ``node``, is the engine's to add into in place: a new
        array that is none of the gradients the node received, a view of a new array where the
        node says its views are (``_fresh_views``), or the view of an owned gradient that a
        view op's backward returns (``_grad_view``: nothing else holds that gradient once the
        node ran)."""
        if g.base is not None:
            if node._grad_view:
                return (node, 0) in owned
            if not node._fresh_views:
                return False
        for x in grads:
            if g is x:
                return False
        return True

    @staticmethod
    def add_to_grad(tensor: Tensor, g, owned: bool) -> None:
        """``tensor.grad += g``, in place where ``.grad`` is not part of a graph, taking ``g``
        itself as the first ``.grad`` where the engine owns it."""
        if g.dtype != tensor._data.dtype:
            g = g.astype(tensor._data.dtype)
            owned = True
        current = tensor._grad
        if current is None:
            tensor._grad = wrap(g if owned else g.copy())
        elif current._rg:
            tensor._grad = wrap(current._data + g)
        else:
            current._data += g


class _Unowned:
    """The owned buffers of a ``TENSORS`` pass: none, whatever is added."""

    __slots__ = ()

    def add(self, key) -> None:
        pass

    def discard(self, key) -> None:
        pass

    def __contains__(self, key) -> bool:
        return False


class TENSORS:
    """Gradients as Tensors: ``create_graph=True``."""

    graph = True
    owned = _Unowned

    @staticmethod
    def take(t: Tensor):
        return t

    of = staticmethod(wrap)

    @staticmethod
    def module(grads):
        from ..ops import graph_xp  # the ops sit above autograd: imported when first used

        return graph_xp

    @staticmethod
    def fresh(owned, node, g, grads) -> bool:
        return False

    @staticmethod
    def add_to_grad(tensor: Tensor, g, owned: bool) -> None:
        g = _as_tensor(g)
        if tensor._grad is None:
            from ..ops.inplace import Copy  # the ops sit above autograd: imported when first used

            # PyTorch stores a copy, recorded (CopyBackwards): never a view of another tensor
            empty = _backend.array_module(g._data).empty(g._data.shape, g._data.dtype)
            tensor._grad = Copy.apply(wrap(empty), g)
        else:
            tensor._grad = tensor._grad + g


def of_pass(create_graph: bool):
    """The kind of gradient of a pass."""
    return TENSORS if create_graph else ARRAYS
