"""How people check numerics in their own test scripts: torch.testing, allclose, gradcheck,
parameters_to_vector, and weight normalisation."""

import torch
import torch.nn as nn
from torch.nn.utils import parameters_to_vector, vector_to_parameters

torch.manual_seed(12)
a = torch.randn(3, 3, dtype=torch.float64)
torch.testing.assert_close(a @ torch.linalg.inv(a), torch.eye(3, dtype=torch.float64))
print("assert_close passed")
try:
    torch.testing.assert_close(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.1]))
except AssertionError as e:
    print("assert_close failed:", str(e).splitlines()[0])
print("allclose:", torch.allclose(torch.tensor([1.0]), torch.tensor([1.0 + 1e-9])))
print("isclose:", torch.isclose(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.5]), atol=0.1))

x = torch.randn(4, dtype=torch.float64, requires_grad=True)
print("gradcheck:", torch.autograd.gradcheck(lambda t: (t.sin() * t).sum(), (x,)))
print("gradgradcheck:", torch.autograd.gradgradcheck(lambda t: (t.exp() * t).sum(), (x,)))

model = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1))
vec = parameters_to_vector(model.parameters())
print("flat params:", vec.shape, vec[:3])
vector_to_parameters(torch.arange(vec.numel(), dtype=torch.float32), model.parameters())
print("restored:", model[0].weight, model[1].bias)

layer = nn.utils.parametrizations.weight_norm(nn.Linear(3, 2))
print(layer)
print("weight_norm params:", sorted(n for n, _ in layer.named_parameters()))
print("weight:", layer.weight)
sn = nn.utils.parametrizations.spectral_norm(nn.Linear(4, 4))
print("spectral norm sigma <= 1:", torch.linalg.matrix_norm(sn.weight, ord=2).item() <= 1.0001)
