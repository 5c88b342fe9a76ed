"""The model's graph for TensorBoard's Graphs tab, read from the autograd graph of one forward.

PyTorch traces the forward with TorchScript; numtorch has no tracer, so it runs the forward once
with the inputs requiring grad and follows ``grad_fn`` back from the outputs. Each node is an op
autograd recorded (named after its backward, ``AddmmBackward0`` shown as ``Addmm``), placed in the
scope of the innermost module that ran it (``Net/Linear[fc1]``), with parameters under their
module and inputs and outputs as PyTorch names them (``input/input.1``, ``output/output.1``).
Ops that depend on neither a parameter nor an input are not recorded by autograd, so not shown.
"""

from __future__ import annotations

import re

from tensorboard.compat.proto.config_pb2 import RunMetadata
from tensorboard.compat.proto.graph_pb2 import GraphDef
from tensorboard.compat.proto.node_def_pb2 import NodeDef
from tensorboard.compat.proto.step_stats_pb2 import DeviceStepStats, StepStats
from tensorboard.compat.proto.versions_pb2 import VersionDef

from ..._tensor import Tensor


def _scope_names(model) -> dict:
    """Module -> its scope as PyTorch writes it: ``Net/Sequential[body]/Linear[0]``."""
    scopes = {"": type(model).__name__}
    for name, module in model.named_modules():
        if name:
            parent, _, short = name.rpartition(".")
            scopes[name] = f"{scopes[parent]}/{type(module).__name__}[{short}]"
    return {module: scopes[name] for name, module in model.named_modules()}


def _tensors(value) -> list:
    if isinstance(value, Tensor):
        return [value]
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in _tensors(v)]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _tensors(v)]
    return []


def _claim(scopes: dict, scope: str, inputs, outputs) -> None:
    """Gives ``scope`` to the ops between a module's inputs and outputs that no inner module
    claimed (inner modules finish first, so their hooks run first)."""
    stop = {t.grad_fn for t in _tensors(inputs)}
    pending = [t.grad_fn for t in _tensors(outputs)]
    while pending:
        node = pending.pop()
        if node is None or node in stop or node in scopes:
            continue
        if type(node).__name__ != "AccumulateGrad":
            scopes[node] = scope
        pending.extend(fn for fn, _ in node.next_functions)


def _run(model, args):
    """The outputs of one forward, and the scope of each op autograd recorded in it."""
    import numtorch

    op_scopes: dict = {}
    hooks = [
        module.register_forward_hook(lambda m, i, o, scope=scope: _claim(op_scopes, scope, i, o))
        for module, scope in _scope_names(model).items()
    ]
    try:
        with numtorch.enable_grad():
            outputs = model(*args)
    finally:
        for hook in hooks:
            hook.remove()
    return _tensors(outputs), op_scopes


def _leaf_names(model, inputs) -> dict:
    """id of a leaf tensor -> its node name: parameters under their module, then inputs."""
    names = {}
    for module, scope in _scope_names(model).items():
        for name, param in module.named_parameters(recurse=False):
            names[id(param)] = f"{scope}/{name}"
    for i, tensor in enumerate(inputs):
        names[id(tensor)] = f"input/input.{i + 1}"
    return names


def _shape_attr(shape) -> dict:
    from tensorboard.compat.proto.attr_value_pb2 import AttrValue
    from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto

    dims = [TensorShapeProto.Dim(size=d) for d in shape]
    return {
        "_output_shapes": AttrValue(list=AttrValue.ListValue(shape=[TensorShapeProto(dim=dims)]))
    }


def _post_order(roots) -> list:
    """The autograd nodes reachable from ``roots``, each after all of its inputs."""
    order, seen, stack = [], set(), [(r, False) for r in roots if r is not None]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if node in seen:
            continue
        seen.add(node)
        stack.append((node, True))
        stack.extend((fn, False) for fn, _ in node.next_functions if fn is not None)
    return order


def _node_def(node, index, inputs, op_scopes, leaf_names, root_scope) -> NodeDef:
    if type(node).__name__ == "AccumulateGrad":
        leaf = node.variable
        name = leaf_names.get(id(leaf), f"{root_scope}/Constant_{index}")
        op = "IO Node" if name.startswith("input/") else "Parameter"
        return NodeDef(name=name, op=op, attr=_shape_attr(leaf.shape))
    op = re.sub(r"Backward\d*$", "", type(node).__name__)
    name = f"{op_scopes.get(node, root_scope)}/{op}_{index}"
    return NodeDef(name=name, op=op, input=inputs)


def graph(model, input_to_model=None, verbose=False):
    """The ``GraphDef`` of ``model`` run on ``input_to_model`` (a tensor or a tuple of them),
    with the run metadata PyTorch writes beside it (the CPU as the device)."""
    args = input_to_model if isinstance(input_to_model, (list, tuple)) else (input_to_model,)
    args = tuple(
        a.detach().requires_grad_(a.is_floating_point()) if isinstance(a, Tensor) else a
        for a in args
        if a is not None
    )
    outputs, op_scopes = _run(model, args)
    leaf_names = _leaf_names(model, [a for a in args if isinstance(a, Tensor)])
    root = type(model).__name__
    names, defs = {}, []
    for index, node in enumerate(_post_order([out.grad_fn for out in outputs])):
        inputs = [names[fn] for fn, _ in node.next_functions if fn is not None]
        defs.append(_node_def(node, index, inputs, op_scopes, leaf_names, root))
        names[node] = defs[-1].name
    for i, out in enumerate(outputs):
        source = [names[out.grad_fn]] if out.grad_fn is not None else []
        defs.append(
            NodeDef(
                name=f"output/output.{i + 1}",
                op="IO Node",
                input=source,
                attr=_shape_attr(out.shape),
            )
        )
    graph_def = GraphDef(node=defs, versions=VersionDef(producer=22))
    if verbose:
        print(graph_def)
    stats = StepStats(dev_stats=[DeviceStepStats(device="/device:CPU:0")])
    return graph_def, RunMetadata(step_stats=stats)
