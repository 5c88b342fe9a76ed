"""What transformers touches while it loads and runs a model on the CPU: ``torch.accelerator``,
``torch.nn.attention``, ``torch.autograd.graph``, ``torch._dynamo`` hints, ``torch.cuda``'s
graph and stream classes, ``_pytree._dict_flatten_with_keys``, ``torch.library.custom_op``;
each as PyTorch's CPU build behaves, or a clear refusal where numtorch does not support it."""

from __future__ import annotations

import itertools
import subprocess
import sys

import pytest

import numtorch

try:
    import torch
except ImportError:  # the oracle is optional
    torch = None

requires_torch = pytest.mark.skipif(torch is None, reason="PyTorch (the oracle) not installed")


def _outcome(fn):
    try:
        return fn()
    except Exception as e:  # compared by type and text
        return type(e).__name__, str(e)


@requires_torch
def test_accelerator_without_a_gpu_as_pytorch():
    def run(lib):
        acc = lib.accelerator
        calls = [acc.current_accelerator, acc.is_available, acc.device_count]
        calls += [acc.current_device_index, lambda: acc.set_device_index(0), acc.synchronize]
        calls += [lambda: acc.device_index(None).__enter__()]
        return [_outcome(c) for c in calls]

    assert run(numtorch) == run(torch)


@requires_torch
def test_sdpa_kernel_sets_pytorch_switches_and_restores_them():
    def run(lib):
        att, flags = lib.nn.attention, lib.backends.cuda
        states = []
        for backends in (att.SDPBackend.MATH, [att.SDPBackend.FLASH_ATTENTION]):
            with att.sdpa_kernel(backends) as got:
                states.append((got, flags.math_sdp_enabled(), flags.flash_sdp_enabled()))
                states.append(flags.mem_efficient_sdp_enabled())
        states.append((flags.math_sdp_enabled(), flags.flash_sdp_enabled()))
        states.append(_outcome(lambda: att.sdpa_kernel("MATH").__enter__()))
        return states, [(n, int(m)) for n, m in att.SDPBackend.__members__.items()]

    assert run(numtorch) == run(torch)


def test_unsupported_attention_and_graph_hooks_refuse_clearly():
    from numtorch.autograd.graph import save_on_cpu, saved_tensors_hooks
    from numtorch.nn.attention import flex_attention as flex

    for call in (flex.create_block_mask, flex.flex_attention, flex.BlockMask):
        with pytest.raises(NotImplementedError, match="not supported by numtorch.*sdpa"):
            call(None)
    assert flex.AuxRequest(lse=True) == (True, False)
    for hooks in (save_on_cpu(pin_memory=True), saved_tensors_hooks(lambda t: t, lambda t: t)):
        with pytest.raises(NotImplementedError, match="not supported by numtorch"):
            with hooks:
                pass


@requires_torch
def test_cuda_graph_classes_refuse_as_on_pytorch_cpu_build():
    for name in ("CUDAGraph", "graph"):
        with pytest.raises(RuntimeError, match="not supported by numtorch"):
            getattr(numtorch.cuda, name)()
    with pytest.raises(RuntimeError):
        torch.cuda.CUDAGraph()
    assert isinstance(numtorch.cuda.stream(None), numtorch.cuda.StreamContext)
    with numtorch.cuda.stream(None):
        pass


@requires_torch
def test_dynamo_hints_as_pytorch():
    def run(lib):
        def three():
            return 3

        kept = lib._dynamo.assume_constant_result(three)
        marked = lib._dynamo.mark_static_address(lib.ones(2))
        return kept(), marked, _outcome(lambda: lib._dynamo.mark_static_address([1]))

    assert run(numtorch) == run(torch)
    assert numtorch._dynamo.allow_in_graph is numtorch.compiler.allow_in_graph


@requires_torch
def test_transform_getitem_to_index_leaves_indexing_as_pytorch():
    def run(lib):
        from importlib import import_module

        mode = import_module(f"{lib.__name__}._dynamo._trace_wrapped_higher_order_op")
        a = lib.arange(12.0).reshape(3, 4)
        with mode.TransformGetItemToIndex():
            return a[lib.tensor(1)].tolist(), a[lib.tensor(2), 3].tolist()

    assert run(numtorch) == run(torch)


