"""What gets printed when people print whole weight matrices, feature maps and batches:
summarised large tensors, mixed magnitudes, half precision, and reprs of nested models."""

from collections import OrderedDict

import torch
import torch.nn as nn

torch.manual_seed(29)
layer = nn.Linear(64, 48)
print(layer.weight)
print(layer.weight.grad, layer.bias[:5])
print(torch.randn(2, 3, 40, 40))
print(torch.randint(-1000, 1000, (30, 40)))
print(torch.arange(1200).view(2, 600))
print(torch.randn(5, 4) * torch.tensor([1e-3, 1.0, 1e3, 1e5]))
print(torch.tensor([1e-10, 1e10]), torch.tensor([0.001, 0.0001]), torch.tensor([123456.0, 1.5]))
print(torch.tensor([1, -2, 3]) * 1000000, torch.tensor([0.0, -0.0, 1.0]))
print(torch.randn(3, 4).half(), torch.tensor([1.0, 2.5]).to(torch.float16))
print(torch.randn(2, 2, dtype=torch.float64) * 1e-5)
print(torch.tensor([[True, False], [False, True]]).expand(3, 2, 2))
print(torch.zeros(1, 1, 1), torch.ones(0, 3), torch.empty(2, 0, 1).shape)
print(torch.arange(6, dtype=torch.uint8), torch.arange(3, dtype=torch.int16) - 5)

net = nn.Sequential(
    OrderedDict(
        [
            (
                "features",
                nn.Sequential(*[nn.Sequential(nn.Linear(8, 8), nn.ReLU()) for _ in range(3)]),
            ),
            ("heads", nn.ModuleList([nn.Linear(8, 2), nn.Linear(8, 2), nn.Linear(8, 3)])),
            ("norm", nn.LayerNorm([8], eps=1e-6, elementwise_affine=False)),
            ("pool", nn.AdaptiveAvgPool2d((1, None))),
            ("act", nn.LeakyReLU(negative_slope=0.2, inplace=True)),
        ]
    )
)
print(net)
print(net.features[1][0].weight.shape, len(net.heads), net.norm)
print(nn.LSTM(4, 8, num_layers=2, dropout=0.1, bidirectional=True), nn.GRU(3, 3, batch_first=True))
print(nn.BatchNorm2d(3, momentum=None, affine=False), nn.MaxPool2d(3, stride=2, ceil_mode=True))
print(nn.ConvTranspose2d(4, 2, 3, stride=2, output_padding=1), nn.Upsample(scale_factor=2.0))
print(nn.TransformerEncoderLayer(8, 2, 16))
