"""Per-sample gradients with torch.func (functional_call, grad, vmap), checked against a loop."""

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.func import functional_call, grad, vmap

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 2))
data, targets = torch.randn(5, 4), torch.randint(0, 2, (5,))
params = {k: v.detach() for k, v in model.named_parameters()}


def loss_fn(params, x, y):
    logits = functional_call(model, params, (x.unsqueeze(0),))
    return F.cross_entropy(logits, y.unsqueeze(0))


per_sample = vmap(grad(loss_fn), in_dims=(None, 0, 0))(params, data, targets)
print({k: tuple(v.shape) for k, v in per_sample.items()})

for i in range(2):
    model.zero_grad()
    F.cross_entropy(model(data[i : i + 1]), targets[i : i + 1]).backward()
    same = all(
        torch.allclose(per_sample[k][i], p.grad, atol=1e-6) for k, p in model.named_parameters()
    )
    print(f"sample {i} matches loop:", same)
print("bias grads:", per_sample["2.bias"])
jac = torch.func.jacrev(lambda x: model(x).sum(0))(data)
print("jacrev:", jac.shape)
