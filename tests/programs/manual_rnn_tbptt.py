"""A hand-written RNN in float64 trained with truncated backpropagation through time: hidden
states written into a preallocated tensor, detach between chunks, unbind, in-place updates."""

import torch

torch.manual_seed(70)
torch.set_default_dtype(torch.float64)
text = "hello world, hello torch. " * 4
chars = sorted(set(text))
idx = torch.tensor([chars.index(c) for c in text])
V, H = len(chars), 12
print("vocab:", V, "length:", len(idx))

Wxh = (torch.randn(V, H) * 0.1).requires_grad_()
Whh = (torch.eye(H) * 0.5).requires_grad_()
bh = torch.zeros(H, requires_grad=True)
Why = (torch.randn(H, V) * 0.1).requires_grad_()
by = torch.zeros(V, requires_grad=True)
params = [Wxh, Whh, bh, Why, by]
print("dtypes:", {p.dtype for p in params}, torch.get_default_dtype())


def run_chunk(inputs, h):
    T = len(inputs)
    hs = torch.zeros(T, H)
    x = torch.nn.functional.one_hot(inputs, V).to(torch.get_default_dtype())
    for t, xt in enumerate(x.unbind(0)):
        h = torch.tanh(xt @ Wxh + h @ Whh + bh)
        hs[t] = h
    return hs @ Why + by, h


h = torch.zeros(H)
seq = 10
lr = 1.0
for epoch in range(6):
    total = 0.0
    for start in range(0, len(idx) - seq - 1, seq):
        inputs, targets = idx[start : start + seq], idx[start + 1 : start + seq + 1]
        logits, h = run_chunk(inputs, h)
        h = h.detach()
        loss = torch.nn.functional.cross_entropy(logits, targets)
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params:
                p.grad.clamp_(-5, 5)
                p -= lr * p.grad
        total += loss.item()
    print(f"epoch {epoch}: mean loss {total / ((len(idx) - seq - 1) // seq + 1):.6f}")

print("hidden grad_fn after detach:", h.grad_fn, h.requires_grad)
print("Whh diag:", Whh.detach().diagonal()[:4])
with torch.no_grad():
    h, c, out = torch.zeros(H), chars.index("h"), []
    for _ in range(20):
        logits, h = run_chunk(torch.tensor([c]), h)
        c = int(logits[0].argmax())
        out.append(chars[c])
print("greedy:", repr("".join(out)))
torch.set_default_dtype(torch.float32)
