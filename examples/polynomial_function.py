"""Fit a cubic to exp(x) with a custom ``torch.autograd.Function``.

``Cubic`` evaluates c0 + c1 x + c2 x^2 + c3 x^3 in its forward and gives autograd the
derivative with respect to the coefficients in its backward: the powers of x, weighted by the
incoming gradient. Autograd calls it like any built-in op; ``gradcheck`` confirms the
hand-written backward against finite differences.
"""

import torch


class Cubic(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, coeffs):
        powers = torch.stack([torch.ones_like(x), x, x * x, x * x * x])
        ctx.save_for_backward(powers)
        return coeffs @ powers

    @staticmethod
    def backward(ctx, grad_output):
        (powers,) = ctx.saved_tensors
        # x is data, not a parameter: no gradient for it.
        return None, powers @ grad_output


torch.manual_seed(0)
x = torch.linspace(-1, 1, 500)
y = torch.exp(x)

probe_x = torch.linspace(-1, 1, 7, dtype=torch.float64)
probe_c = torch.randn(4, dtype=torch.float64, requires_grad=True)
print("gradcheck:", torch.autograd.gradcheck(Cubic.apply, (probe_x, probe_c)))

coeffs = torch.randn(4, requires_grad=True)
learning_rate = 0.2

for step in range(2000):
    y_pred = Cubic.apply(x, coeffs)
    loss = (y_pred - y).pow(2).mean()
    if step % 250 == 0:
        print(f"step {step:4d}  loss {loss.item():.4e}")
    loss.backward()
    with torch.no_grad():
        coeffs -= learning_rate * coeffs.grad
        coeffs.grad = None

print(f"final loss {loss.item():.4e}")
a, b, c, d = coeffs.tolist()
print(f"y = {a:.4f} + {b:.4f} x + {c:.4f} x^2 + {d:.4f} x^3")
