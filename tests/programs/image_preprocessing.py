"""Image preprocessing by hand: uint8 HWC arrays to normalised CHW float batches, random crops
and flips with a seeded generator, a patch grid, and un-normalising for display."""

import numpy as np
import torch
import torch.nn.functional as F

rng = np.random.default_rng(0)
images = rng.integers(0, 256, size=(4, 12, 12, 3), dtype=np.uint8)
batch = torch.from_numpy(images).permute(0, 3, 1, 2).float().div(255)
print("batch:", batch.shape, batch.dtype, batch.is_contiguous(), batch.stride())
batch = batch.contiguous()
mean = batch.mean(dim=(0, 2, 3))
std = batch.std(dim=(0, 2, 3))
print("channel mean:", mean, "std:", std)
normed = (batch - mean.view(1, 3, 1, 1)) / std[None, :, None, None]
print("normalised mean ~0:", normed.mean(dim=(0, 2, 3)).abs().max().item() < 1e-6)

g = torch.Generator().manual_seed(3)
crops = []
for img in batch:
    top, left = torch.randint(0, 5, (2,), generator=g).tolist()
    crop = img[:, top : top + 8, left : left + 8]
    if torch.rand(1, generator=g).item() < 0.5:
        crop = crop.flip(-1)
    crops.append(crop)
crops = torch.stack(crops)
print("crops:", crops.shape, crops[0, 0, 0])

patches = crops.unfold(2, 4, 4).unfold(3, 4, 4)
print("patches:", patches.shape)
tokens = patches.permute(0, 2, 3, 1, 4, 5).reshape(4, 4, -1)
print("patch tokens:", tokens.shape, tokens[0, 0, :5])

grid = torch.cat([torch.cat(list(crops[:2]), dim=2), torch.cat(list(crops[2:]), dim=2)], dim=1)
print("grid:", grid.shape)
display = (grid * 255).round().clamp(0, 255).to(torch.uint8).permute(1, 2, 0).numpy()
print("display:", display.shape, display.dtype, display[0, :3].tolist())
small = F.avg_pool2d(batch, 2)
gray = (batch * torch.tensor([0.299, 0.587, 0.114]).view(1, 3, 1, 1)).sum(1, keepdim=True)
print("pooled:", small.shape, "gray:", gray.shape, gray[0, 0, 0, :4])
print("uint8 arithmetic:", torch.from_numpy(images[0, 0, :4, 0]) + 200)
