"""``torch.fx.Graph`` and ``Node``: a traced program as a list of nodes, printed and turned
into Python source as PyTorch prints it."""

from __future__ import annotations

import builtins
import keyword
import re

__all__ = ["Graph", "Node"]

# how an operator from the ``operator`` module reads in generated code (PyTorch's table)
MAGIC_METHODS = {"eq": "==", "ne": "!=", "lt": "<", "gt": ">", "le": "<=", "ge": ">="}
MAGIC_METHODS.update({"add": "+", "sub": "-", "mul": "*", "floordiv": "//", "truediv": "/"})
MAGIC_METHODS.update({"mod": "%", "pow": "**", "lshift": "<<", "rshift": ">>", "and_": "&"})
MAGIC_METHODS.update({"or_": "|", "xor": "^", "matmul": "@"})
UNARY_METHODS = {"pos": "+", "neg": "-", "invert": "~"}
_NAME = re.compile(r"^([a-zA-Z_][0-9a-zA-Z_]*?)(?:_(\d+))?$")
_ILLEGAL_CHARS = re.compile("[^0-9a-zA-Z_]+")
# names generated code must not shadow: keywords, builtins and the globals the code reads
_RESERVED = set(keyword.kwlist) | set(vars(builtins)) | {"torch", "inf", "nan", "device"}


class Node:
    """One operation: ``op`` (placeholder, get_attr, call_function, call_module, call_method,
    output), its ``target``, ``args`` and ``kwargs`` (holding other nodes), and ``users``."""

    def __init__(self, graph: Graph, name: str, op: str, target, args: tuple, kwargs: dict):
        self.graph, self.name, self.op, self.target = graph, name, op, target
        self.args, self.kwargs = args, kwargs
        self.users: dict = {}
        self.meta: dict = {}
        self.type = None
        for used in _nodes_in((args, kwargs)):
            used.users.setdefault(self, None)

    @property
    def all_input_nodes(self) -> list:
        return list(dict.fromkeys(_nodes_in((self.args, self.kwargs))))

    def __repr__(self):
        return self.name

    def format_node(self) -> str:
        """The node's line in ``print(graph)``."""
        if self.op == "output":
            return f"return {code_repr(self.args[0])}"
        head = (
            f"%{self.name} : [num_users={len(self.users)}] = {self.op}[target={_target_name(self)}]"
        )
        if self.op == "placeholder":
            return head + (f"(default={self.args[0]})" if self.args else "")
        if self.op == "get_attr":
            return head
        return f"{head}(args = {_graph_repr(self.args)}, kwargs = {_graph_repr(self.kwargs)})"


