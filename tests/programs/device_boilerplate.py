"""The boilerplate at the top of many training scripts: seeding, device selection, print options,
default dtype, and device-agnostic tensors and models."""

import random

import numpy as np
import torch
import torch.nn as nn

SEED = 1234
random.seed(SEED)
np.random.seed(SEED)
torch.manual_seed(SEED)
torch.cuda.manual_seed_all(SEED)
torch.backends.cudnn.deterministic = True
torch.backends.cudnn.benchmark = False

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
print("device:", device, device.type, torch.cuda.is_available())

model = nn.Sequential(nn.Linear(3, 4), nn.Softplus(), nn.Linear(4, 1)).to(device)
x = torch.randn(6, 3, device=device)
y = torch.randn(6, 1).to(device, non_blocking=True)
print("on device:", x.device, next(model.parameters()).device, x.is_cuda)
loss = nn.functional.mse_loss(model(x), y)
print("loss:", loss.item())
print("to cpu numpy:", loss.detach().cpu().numpy(), type(loss.detach().cpu().numpy()).__name__)

arr = np.arange(6, dtype=np.float32).reshape(2, 3)
t = torch.from_numpy(arr)
arr[0, 0] = 42.0
print("from_numpy shares:", t[0, 0].item(), t.dtype)
print("as_tensor:", torch.as_tensor([1, 2, 3]).dtype, torch.tensor(np.float64(1.5)).dtype)
print("numpy int64:", torch.tensor(np.array([1, 2])).dtype, torch.tensor([np.int32(3)]).dtype)

torch.set_printoptions(precision=2)
print("precision 2:", torch.randn(4))
torch.set_printoptions(precision=6, sci_mode=False)
print("precision 6:", torch.tensor([1e-5, 123.456789]))
torch.set_printoptions(profile="default")
print("threshold:", torch.arange(1001.0)[995:])

torch.set_default_dtype(torch.float64)
z = torch.tensor([1.5, 2.5])
lin = nn.Linear(2, 1)
print(
    "default float64:", z.dtype, lin.weight.dtype, torch.randn(2).dtype, torch.get_default_dtype()
)
print(z, torch.arange(3.0))
torch.set_default_dtype(torch.float32)
print("restored:", torch.tensor([1.0]).dtype, torch.tensor([1.0], dtype=torch.float64))

print(
    "dtype facts:",
    torch.float32.is_floating_point,
    torch.int64.is_signed,
    torch.finfo(torch.float32).eps,
)
print("iinfo:", torch.iinfo(torch.int8).max, torch.finfo(torch.float16).max)
print("python random:", random.random(), "numpy random:", np.random.rand())
print("isfinite:", torch.isfinite(torch.tensor([1.0, float("inf")])), torch.is_floating_point(z))
