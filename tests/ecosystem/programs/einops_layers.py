"""einops: rearrange, reduce, repeat and einsum on tensors, and its torch layers."""

import torch
from einops import einsum, rearrange, reduce, repeat
from einops.layers.torch import Rearrange, Reduce

torch.manual_seed(0)
x = torch.randn(2, 3, 4, 4, requires_grad=True)
y = rearrange(x, "b c (h p) (w q) -> b (h w) (c p q)", p=2, q=2)
print(y.shape, reduce(x, "b c h w -> b c", "mean"))
print(repeat(torch.arange(3), "n -> n k", k=2))
print(einsum(x, x, "b c h w, b c h w -> b").detach())
net = torch.nn.Sequential(
    Rearrange("b c h w -> b (c h w)"), torch.nn.Linear(48, 2), Reduce("b n -> n", "max")
)
out = net(x)
out.sum().backward()
print(out.detach(), x.grad.abs().sum())
print(net)
