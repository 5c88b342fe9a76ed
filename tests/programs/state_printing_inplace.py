"""What notebooks print: state dicts, parameter lists, f-strings of tensors, tolist of float32;
and the in-place edits people make to weights and data."""

import io

import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(15)
model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3), nn.Linear(3, 1))
print(model.state_dict())
print(list(model[2].parameters()))
print(dict(model.named_children()).keys(), model.get_submodule("2"))

t = torch.tensor(0.123456)
print(f"{t:.3f} {t.item():.2e} {float(t):.1f} {int(torch.tensor(7.9))}")
print(torch.tensor([0.1, 0.2]).tolist(), torch.tensor([0.1], dtype=torch.float64).tolist())
print(torch.Size([2, 3]), torch.Size([2, 3]).numel(), torch.randn(2, 3, 4).shape[1:])
print(torch.tensor([1 + 2j, -0.5j]), torch.tensor([3.0]).abs().sqrt())

x = torch.arange(12.0).view(3, 4)
x[x > 8] = 0
x[:, 0] += 100
x[1] = torch.tensor([-1.0, -2.0, -3.0, -4.0])
x[[0, 2], [1, 3]] = 55.0
print(x)
x.index_put_((torch.tensor([0]), torch.tensor([2])), torch.tensor(-9.0))
x.scatter_(1, torch.tensor([[3], [3], [3]]), 7.0)
print(x)
print(x.clamp_(min=0), x.sub_(1).div_(2))
y = torch.zeros(5)
y.index_add_(0, torch.tensor([0, 0, 2]), torch.tensor([1.0, 2.0, 3.0]))
print(
    y,
    torch.zeros(3, dtype=torch.long).scatter_add(
        0, torch.tensor([1, 1, 2]), torch.ones(3, dtype=torch.long)
    ),
)
print(
    torch.div(torch.tensor([-7, 7]), 2, rounding_mode="floor"),
    torch.div(torch.tensor([-7, 7]), 2, rounding_mode="trunc"),
)
print(torch.tensor([5, 3]).true_divide(2), torch.tensor([5, 3]) / torch.tensor([2, 2]))

with torch.no_grad():
    model[0].weight.copy_(torch.ones(3, 2))
    model[0].bias.fill_(0.5)
    model[2].weight.mul_(0)
    model[2].weight[0, 1] = 3.0
print(model[0].weight, model[2].weight, sep="\n")
model[0].weight.data.normal_(0, 0.01)
print("normal_:", model[0].weight)
model[0].bias.data.uniform_(-1, 1)
print("uniform_:", model[0].bias)

buf = io.BytesIO()
torch.save({"w": model[0].weight.detach(), "n": torch.arange(3)}, buf)
buf.seek(0)
loaded = torch.load(buf, map_location="cpu")
print("from buffer:", loaded["w"], loaded["n"], loaded["w"].requires_grad)

batch = torch.utils.data.default_collate([np.array([1.0, 2.0]), np.array([3.0, 4.0])])
print("collated numpy:", batch, batch.dtype)
print(model.to(torch.float64)[0].weight.dtype, model.half()[1].running_mean.dtype)
print(model.float()[0].weight.dtype, next(model.buffers()).dtype)
