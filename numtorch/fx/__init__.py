"""``torch.fx``: symbolic tracing of modules into graphs of Python code.

``symbolic_trace(module)`` runs ``forward`` on ``Proxy`` inputs and records what it does: calls
of ``torch``/``torch.nn.functional`` functions, operators and Tensor methods on the inputs,
``torch.nn`` submodules (one node each) and parameters. The ``GraphModule`` it returns prints
its ``code`` and ``graph`` as PyTorch's does and runs the generated code. Not supported (each
raises a clear error): ``concrete_args``, tensor constants made inside ``forward``, ``*args``
inputs and ``wrap``. PyTorch's passes (``subgraph_rewriter``, ``Interpreter``, ``ShapeProp``)
are not provided."""

from __future__ import annotations

from ..nn.modules.module import Module
from .graph import Graph, Node
from .graph_module import GraphModule
from .proxy import Proxy, TraceError, Tracer

__all__ = [
    "Graph",
    "GraphModule",
    "Node",
    "Proxy",
    "TraceError",
    "Tracer",
    "symbolic_trace",
    "wrap",
]


def symbolic_trace(root, concrete_args=None) -> GraphModule:
    """The ``GraphModule`` of ``root``'s forward (a Module; plain functions are not supported)."""
    if concrete_args is not None or not isinstance(root, Module):
        raise NotImplementedError(
            "torch.fx.symbolic_trace is supported by numtorch for an nn.Module without "
            "concrete_args: wrap a function in a Module"
        )
    graph = Tracer().trace(root)
    return GraphModule(root, graph, type(root).__name__)


def wrap(fn_or_name):
    raise NotImplementedError(
        "torch.fx.wrap is not supported by numtorch: call the function inside a leaf module"
    )