def leaves(value):
    """The values inside nested tuples, lists and dicts."""
    if isinstance(value, (tuple, list)):
        for v in value:
            yield from leaves(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from leaves(v)
    else:
        yield value


def _nodes_in(value):
    return (v for v in leaves(value) if isinstance(v, Node))


def _target_name(node: Node) -> str:
    if node.op != "call_function":
        return node.target
    return qualified_name(node.target)


def qualified_name(fn) -> str:
    """``operator.add``, ``builtins.getattr``, ``torch.relu``: where PyTorch's code finds it."""
    from ..overrides import _qualname

    module = getattr(fn, "__module__", None)
    if module == "_operator":
        return f"operator.{fn.__name__}"
    if module == "builtins":
        return f"builtins.{fn.__name__}"
    return _qualname(fn)


def _spell(value, node, plain) -> str:
    """Nested tuples, lists and dicts spelled with ``node(n)`` for nodes and ``plain(v)`` for
    keys and other values."""
    if isinstance(value, Node):
        return node(value)
    if isinstance(value, (tuple, list)):
        inner = ", ".join(_spell(v, node, plain) for v in value)
        if isinstance(value, list):
            return f"[{inner}]"
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, dict):
        items = (f"{plain(k)}: {_spell(v, node, plain)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    return plain(value)


def _graph_repr(value) -> str:
    """An argument as ``print(graph)`` shows it: nodes as ``%name``, strings bare."""
    return _spell(value, lambda n: f"%{n.name}", str)


def code_repr(value) -> str:
    """An argument as generated code spells it."""
    return _spell(value, lambda n: n.name, repr)


def _attribute(base: str, target: str) -> str:
    """``self.a.b``, with ``getattr(self, "0")`` for a part that is not an identifier."""
    for part in target.split("."):
        base = f"{base}.{part}" if part.isidentifier() else f'getattr({base}, "{part}")'
    return base


class _Namespace:
    """Unique names that shadow no builtin: ``sum`` becomes ``sum_1``, a second ``relu``
    ``relu_1``, a module named ``0`` ``_0`` (PyTorch's rules)."""

    def __init__(self):
        self.used: set = set()
        self.counts: dict = {}

    def create_name(self, candidate: str) -> str:
        match = _NAME.match(candidate)
        if match is None:
            candidate = _ILLEGAL_CHARS.sub("_", candidate) or "_unnamed"
            candidate = f"_{candidate}" if candidate[0].isdigit() else candidate
            match = _NAME.match(candidate)
        base, num = match.group(1, 2)
        if num is None or candidate in self.used:
            num = self.counts.get(base, 0)
            if candidate in _RESERVED:
                num += 1
                candidate = f"{base}_{num}"
        else:
            num = int(num)
        while candidate in self.used:
            num += 1
            candidate = f"{base}_{num}"
        self.used.add(candidate)
        self.counts[base] = num
        return candidate


class Graph:
    """The nodes of a traced program in execution order."""

    def __init__(self):
        self._nodes: list = []
        self._names = _Namespace()

    @property
    def nodes(self) -> list:
        return list(self._nodes)

    def create_node(self, op: str, target, args=(), kwargs=None, name=None) -> Node:
        name = self._names.create_name(name or _candidate(op, target))
        node = Node(self, name, op, target, tuple(args), dict(kwargs or {}))
        self._nodes.append(node)
        return node

    def placeholder(self, name: str, default_value=()) -> Node:
        args = () if default_value == () else (default_value,)
        return self.create_node("placeholder", name, args)

    def get_attr(self, qualified_name: str) -> Node:
        return self.create_node("get_attr", qualified_name)

    def call_module(self, module_name: str, args=(), kwargs=None) -> Node:
        return self.create_node("call_module", module_name, args, kwargs)

    def call_method(self, method_name: str, args=(), kwargs=None) -> Node:
        return self.create_node("call_method", method_name, args, kwargs)

    def call_function(self, the_function, args=(), kwargs=None) -> Node:
        return self.create_node("call_function", the_function, args, kwargs)

    def output(self, result) -> Node:
        return self.create_node("output", "output", (result,))

    def __str__(self):
        return "\n    ".join(["graph():"] + [n.format_node() for n in self._nodes])

    def python_code(self, root_module: str = "self") -> str:
        """The source of ``forward``, each value dropped (``x = None``) after its last use."""
        seen, dropped_at = set(), {}
        for node in reversed(self._nodes):
            for used in node.all_input_nodes:
                if used not in seen:
                    seen.add(used)
                    dropped_at.setdefault(node, []).append(used)
        free_vars, body = [], []
        for node in self._nodes:
            if node.op == "placeholder":
                default = f" = {code_repr(node.args[0])}" if node.args else ""
                free_vars.append(f"{node.target}{default}")
                if node.target != node.name:
                    body.append(f"{node.name} = {node.target}")
            elif node.op == "output":
                body.append(f"return {code_repr(node.args[0])}")
                continue
            else:
                body.append(_emit(node, root_module))
            drop = dropped_at.get(node, [])
            if not node.users and node.op != "placeholder":
                drop.append(node)
            if drop:
                body[-1] += ";  " + " = ".join([n.name for n in drop] + ["None"])
        lines = "\n    ".join(body)
        return f"\n\n\ndef forward({', '.join([root_module, *free_vars])}):\n    {lines}\n    "


def _candidate(op: str, target) -> str:
    if op == "call_function":
        return getattr(target, "__name__", "function")
    return str(target).replace(".", "_")


def _emit(node: Node, root: str) -> str:
    """The line of generated code that computes ``node``."""
    args = ", ".join(
        [code_repr(a) for a in node.args]
        + [f"{k} = {code_repr(v)}" for k, v in node.kwargs.items()]
    )
    if node.op == "get_attr":
        return f"{node.name} = {_attribute(root, node.target)}"
    if node.op == "call_module":
        return f"{node.name} = {_attribute(root, node.target)}({args})"
    if node.op == "call_method":
        rest = ", ".join(
            [code_repr(a) for a in node.args[1:]]
            + [f"{k} = {code_repr(v)}" for k, v in node.kwargs.items()]
        )
        return f"{node.name} = {_attribute(code_repr(node.args[0]), node.target)}({rest})"
    fn = node.target
    if getattr(fn, "__module__", None) == "_operator":
        operands = [code_repr(a) for a in node.args]
        if fn.__name__ in MAGIC_METHODS:
            return f"{node.name} = {operands[0]} {MAGIC_METHODS[fn.__name__]} {operands[1]}"
        if fn.__name__ in UNARY_METHODS:
            return f"{node.name} = {UNARY_METHODS[fn.__name__]}{operands[0]}"
        if fn.__name__ == "getitem":
            return f"{node.name} = {operands[0]}[{operands[1]}]"
    if fn is getattr and isinstance(node.args[1], str) and node.args[1].isidentifier():
        return f"{node.name} = {code_repr(node.args[0])}.{node.args[1]}"
    return f"{node.name} = {qualified_name(fn).removeprefix('builtins.')}({args})"
