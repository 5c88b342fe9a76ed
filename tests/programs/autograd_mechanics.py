"""Autograd mechanics: leaves, retain_grad, accumulation, detach, grad modes, common errors."""

import torch

torch.manual_seed(9)
a = torch.randn(3, requires_grad=True)
b = a * 2
b.retain_grad()
c = (b**2).sum()
print("leaf:", a.is_leaf, b.is_leaf, c.is_leaf, "grad_fn:", b.grad_fn.name(), c.grad_fn.name())
c.backward(retain_graph=True)
print("a.grad:", a.grad, "b.grad:", b.grad)
c.backward()
print("accumulated:", a.grad)
a.grad.zero_()

try:
    c.backward()
except RuntimeError as e:
    print("second backward:", str(e).split(".")[0])

v = torch.ones(2, 2, requires_grad=True)
out = v * 3
out.backward(gradient=torch.tensor([[1.0, 0.5], [0.25, 0.0]]))
print("vector-Jacobian:", v.grad)

d = a.detach()
d[0] = 100.0
print("detach shares memory:", a[0].item() == 100.0, d.requires_grad)
with torch.no_grad():
    n = a * 2
print("no_grad:", n.requires_grad, n.grad_fn)
with torch.no_grad():
    with torch.enable_grad():
        e = a * 2
print("enable_grad inside no_grad:", e.requires_grad)
torch.set_grad_enabled(False)
print("set_grad_enabled(False):", (a * 2).requires_grad, torch.is_grad_enabled())
torch.set_grad_enabled(True)
with torch.inference_mode():
    i = a * 2
print("inference_mode:", i.requires_grad, torch.is_inference_mode_enabled())


@torch.no_grad()
def evaluate(t):
    return t * 2


print("decorated:", evaluate(a).requires_grad)

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x.exp()
x2 = x.clone()
y2 = x2 * x2
y2.sum().backward()
print("through clone:", x.grad)
try:
    z = x.sigmoid()
    x.data.mul_(1)
    w = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    s = w.sigmoid()
    s.mul_(2)
    s.sum().backward()
    print("in-place on output ok:", w.grad)
except RuntimeError as e:
    print("error:", e)

leaf = torch.zeros(3, requires_grad=True)
try:
    leaf.add_(1)
except RuntimeError as e:
    print("leaf in-place:", str(e).split(".")[0])

p, q = torch.tensor(2.0, requires_grad=True), torch.tensor(3.0, requires_grad=True)
gp, gq = torch.autograd.grad(p**2 * q, [p, q])
print("grad list:", gp, gq)
(gu,) = torch.autograd.grad(p * 2, [q], allow_unused=True)
print("unused:", gu)
J = torch.autograd.functional.jacobian(lambda t: t**2 + t.sum(), torch.tensor([1.0, 2.0]))
print("jacobian:", J)
print("requires_grad_():", torch.ones(2).requires_grad_().requires_grad)
k = torch.ones(2, requires_grad=True) + 1
print("non-leaf grad:", k.grad)
print("int grad:", torch.arange(3).float().requires_grad_(True).dtype)
try:
    torch.arange(3).requires_grad_(True)
except RuntimeError as e:
    print("int requires_grad:", e)
