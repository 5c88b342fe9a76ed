"""``nn.Linear`` is a weight matrix applied by a matrix product; two of them make a network.

The seed article's walk-through: print a layer's weight, check the layer against ``np.dot``,
then build the two-layer sigmoid network and backpropagate through it with one call.
Run with PyTorch (``python examples/linear_layer.py``) or ``numtorch run examples/linear_layer.py``.
"""

import numpy as np
import torch
import torch as th
from torch import nn

torch.manual_seed(0)

# A layer from 2 inputs to 3 outputs without bias holds a 3x2 weight matrix.
demo = nn.Linear(2, 3, bias=False)
print(demo)
print(demo.weight)

data = th.tensor([1.0, 1.0])
out = demo(data)
print(out)
by_hand = np.dot(demo.weight.detach().numpy(), data.detach().numpy())
print(by_hand)
print("layer == weight @ input:", np.allclose(out.detach().numpy(), by_hand))


class network(nn.Module):
    def __init__(self, input_size, hidden_size, output_size):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.output_size = output_size
        self.w1 = nn.Linear(input_size, hidden_size, bias=False)
        self.w2 = nn.Linear(hidden_size, output_size, bias=False)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x):
        i2h = self.sigmoid(self.w1(x))
        return self.sigmoid(self.w2(i2h))


net = network(2, 4, 1)
print(net)
x = th.tensor([[0.5, -1.0]])
target = th.tensor([[1.0]])
y = net(x)
print(y)

# Backpropagation is one call to backward after computing the loss.
loss = ((y - target) ** 2).mean()
loss.backward()
print(loss)
print(net.w1.weight.grad)
print(net.w2.weight.grad)
