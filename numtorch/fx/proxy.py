"""``torch.fx`` tracing: ``Proxy`` values stand in for the inputs and record what the module
does with them; ``Tracer`` runs the module's forward on proxies and returns the ``Graph``."""

from __future__ import annotations

import dis
import inspect
import operator

from .._tensor import Tensor
from ..nn.modules.container import Sequential
from ..nn.modules.module import Module
from ..overrides import TorchFunctionMode, _unrouted
from .graph import MAGIC_METHODS, UNARY_METHODS, Graph, leaves

__all__ = ["Proxy", "Attribute", "TraceError", "Tracer"]


class TraceError(ValueError):
    pass


class Proxy:
    """A value under tracing: every operation on it becomes a node of the graph."""

    def __init__(self, node, tracer: Tracer):
        self.node, self.tracer = node, tracer

    def __repr__(self):
        return f"Proxy({self.node.name})"

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return Attribute(self, name)

    def __getitem__(self, index):
        return self.tracer.create_proxy("call_function", operator.getitem, (self, index), {})

    def __bool__(self):
        raise TraceError("symbolically traced variables cannot be used as inputs to control flow")

    def __iter__(self):
        # ``a, b = proxy`` unpacks into getitem nodes, as PyTorch reads the caller's bytecode
        frame = inspect.currentframe().f_back
        at = next(i for i in dis.get_instructions(frame.f_code) if i.offset == frame.f_lasti)
        if at.opname == "UNPACK_SEQUENCE":
            return (self[i] for i in range(at.argval))
        raise TraceError(
            "Proxy object cannot be iterated. This can be attempted when the Proxy is used in a "
            "loop or as a *args or **kwargs function argument. See the torch.fx docs on "
            "pytorch.org for a more detailed explanation of what types of control flow can be "
            "traced, and check out the Proxy docstring for help troubleshooting Proxy iteration "
            "errors"
        )


class Attribute(Proxy):
    """``proxy.name``: a method call when called (``x.sum()``), else a ``getattr`` node."""

    def __init__(self, root: Proxy, attr: str):
        self.root, self.attr, self.tracer = root, attr, root.tracer
        self._node = None

    @property
    def node(self):
        if self._node is None:
            args = (self.root, self.attr)
            self._node = self.tracer.create_proxy("call_function", getattr, args, {}).node
        return self._node

    def __call__(self, *args, **kwargs):
        return self.tracer.create_proxy("call_method", self.attr, (self.root, *args), kwargs)


def _binary(fn, reflected: bool):
    def method(self, other):
        args = (other, self) if reflected else (self, other)
        return self.tracer.create_proxy("call_function", fn, args, {})

    return method


def _unary(fn):
    return lambda self: self.tracer.create_proxy("call_function", fn, (self,), {})


for _name in MAGIC_METHODS:
    _dunder = _name.rstrip("_")
    setattr(Proxy, f"__{_dunder}__", _binary(getattr(operator, _name), False))
    setattr(Proxy, f"__r{_dunder}__", _binary(getattr(operator, _name), True))
for _name in UNARY_METHODS:
    setattr(Proxy, f"__{_name}__", _unary(getattr(operator, _name)))


class _RecordCalls(TorchFunctionMode):
    """``torch.relu(proxy)``: calls of the public functions with a proxy become nodes."""

    def __init__(self, tracer: Tracer):
        self.tracer = tracer

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if any(isinstance(a, Proxy) for a in leaves((args, kwargs))):
            return self.tracer.create_proxy("call_function", _unrouted(func), args, kwargs)
        return func(*args, **kwargs)


class Tracer:
    """Traces a module's ``forward``: modules of ``torch.nn`` (other than ``Sequential``) stay
    single ``call_module`` nodes, the root's own code and its other submodules are traced
    through."""

    def __init__(self):
        self.graph = Graph()
        self.root = None
        self._paths: dict = {}
        self._attr_proxies: dict = {}

    def is_leaf_module(self, m: Module, module_qualified_name: str) -> bool:
        return type(m).__module__.startswith("numtorch.nn") and not isinstance(m, Sequential)

    def create_arg(self, a):
        """``a`` with its proxies as nodes; a parameter or buffer of the root as a get_attr."""
        if isinstance(a, Proxy):
            return a.node
        if isinstance(a, (tuple, list)):
            return type(a)(self.create_arg(v) for v in a)
        if isinstance(a, dict):
            return {k: self.create_arg(v) for k, v in a.items()}
        if isinstance(a, Tensor):
            for name, t in self.root.named_parameters():
                if t is a:
                    return self._attr_proxy(name).node
            for name, t in self.root.named_buffers():
                if t is a:  # PyTorch reads a buffer afresh at each use
                    return self.graph.get_attr(name)
            raise NotImplementedError(
                "torch.fx.symbolic_trace: a tensor made during forward without the inputs (a "
                "constant) is not supported by numtorch: register it as a buffer"
            )
        return a

    def create_proxy(self, kind: str, target, args, kwargs, name=None) -> Proxy:
        args, kwargs = self.create_arg(tuple(args)), self.create_arg(dict(kwargs))
        return Proxy(self.graph.create_node(kind, target, args, kwargs, name), self)

    def _attr_proxy(self, qualified_name: str) -> Proxy:
        if qualified_name not in self._attr_proxies:
            node = self.graph.get_attr(qualified_name)
            self._attr_proxies[qualified_name] = Proxy(node, self)
        return self._attr_proxies[qualified_name]

    def call_module(self, m: Module, forward, args, kwargs):
        path = self._paths.get(id(m))
        if path is None:
            raise NameError("module is not installed as a submodule")
        if self.is_leaf_module(m, path):
            return self.create_proxy("call_module", path, args, kwargs)
        return forward(m, *args, **kwargs)

    def trace(self, root: Module) -> Graph:
        self.root = root
        self._paths = {id(m): name for name, m in root.named_modules()}
        proxies = [self._placeholder(p) for p in _parameters(type(root).forward)]
        call, getattr_ = Module.__call__, Module.__getattr__
        tracer = self

        def traced_call(m, *args, **kwargs):
            return tracer.call_module(m, call, args, kwargs)

        def traced_getattr(m, name):
            value = getattr_(m, name)
            path = tracer._paths.get(id(m))
            if isinstance(value, Tensor) and path is not None and name in m._parameters:
                return tracer._attr_proxy(f"{path}.{name}" if path else name)
            return value

        Module.__call__, Module.__getattr__ = traced_call, traced_getattr
        try:
            with _RecordCalls(self):
                result = type(root).forward(root, *proxies)
        finally:
            Module.__call__, Module.__getattr__ = call, getattr_
        self.graph.output(self.create_arg(result))
        return self.graph

    def _placeholder(self, p: inspect.Parameter) -> Proxy:
        default = () if p.default is inspect.Parameter.empty else p.default
        return Proxy(self.graph.placeholder(p.name, default), self)


def _parameters(forward) -> list:
    params = list(inspect.signature(forward).parameters.values())[1:]
    for p in params:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            raise NotImplementedError(
                f"torch.fx.symbolic_trace: a forward with *{p.name} is not supported by numtorch: "
                "name each input"
            )
    return params