@requires_torch
def test_dict_flatten_with_keys_as_pytorch():
    from torch.utils import _pytree as theirs

    from numtorch.utils import _pytree as ours

    d = {"b": 1, "a": [2]}
    got, want = ours._dict_flatten_with_keys(d), theirs._dict_flatten_with_keys(d)
    assert [(str(k), v) for k, v in got[0]] == [(str(k), v) for k, v in want[0]]
    assert got[1] == want[1]


# --- torch.library.custom_op: a Python function as one operator, its backward registered apart
_FRESH = itertools.count()


def _scale_op(lib, with_autograd: bool):
    """``x * k`` as an operator whose registered backward is deliberately not its derivative
    (10x), so a backward that traced the function's own ops would give other numbers."""
    name = f"ecotest::scale{next(_FRESH)}"

    def scale(x, k: float):
        return x * k

    scale.__annotations__ = {"x": lib.Tensor, "k": float, "return": lib.Tensor}
    op = lib.library.custom_op(name, scale, mutates_args=())
    if with_autograd:

        def setup_context(ctx, inputs, output):
            ctx.k = inputs[1]

        op.register_autograd(lambda ctx, g: (g * ctx.k * 10, None), setup_context=setup_context)
    return op, name


@requires_torch
@pytest.mark.parametrize("with_autograd", [True, False])
def test_registered_backward_runs_as_pytorch(with_autograd):
    def run(lib):
        op, name = _scale_op(lib, with_autograd)
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = op(x, k=3.0)
        opname = name.split("::")[1]
        node = type(y.grad_fn).__name__.replace(opname, "OP")
        by_namespace = getattr(lib.ops.ecotest, opname)(x, 2.0).tolist()
        grad = _outcome(lambda: (y.sum().backward(), x.grad)[1])
        if isinstance(grad, tuple):  # the error names the operator
            grad = grad[0], grad[1].replace(opname, "OP")
        return y.tolist(), node, by_namespace, grad

    ours, theirs = run(numtorch), run(torch)
    assert ours[:3] == theirs[:3]
    if with_autograd:
        assert ours[3].tolist() == theirs[3].tolist() == [30.0, 30.0]
    else:
        assert ours[3] == theirs[3]
        assert ours[3][0] == "RuntimeError"


@requires_torch
def test_errors_as_pytorch():
    def run(lib):
        def unannotated(x):
            return x

        def same(x):
            return x

        same.__annotations__ = {"x": lib.Tensor, "return": lib.Tensor}

        aliasing = lib.library.custom_op(f"ecotest::same{next(_FRESH)}", same, mutates_args=())
        return (
            _outcome(lambda: lib.library.custom_op("ecotest::u", unannotated, mutates_args=())),
            _outcome(lambda: aliasing(lib.ones(2)))[0],
            _outcome(lambda: lib.ops.ecotest.nothing_here),
        )

    assert run(numtorch) == run(torch)


def test_fake_and_kernel_registration():
    calls = []

    def negate(x):
        return -x

    negate.__annotations__ = {"x": numtorch.Tensor, "return": numtorch.Tensor}
    neg = numtorch.library.custom_op(f"ecotest::neg{next(_FRESH)}", negate, mutates_args=())

    @neg.register_fake
    def _(x):
        calls.append("fake")
        return numtorch.empty_like(x)

    numtorch.library.register_kernel(neg, "cpu", lambda x: x * -2)
    assert neg(numtorch.ones(2)).tolist() == [-2.0, -2.0]
    assert calls == []  # the shape function is for compilers: eager calls never run it
    with pytest.raises(ValueError, match="not a custom operator registered"):
        numtorch.library.register_fake("aten::add", lambda x: x)


def test_ops_namespaces_leave_numtorch_submodules_importable():
    """``torch.ops.<ns>`` names custom-op namespaces, but a numtorch.ops submodule not yet
    imported stays a module (the engine imports one lazily during create_graph backwards)."""
    code = (
        "import numtorch.ops as o, types; from numtorch.ops import graph_xp; "
        "print(isinstance(graph_xp, types.ModuleType), type(o.anything).__name__)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.split() == ["True", "OpNamespace"], done.stderr
