"""nn.Module features: containers, parameters, state_dict, hooks, freezing, buffers, repr."""

import torch
import torch.nn as nn

torch.manual_seed(2)


class Block(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.norm = nn.BatchNorm1d(dim)
        self.layers = nn.ModuleList([nn.Linear(dim, dim) for _ in range(2)])
        self.acts = nn.ModuleDict({"relu": nn.ReLU(), "tanh": nn.Tanh()})
        self.register_buffer("scale", torch.tensor(0.5))
        self.gain = nn.Parameter(torch.ones(dim))

    def forward(self, x, act="relu"):
        x = self.norm(x)
        for layer in self.layers:
            x = self.acts[act](layer(x))
        return x * self.gain * self.scale


net = nn.Sequential(Block(4), nn.Linear(4, 2))
print(net)
print("children:", [type(m).__name__ for m in net.children()])
print("modules:", len(list(net.modules())))
print("named modules:", [name for name, _ in net.named_modules()])
for name, p in net.named_parameters():
    print(f"  {name:22s} {str(tuple(p.shape)):8s} requires_grad={p.requires_grad}")
print("buffers:", [name for name, _ in net.named_buffers()])
print("state_dict keys:", list(net.state_dict().keys()))
total = sum(p.numel() for p in net.parameters())
print("parameter count:", total)

activations = {}


def save_output(name):
    def hook(module, inputs, output):
        activations[name] = output.detach()

    return hook


handles = [net[0].layers[i].register_forward_hook(save_output(f"layer{i}")) for i in range(2)]
grads = []
net[1].register_full_backward_hook(lambda m, gin, gout: grads.append(gout[0].shape))
pre = net[1].register_forward_pre_hook(lambda m, args: (args[0] * 2,))

x = torch.randn(5, 4)
out = net(x)
print("out:", out)
print("hooked:", sorted(activations), activations["layer1"].shape)
print("layer0 activation:", activations["layer0"][0])
out.sum().backward()
print("backward hook saw:", grads)
print("tensor hook:")
t = torch.ones(3, requires_grad=True)
t.register_hook(lambda g: print("  grad seen by hook:", g))
(t * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
for h in handles:
    h.remove()
pre.remove()
activations.clear()
net(x)
print("after remove:", activations)

print("gain grad:", net[0].gain.grad)
net.zero_grad()
print("after zero_grad:", net[0].gain.grad)

net[0].requires_grad_(False)
print("trainable:", [n for n, p in net.named_parameters() if p.requires_grad])
opt = torch.optim.SGD(filter(lambda p: p.requires_grad, net.parameters()), lr=0.1)
before = net[0].layers[0].weight.clone()
net(x).pow(2).mean().backward()
opt.step()
print("frozen unchanged:", torch.equal(before, net[0].layers[0].weight))
print("frozen grad:", net[0].layers[0].weight.grad)

net.eval()
print("eval flags:", net.training, net[0].norm.training)
print("running mean:", net[0].norm.running_mean)
net.apply(lambda m: nn.init.zeros_(m.bias) if isinstance(m, nn.Linear) else None)
print("biases zeroed:", net[1].bias)
print("double:", net.double()[1].weight.dtype, "buffer:", net[0].scale.dtype)
print(nn.Sequential(nn.Flatten(), nn.Identity(), nn.Softmax(dim=1)))
print(nn.Conv2d(3, 6, 5, stride=2, padding=1, bias=False), nn.Embedding(10, 3, padding_idx=0))
