"""Custom autograd Functions in the PyTorch 2 style: setup_context, non-differentiable outputs,
materialize_grads, once_differentiable, double backward, and a Function wrapped in a Module."""

import torch
import torch.nn as nn
from torch.autograd.function import once_differentiable


class SortWithIndices(torch.autograd.Function):
    @staticmethod
    def forward(x):
        values, indices = torch.sort(x, dim=-1)
        return values, indices

    @staticmethod
    def setup_context(ctx, inputs, output):
        _, indices = output
        ctx.mark_non_differentiable(indices)
        ctx.save_for_backward(indices)

    @staticmethod
    def backward(ctx, grad_values, grad_indices):
        (indices,) = ctx.saved_tensors
        grad = torch.zeros_like(grad_values)
        return grad.scatter(-1, indices, grad_values)


class Cube(torch.autograd.Function):
    """x**3 whose backward is itself differentiable (written with differentiable ops)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 3 * x**2


class HardStep(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, slope=1.0):
        ctx.slope = slope
        ctx.set_materialize_grads(True)
        return (x > 0).to(x.dtype)

    @staticmethod
    @once_differentiable
    def backward(ctx, g):
        return g * ctx.slope, None


class HardStepLayer(nn.Module):
    def forward(self, x):
        return HardStep.apply(x, 0.5)


torch.manual_seed(5)
x = torch.randn(2, 5, requires_grad=True)
values, indices = SortWithIndices.apply(x)
print("values:", values)
print("indices:", indices, indices.requires_grad)
(values * torch.arange(5.0)).sum().backward()
print("x.grad:", x.grad)

y = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
(dy,) = torch.autograd.grad(Cube.apply(y).sum(), y, create_graph=True)
(d2y,) = torch.autograd.grad(dy.sum(), y)
print("first:", dy, "second:", d2y)

net = nn.Sequential(nn.Linear(3, 4), HardStepLayer(), nn.Linear(4, 1))
z = torch.randn(6, 3)
out = net(z)
out.mean().backward()
print("step outputs:", net[1](net[0](z))[0])
print("first layer grad:", net[0].weight.grad)
try:
    w = torch.randn(3, requires_grad=True)
    (g,) = torch.autograd.grad(HardStep.apply(w).sum(), w, create_graph=True)
    g.sum().backward()
except RuntimeError as e:
    print("double backward through once_differentiable:", str(e).split(".")[0])
print(
    "gradcheck Cube:",
    torch.autograd.gradcheck(
        Cube.apply, (torch.randn(4, dtype=torch.float64, requires_grad=True),)
    ),
)
print(
    "gradgradcheck Cube:",
    torch.autograd.gradgradcheck(
        Cube.apply, (torch.randn(4, dtype=torch.float64, requires_grad=True),)
    ),
)
