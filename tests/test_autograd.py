"""Autograd semantics as PyTorch has them (TORCH_FACTS §3); none of these need PyTorch."""

import gc
import warnings

import numpy as np
import pytest

import numtorch as torch
from numtorch.autograd import Function, Variable


def t(values, **kw):
    return torch.tensor(values, **kw)


def test_backward_twice_without_retain_graph_raises():
    x = t([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_graph_without_saved_tensors_can_run_twice_and_accumulates():
    x = t([1.0, 2.0], requires_grad=True)
    y = (x + 1).sum()
    y.backward()
    y.backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_retain_graph_accumulates():
    x = t([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == [4.0, 8.0]


def test_non_scalar_backward_needs_gradient():
    x = t([1.0, 2.0], requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar"):
        y.backward()
    y.backward(t([1.0, 0.5]))
    assert x.grad.tolist() == [2.0, 1.0]


def test_gradient_shape_mismatch():
    x = t([1.0, 2.0], requires_grad=True)
    with pytest.raises(
        RuntimeError,
        match=r"Mismatch in shape: grad_output\[0\] has a shape of "
        r"torch.Size\(\[3\]\) and output\[0\] has a shape of torch.Size\(\[2\]\)",
    ):
        (x * 2).backward(t([1.0, 1.0, 1.0]))


def test_backward_on_tensor_without_grad():
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad"):
        t([1.0]).sum().backward()


def test_grad_reset_forms():
    x = t([3.0], requires_grad=True)
    (x * 1).sum().backward()
    (x * 1).sum().backward()
    assert x.grad.item() == 2.0
    x.grad.zero_()
    (x * 1).sum().backward()
    assert x.grad.item() == 1.0
    x.grad = None
    (x * 2).sum().backward()
    assert x.grad.item() == 2.0


def test_assigning_wrong_shaped_grad():
    x = t([1.0, 2.0], requires_grad=True)
    with pytest.raises(
        RuntimeError,
        match="attempting to assign a gradient of size '\\[3\\]' to a tensor of size '\\[2\\]'",
    ):
        x.grad = t([1.0, 2.0, 3.0])


def test_zero_d_parameter_broadcast_gets_reduced_gradient():
    w = t(1.5, requires_grad=True)
    (w * t([1.0, 1.0, 1.0])).sum().backward()
    assert w.grad.shape == () and w.grad.item() == 3.0


def test_broadcast_gradients_sum_to_input_shape():
    a = t(np.ones((3, 1)), requires_grad=True)
    b = t(np.arange(4.0), requires_grad=True)
    (a * b).sum().backward()
    assert a.grad.shape == (3, 1) and a.grad.tolist() == [[6.0]] * 3
    assert b.grad.tolist() == [3.0] * 4


def test_non_leaf_grad_warns_and_is_none():
    x = t([1.0], requires_grad=True)
    y = x * 2
    y.sum().backward()
    with pytest.warns(UserWarning, match="is not a leaf Tensor is being accessed"):
        assert y.grad is None


def test_retain_grad():
    x = t([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    (y * y).sum().backward()
    assert y.retains_grad and y.grad.tolist() == [4.0, 8.0]


def test_inplace_on_saved_tensor_is_detected():
    x = t([1.0, 2.0], requires_grad=True)
    y = x + 1
    z = y * y
    y.add_(1)
    with pytest.raises(
        RuntimeError,
        match=r"modified by an inplace operation: "
        r"\[torch.FloatTensor \[2\]\], which is output 0 of Add, is at version 1; "
        r"expected version 0 instead",
    ):
        z.sum().backward()


def test_inplace_on_saved_leaf_is_detected_without_output_clause():
    x = t([1.0, 2.0], requires_grad=True)
    a = t([3.0, 4.0])
    z = x * a
    a.mul_(2)
    with pytest.raises(
        RuntimeError,
        match=r"\[torch.FloatTensor \[2\]\] is at version 1; "
        "expected version 0",
    ):
        z.sum().backward()


def test_data_does_not_bump_version_but_detach_does():
    x = t([1.0, 2.0], requires_grad=True)
    a = t([3.0, 4.0])
    z = x * a
    a.data.mul_(2)
    z.sum().backward()
    assert x.grad.tolist() == [6.0, 8.0]
    b = t([3.0, 4.0])
    z = x * b
    b.detach().mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


def test_inplace_on_leaf_requiring_grad():
    x = t([1.0, 2.0], requires_grad=True)
    with pytest.raises(
        RuntimeError,
        match="a leaf Variable that requires grad is being used in an in-place operation.",
    ):
        x.add_(1)
    with torch.no_grad():
        x.add_(1)
    assert x.tolist() == [2.0, 3.0]


def test_inplace_on_non_leaf_keeps_gradients_right():
    x = t([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.mul_(3)
    y.sum().backward()
    assert x.grad.tolist() == [6.0, 6.0]
    assert y.grad_fn.name() == "MulBackward0"


def test_requires_grad_on_integer_tensors_messages():
    with pytest.raises(
        RuntimeError, match="Only Tensors of floating point and complex dtype can require gradients"
    ):
        t([1, 2], requires_grad=True)
    with pytest.raises(RuntimeError, match="only Tensors of floating point dtype can require"):
        t([1, 2]).requires_grad_()
    with pytest.raises(RuntimeError, match="only Tensors of floating point and complex dtype"):
        t([1, 2]).requires_grad = True


def test_requires_grad_flag_on_non_leaf():
    y = t([1.0], requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="you can only change requires_grad flags of leaf"):
        y.requires_grad = False


def test_integer_outputs_never_require_grad():
    x = t([1.0, 2.0], requires_grad=True)
    assert not x.long().requires_grad


def test_variable_shim():
    base = t([5.0])
    v = Variable(base, requires_grad=True)
    assert type(v) is torch.Tensor and v is not base and v.requires_grad and v.is_leaf
    assert isinstance(base, Variable)
    with pytest.raises(TypeError, match="Variable data has to be a tensor, but got list"):
        Variable([1.0])
    with pytest.warns(UserWarning, match="volatile was removed"):
        Variable(base, volatile=True)


def test_no_grad_results_are_leaves_and_decorator():
    x = t([1.0], requires_grad=True)
    with torch.no_grad():
        y = x * 2
    assert not y.requires_grad and y.grad_fn is None and y.is_leaf

    @torch.no_grad()
    def f(v):
        return v * 2

    assert not f(x).requires_grad
    torch.set_grad_enabled(False)
    assert not torch.is_grad_enabled()
    torch.set_grad_enabled(True)
    with torch.inference_mode():
        assert not (x * 2).requires_grad


def test_create_graph_higher_order():
    x = t(3.0, requires_grad=True)
    (g,) = torch.autograd.grad(x**3, x, create_graph=True)
    assert g.item() == 27.0 and g.grad_fn is not None
    (gg,) = torch.autograd.grad(g, x)
    assert gg.item() == 18.0


def test_backward_create_graph_warns_and_builds_graph():
    x = t(3.0, requires_grad=True)
    with pytest.warns(UserWarning, match="create a reference cycle"):
        (x**3).backward(create_graph=True)
    assert x.grad.item() == 27.0 and x.grad.requires_grad


def test_autograd_grad_unused_input():
    x = t([1.0], requires_grad=True)
    z = t([1.0], requires_grad=True)
    y = (x * 2).sum()
    with pytest.raises(
        RuntimeError,
        match="The differentiated Tensor at index 1 appears to not have been used in the graph",
    ):
        torch.autograd.grad(y, [x, z], retain_graph=True)
    gx, gz = torch.autograd.grad(y, [x, z], allow_unused=True)
    assert gx.tolist() == [2.0] and gz is None
    assert x.grad is None


def test_autograd_grad_wrt_non_leaf():
    x = t([1.0, 2.0], requires_grad=True)
    h = x * 3
    y = (h * h).sum()
    (gh,) = torch.autograd.grad(y, h)
    assert gh.tolist() == [6.0, 12.0]


def test_backward_inputs_accumulates_only_there():
    x = t([1.0], requires_grad=True)
    w = t([2.0], requires_grad=True)
    (x * w).sum().backward(inputs=[x])
    assert x.grad.tolist() == [2.0] and w.grad is None


def test_register_hook_replaces_gradient():
    x = t([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.register_hook(lambda g: g * 10)
    y.sum().backward()
    assert x.grad.tolist() == [20.0, 20.0]
    x.grad = None
    x.register_hook(lambda g: g + 1)
    (x * 1).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_leaf_scalar_backward():
    x = t(2.0, requires_grad=True)
    x.backward()
    assert x.grad.item() == 1.0


def test_numpy_refuses_requires_grad_and_float_warns():
    x = t([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"Can't call numpy\(\) on Tensor that requires grad"):
        x.numpy()
    assert x.detach().numpy().tolist() == [1.0]


def test_next_functions_structure():
    x = t([1.0], requires_grad=True)
    y = x * t([2.0])
    (acc, nr), (none, _) = y.grad_fn.next_functions
    assert acc.name() == "torch::autograd::AccumulateGrad" and acc.variable is x and none is None


def test_long_chain_is_iterative():
    x = t([1.0], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y + 1
    y.sum().backward()
    assert x.grad.tolist() == [1.0]


def test_shared_gradients_do_not_alias():
    a = t([1.0, 2.0], requires_grad=True)
    b = t([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()
    a.grad.zero_()
    assert b.grad.tolist() == [1.0, 1.0]


def test_intermediate_graph_is_released():
    import weakref

    x = t(np.ones(10), requires_grad=True)
    y = x * 2
    ref = weakref.ref(y.grad_fn)
    z = (y * y).sum()
    del y
    z.backward()
    del z
    gc.collect()
    assert ref() is None


class Cube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x**2


def test_custom_function():
    x = t([2.0], requires_grad=True)
    y = Cube.apply(x)
    assert y.grad_fn.name() == "CubeBackward"
    y.sum().backward()
    assert x.grad.tolist() == [12.0]
    assert torch.autograd.gradcheck(
        Cube.apply, (t([1.5], dtype=torch.float64, requires_grad=True),)
    )


def test_custom_function_needs_input_grad_and_non_differentiable():
    seen = {}

    class Split(Function):
        @staticmethod
        def forward(ctx, x, k):
            seen["needs"] = ctx.needs_input_grad
            idx = (x > 0).long()
            ctx.mark_non_differentiable(idx)
            return x * k, idx

        @staticmethod
        def backward(ctx, g, g_idx):
            return g * 2, None

    x = t([1.0, -1.0], requires_grad=True)
    y, idx = Split.apply(x, 2)
    assert seen["needs"] == (True, False) and not idx.requires_grad
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_custom_function_wrong_number_of_grads():
    class Bad(Function):
        @staticmethod
        def forward(ctx, x, y):
            return x + y

        @staticmethod
        def backward(ctx, g):
            return g

    x = t([1.0], requires_grad=True)
    with pytest.raises(
        RuntimeError,
        match="returned an incorrect number of gradients "
        r"\(expected 2, got 1\)",
    ):
        Bad.apply(x, x).sum().backward()


def test_custom_function_setup_context_style():
    class Square(Function):
        @staticmethod
        def forward(x):
            return x * x

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(inputs[0])

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    x = t([3.0], requires_grad=True)
    Square.apply(x).sum().backward()
    assert x.grad.tolist() == [6.0]


def test_setitem_on_graph_tensor_gives_gradients_to_base_and_value():
    x = t([1.0, 2.0, 3.0], requires_grad=True)
    v = t(10.0, requires_grad=True)
    y = x * 2
    y[1] = v * 3
    assert y.grad_fn.name() == "CopySlices"
    (y * t([1.0, 2.0, 3.0])).sum().backward()
    assert x.grad.tolist() == [2.0, 0.0, 6.0] and v.grad.item() == 6.0


def test_inplace_through_a_view_updates_base_history():
    x = t([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1
    view = y[:2]
    view.mul_(5)
    assert y.grad_fn.name() == "CopySlices"
    y.sum().backward()
    assert x.grad.tolist() == [5.0, 5.0, 1.0]


def test_float_conversion_warns_once(monkeypatch):
    # PyTorch warns once per process: a fresh flag makes this call the first
    monkeypatch.setattr("numtorch._tensor._FLOAT_WARNED", [])
    x = t([1.0], requires_grad=True)
    with pytest.warns(UserWarning, match="requires_grad=True to a scalar may lead to unexpected"):
        assert float(x) == 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert float(x) == 1.0


def test_post_accumulate_grad_hook():
    x = t([1.0, 2.0], requires_grad=True)
    seen = []
    handle = x.register_post_accumulate_grad_hook(lambda p: seen.append(p.grad.tolist()))
    (x * 3).sum().backward()
    assert seen == [[3.0, 3.0]]
    handle.remove()
    (x * 3).sum().backward()
    assert len(seen) == 1
    with pytest.raises(RuntimeError, match="non-leaf"):
        (x * 2).register_post_accumulate_grad_hook(lambda p: None)


def test_vector_norm_second_order():
    x = t([3.0, 4.0], dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(torch.linalg.vector_norm(x), x, create_graph=True)
    (h,) = torch.autograd.grad(g[0], x)
    assert np.allclose(h.numpy(), [0.128, -0.096])
