"""``torch.fx.GraphModule``: a module whose ``forward`` is the Python code of a ``Graph``."""

from __future__ import annotations

import operator

from .. import nn
from .graph import Graph

__all__ = ["GraphModule"]


class GraphModule(nn.Module):
    """Holds the submodules and parameters the graph reads (copied from ``root`` at the same
    paths) and runs the graph's generated code as ``forward``. Its class takes the traced
    module's class name, as in PyTorch."""

    def __new__(cls, root, graph: Graph, class_name: str = "GraphModule"):
        # each instance gets its own class, whose forward is the compiled graph
        return super().__new__(type(class_name, (cls,), {}))

    def __init__(self, root, graph: Graph, class_name: str = "GraphModule"):
        super().__init__()
        for node in graph.nodes:
            if node.op in ("call_module", "get_attr"):
                _copy_attr(root, self, node.target)
        self.graph = graph
        self.recompile()

    @property
    def code(self) -> str:
        return self._code

    def recompile(self) -> None:
        """Generate ``forward`` from the graph again (after editing it)."""
        import numtorch

        self._code = self.graph.python_code("self")
        scope = {"torch": numtorch, "operator": operator}
        exec(compile(self._code, f"<eval_with_key>.{id(self)}", "exec"), scope)
        type(self).forward = scope["forward"]

    def print_readable(self, print_output: bool = True) -> str:
        text = f"class {type(self).__name__}(torch.nn.Module):{self._code}"
        if print_output:
            print(text)
        return text

    def __str__(self):
        return (
            f"{nn.Module.__repr__(self)}\n{self._code}\n"
            "# To see more debug info, please use `graph_module.print_readable()`"
        )


def _copy_attr(root, target, qualified_name: str) -> None:
    """``target.a.b = root.a.b``, with plain modules for the intermediate ``a``."""
    *prefix, field = qualified_name.split(".")
    for part in prefix:
        root = getattr(root, part)
        if part not in target._modules:
            target.add_module(part, nn.Module())
        target = target._modules[part]
    value = getattr(root, field)
    if isinstance(value, nn.Module):
        target.add_module(field, value)
    elif isinstance(value, nn.Parameter):
        target.register_parameter(field, value)
    else:
        target.register_buffer(field, value)
