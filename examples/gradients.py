"""Gradients accumulate until they are cleared: the seed article's two programs.

Run with PyTorch (``python examples/gradients.py``) or on numtorch
(``numtorch run examples/gradients.py``): both print the same six tensors.
"""

import torch
from torch.autograd import Variable

# y = x ** 3 at x = 5: dy/dx = 3 * x ** 2 = 75.
x = Variable(torch.tensor([5.0]), requires_grad=True)
y = x**3
y.backward(retain_graph=True)
print(x.grad)  # tensor([75.])
y.backward(retain_graph=True)  # a second backward adds to what .grad holds
print(x.grad)  # tensor([150.])
x.grad.data.zero_()  # clear it, and the next backward starts from zero
y.backward()
print(x.grad)  # tensor([75.])

# y = 1 / x at x = 2: dy/dx = -1 / x ** 2 = -0.25.
x = Variable(torch.tensor([2.0]), requires_grad=True)
y = 1 / x
y.backward(retain_graph=True)
print(x.grad)  # tensor([-0.2500])
y.backward(retain_graph=True)
print(x.grad)  # tensor([-0.5000])
x.grad.data.zero_()
y.backward()
print(x.grad)  # tensor([-0.2500])
