"""A tour of tensor manipulation: indexing, masks, joining, reductions, sorting, einsum,
broadcasting, type promotion and printing."""

import torch

torch.manual_seed(0)
x = torch.arange(24).reshape(2, 3, 4)
print(x)
print(x.shape, x.dtype, x.dim(), x.numel(), x.stride())
print(x[1], x[:, 1], x[..., -1], x[0, 1:, ::2], sep="\n")
print(x[[0, 1], [2, 0]], x[:, [0, 2]].shape)

f = torch.randn(4, 5)
print(f)
mask = f > 0
print(mask)
print(f[mask])
print(torch.where(mask, f, torch.zeros_like(f)))
print(f.masked_fill(~mask, -1.0))
print("count positive:", mask.sum(), mask.sum().dtype, mask.any(), mask.all(dim=1))

a, b = torch.ones(2, 3), torch.zeros(2, 3)
print(torch.cat([a, b]).shape, torch.cat([a, b], dim=1).shape, torch.stack([a, b]).shape)
print(torch.stack([a, b], dim=-1).shape, torch.chunk(torch.arange(10), 3))
print(torch.split(torch.arange(7), [3, 4]))

print("sum:", f.sum(), f.sum(dim=0), f.sum(dim=1, keepdim=True), sep="\n")
print("mean/std/var:", f.mean(dim=1), f.std(dim=1), f.var(), sep="\n")
print("max:", f.max(), f.max(dim=1))
print("min values:", f.min(dim=0).values, "argmin:", f.argmin(dim=0))
print("argmax:", f.argmax(), f.argmax(dim=1, keepdim=True))
print("prod/cumsum:", torch.tensor([1, 2, 3, 4]).prod(), torch.arange(5).cumsum(0))
print("norm:", f.norm(), f.norm(dim=1), torch.logsumexp(f, dim=1))

values, indices = torch.sort(f[0], descending=True)
print("sorted:", values, indices)
top = torch.topk(f.flatten(), k=3)
print("topk:", top.values, top.indices)
print("argsort:", torch.argsort(f, dim=1))
print("unique:", torch.unique(torch.tensor([3, 1, 2, 3, 1]), return_counts=True))

m1, m2 = torch.randn(2, 3), torch.randn(3, 4)
print("einsum ij,jk:", torch.einsum("ij,jk->ik", m1, m2))
print("matches matmul:", torch.allclose(torch.einsum("ij,jk->ik", m1, m2), m1 @ m2))
batch = torch.randn(5, 2, 3)
print("bmm-like:", torch.einsum("bij,bkj->bik", batch, batch).shape)
print(
    "trace:",
    torch.einsum("ii", torch.eye(3) * 2),
    "outer:",
    torch.einsum("i,j->ij", torch.arange(3.0), torch.arange(2.0)),
)

col = torch.arange(3).view(3, 1)
row = torch.arange(4)
print("broadcast:", col * 10 + row)
print((torch.ones(2, 1, 3) + torch.ones(4, 1)).shape)

print("promotion:")
print((torch.tensor([1, 2]) + 1.5).dtype, (torch.tensor([1, 2]) / 2).dtype)
print((torch.tensor([1, 2], dtype=torch.int32) + torch.tensor(3)).dtype)
print((torch.tensor([1.0], dtype=torch.float16) + torch.tensor([1.0])).dtype)
print((torch.tensor([True]) + 1).dtype, (torch.tensor([1], dtype=torch.uint8) * 2.0).dtype)
print(torch.tensor([1, 2, 3]) // 2, torch.tensor([7, -7]) % 3, torch.tensor([7.0]) ** 2)
print(torch.tensor([1, 2, 3]).float().dtype, torch.tensor([1.7, -1.7]).long())

print("printing:")
print(torch.tensor([True, False, True]))
print(torch.tensor([1.5, 2.25], dtype=torch.float64))
print(torch.tensor([1e-8, 1.0, 1e8]))
print(torch.tensor([[100000, 2], [-3, 4]]))
print(torch.arange(2000.0))
print(torch.randn(3, 3, dtype=torch.float64))
print(torch.tensor(3.14159), torch.tensor(7), torch.tensor([]), torch.zeros(2, 0))
print(torch.tensor([float("nan"), float("inf"), -float("inf"), 1.0]))
print(torch.full((2, 2), 0.1, dtype=torch.float64) * 3)
print(torch.linspace(0, 1, 5).tolist(), torch.tensor([[1, 2]]).tolist())
print(repr(torch.tensor([1.0, 2.0], requires_grad=True) * 2))
