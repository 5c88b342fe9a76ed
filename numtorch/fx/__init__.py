"""``torch.fx``: symbolic tracing of modules into graphs of Python code.

Not supported by numtorch yet. The names exist because libraries name them at load time
(PyTorch Lightning annotates with ``torch.fx.GraphModule``); tracing or building a graph
raises an error that says what to do instead."""

from __future__ import annotations

__all__ = ["Graph", "GraphModule", "Node", "Proxy", "Tracer", "symbolic_trace", "wrap"]

_UNSUPPORTED = (
    "torch.fx.{} is not supported by numtorch: run the module eagerly, or record it with "
    "torch.compile"
)


class _Unsupported:
    def __init__(self, *args, **kwargs):
        raise NotImplementedError(_UNSUPPORTED.format(type(self).__name__))


class Graph(_Unsupported):
    """A traced program (not supported)."""


class GraphModule(_Unsupported):
    """A module whose forward is generated from a ``Graph`` (not supported)."""


class Node(_Unsupported):
    """One operation of a ``Graph`` (not supported)."""


class Proxy(_Unsupported):
    """The stand-in value that records operations while tracing (not supported)."""


class Tracer(_Unsupported):
    """What turns a module into a ``Graph`` (not supported)."""


def symbolic_trace(root, concrete_args=None):
    raise NotImplementedError(_UNSUPPORTED.format("symbolic_trace"))


def wrap(fn_or_name):
    raise NotImplementedError(_UNSUPPORTED.format("wrap"))
