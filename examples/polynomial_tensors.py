"""Fit a cubic to exp(x) with raw tensors: the forward pass and the gradients written by hand.

No autograd here: each step computes the prediction, the mean squared error and its derivative
with respect to the four coefficients, then moves the coefficients against it. The fit ends
close to exp's Taylor series 1 + x + x^2/2 + x^3/6.
"""

import torch

torch.manual_seed(0)
x = torch.linspace(-1, 1, 500)
y = torch.exp(x)

# Random starting coefficients for y ~ a + b x + c x^2 + d x^3.
a, b, c, d = torch.randn(4)
learning_rate = 0.2

for step in range(2000):
    y_pred = a + b * x + c * x**2 + d * x**3
    err = y_pred - y
    loss = (err**2).mean()
    if step % 250 == 0:
        print(f"step {step:4d}  loss {loss.item():.4e}")

    # d(loss)/d(y_pred) = 2 * err / n; the chain rule through each power of x.
    grad_y_pred = 2.0 * err / x.numel()
    grad_a = grad_y_pred.sum()
    grad_b = (grad_y_pred * x).sum()
    grad_c = (grad_y_pred * x**2).sum()
    grad_d = (grad_y_pred * x**3).sum()

    a -= learning_rate * grad_a
    b -= learning_rate * grad_b
    c -= learning_rate * grad_c
    d -= learning_rate * grad_d

print(f"final loss {loss.item():.4e}")
print(f"y = {a.item():.4f} + {b.item():.4f} x + {c.item():.4f} x^2 + {d.item():.4f} x^3")
