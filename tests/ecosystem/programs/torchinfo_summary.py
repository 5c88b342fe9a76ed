"""torchinfo: the summary table of a small convolutional network."""

import torch
from torch import nn
from torchinfo import summary

torch.manual_seed(0)
model = nn.Sequential(
    nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * 3 * 3, 10)
)
print(summary(model, input_size=(2, 1, 8, 8), verbose=0))
