"""Fit a cubic to exp(x) with autograd: ``loss.backward()`` computes the gradients.

The same fit as polynomial_tensors.py, but the coefficients are tensors that require grad, so
the hand-written chain rule becomes one call. Updates happen under ``torch.no_grad()`` (they
are not part of the model) and the gradients are cleared after each step, since backward adds
to whatever ``.grad`` already holds.
"""

import torch

torch.manual_seed(0)
x = torch.linspace(-1, 1, 500)
y = torch.exp(x)

coeffs = torch.randn(4, requires_grad=True)
learning_rate = 0.2

for step in range(2000):
    a, b, c, d = coeffs
    y_pred = a + b * x + c * x**2 + d * x**3
    loss = (y_pred - y).pow(2).mean()
    if step % 250 == 0:
        print(f"step {step:4d}  loss {loss.item():.4e}")

    loss.backward()
    with torch.no_grad():
        coeffs -= learning_rate * coeffs.grad
        coeffs.grad.zero_()

print(f"final loss {loss.item():.4e}")
a, b, c, d = coeffs.tolist()
print(f"y = {a:.4f} + {b:.4f} x + {c:.4f} x^2 + {d:.4f} x^3")
print("grad_fn of the loss:", loss.grad_fn.name())
