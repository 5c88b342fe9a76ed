"""safetensors: save_file / load_file of a model's state dict, and a shared tensor refused."""

import os
import tempfile

import torch
from safetensors.torch import load_file, save_file

torch.manual_seed(0)
model = torch.nn.Linear(3, 2)
path = os.path.join(tempfile.mkdtemp(), "model.safetensors")
save_file(model.state_dict(), path)
loaded = load_file(path)
print(sorted(loaded), loaded["weight"], loaded["bias"].dtype)
shared = torch.zeros(4)
try:
    save_file({"a": shared, "b": shared}, path)
except RuntimeError as e:
    print("refused:", str(e).splitlines()[0])
