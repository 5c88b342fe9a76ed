"""Image-model building blocks: a tiny encoder-decoder with transposed convolutions, GroupNorm,
interpolation, padding and the functional helpers vision code leans on."""

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(6)


class TinyUNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.down = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.GroupNorm(2, 8), nn.ReLU())
        self.pool = nn.AvgPool2d(2)
        self.mid = nn.Conv2d(8, 8, 3, padding=1, groups=2)
        self.up = nn.ConvTranspose2d(8, 8, kernel_size=2, stride=2)
        self.out = nn.Conv2d(16, 2, 1)

    def forward(self, x):
        d = self.down(x)
        m = F.relu(self.mid(self.pool(d)))
        u = self.up(m)
        return self.out(torch.cat([u, d], dim=1))


net = TinyUNet()
print(net)
img = torch.randn(2, 3, 16, 16)
mask = torch.randint(0, 2, (2, 16, 16))
logits = net(img)
print("logits:", logits.shape)
loss = F.cross_entropy(logits, mask)
loss.backward()
print("loss:", loss.item())
print("up grad:", net.up.weight.grad.shape, net.up.weight.grad.sum().item())
print("groupnorm grad:", net.down[1].weight.grad)

x = torch.arange(16.0).view(1, 1, 4, 4)
print("nearest:", F.interpolate(x, scale_factor=2, mode="nearest")[0, 0, :2])
print("bilinear:", F.interpolate(x, size=(3, 3), mode="bilinear", align_corners=False))
print("bilinear corners:", F.interpolate(x, size=(3, 3), mode="bilinear", align_corners=True))
print("pad reflect:", F.pad(x, (1, 1, 0, 0), mode="reflect")[0, 0, 0])
print("pad constant:", F.pad(torch.ones(2, 2), (1, 0, 0, 1), value=-1))
print("max_pool indices:", F.max_pool2d(x, 2, return_indices=True)[1])
print("adaptive max:", F.adaptive_max_pool2d(x, (1, 2)))
print("unfold:", F.unfold(x, kernel_size=2, stride=2).shape)
print("pixel_shuffle:", F.pixel_shuffle(torch.arange(8.0).view(1, 4, 1, 2), 2))
print("one_hot:", F.one_hot(torch.tensor([0, 2, 1]), num_classes=4))
v = torch.randn(3, 5)
print("normalize:", F.normalize(v, dim=1).norm(dim=1))
print("cosine:", F.cosine_similarity(v[0:1], v, dim=1))
print("pairwise:", torch.cdist(v, v).diagonal(), F.pairwise_distance(v[0:1], v[1:2]))
print("grid:", F.affine_grid(torch.eye(2, 3).unsqueeze(0), [1, 1, 2, 2], align_corners=False))
print("flip/rot:", torch.flip(x, dims=[3])[0, 0, 0], torch.rot90(x, 1, dims=[2, 3])[0, 0, 0])
print("conv1d:", nn.Conv1d(2, 3, 3, dilation=2)(torch.randn(1, 2, 9)).shape)
print("dropout2d eval:", nn.Dropout2d(0.5).eval()(torch.ones(1, 2, 2, 2)).sum().item())
