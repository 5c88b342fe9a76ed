"""Custom autograd Functions: a clamp with a straight-through gradient, and a fused op."""

import torch
from torch.autograd import Function


class StraightThroughClamp(Function):
    @staticmethod
    def forward(ctx, x, low, high):
        ctx.save_for_backward(x)
        ctx.low, ctx.high = low, high
        return x.clamp(low, high)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        # Pass the gradient straight through, but damp it outside the range.
        outside = (x < ctx.low) | (x > ctx.high)
        grad = grad_output.clone()
        grad[outside] *= 0.1
        return grad, None, None


class MulAdd(Function):
    """out = a * b + c, with all three gradients."""

    @staticmethod
    def forward(ctx, a, b, c):
        ctx.save_for_backward(a, b)
        return a * b + c

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        grad_a = g * b if ctx.needs_input_grad[0] else None
        grad_b = g * a if ctx.needs_input_grad[1] else None
        grad_c = g if ctx.needs_input_grad[2] else None
        return grad_a, grad_b, grad_c


torch.manual_seed(3)
x = torch.randn(6, requires_grad=True)
y = StraightThroughClamp.apply(x, -0.5, 0.5)
print("x:", x)
print("y:", y)
print("grad_fn name:", y.grad_fn.name())
(y * torch.arange(1.0, 7.0)).sum().backward()
print("x.grad:", x.grad)

a = torch.randn(2, 3, dtype=torch.float64, requires_grad=True)
b = torch.randn(2, 3, dtype=torch.float64, requires_grad=True)
c = torch.randn(2, 3, dtype=torch.float64)
out = MulAdd.apply(a, b, c)
print("out:", out)
out.pow(2).mean().backward()
print("a.grad:", a.grad)
print("b.grad:", b.grad)
print("c.grad:", c.grad)

ok = torch.autograd.gradcheck(MulAdd.apply, (a.detach().requires_grad_(), b.detach(), c))
print("gradcheck:", ok)


class Exp(Function):
    @staticmethod
    def forward(ctx, x):
        result = x.exp()
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        (result,) = ctx.saved_tensors
        return grad * result


z = torch.linspace(-1, 1, 5, requires_grad=True)
e = Exp.apply(z)
e.backward(torch.ones_like(e))
print("exp:", e.detach())
print("grad equals exp:", torch.allclose(z.grad, e.detach()))
with torch.no_grad():
    print("under no_grad:", Exp.apply(z).requires_grad)
