"""A tiny language model with tied input and output embeddings: shared parameters counted once,
state_dict keys, data_ptr identity, gradient accumulation from both uses, perplexity."""

import io
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(14)


class TiedLM(nn.Module):
    def __init__(self, vocab=25, dim=12):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.rnn = nn.LSTM(dim, dim, batch_first=True)
        self.norm = nn.LayerNorm(dim)
        self.decoder = nn.Linear(dim, vocab, bias=False)
        self.decoder.weight = self.embed.weight

    def forward(self, tokens):
        h, _ = self.rnn(self.embed(tokens))
        return self.decoder(self.norm(h))


model = TiedLM()
print("tied:", model.decoder.weight is model.embed.weight)
print("unique parameters:", sum(p.numel() for p in model.parameters()))
print("named:", [n for n, _ in model.named_parameters()])
print("state_dict keys:", list(model.state_dict()))
sd = model.state_dict()
print("same storage:", sd["embed.weight"].data_ptr() == sd["decoder.weight"].data_ptr())

data = torch.randint(0, 25, (6, 11))
inputs, targets = data[:, :-1], data[:, 1:]
optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
for step in range(12):
    logits = model(inputs)
    loss = F.cross_entropy(logits.reshape(-1, 25), targets.reshape(-1))
    optimizer.zero_grad()
    loss.backward()
    if step == 0:
        print("shared grad:", model.embed.weight.grad[inputs[0, 0], :4])
    optimizer.step()
    if step % 4 == 3:
        print(f"step {step + 1}: loss {loss.item():.4f} ppl {math.exp(loss.item()):.2f}")
print("still tied after steps:", torch.equal(model.decoder.weight, model.embed.weight))

buffer = io.BytesIO()
torch.save(model.state_dict(), buffer)
buffer.seek(0)
clone = TiedLM()
print(clone.load_state_dict(torch.load(buffer)))
print("clone tied:", clone.decoder.weight is clone.embed.weight)
with torch.no_grad():
    print("same logits:", torch.allclose(clone(inputs), model(inputs)))
    probs = F.softmax(model(inputs[:1, :3])[0, -1], dim=-1)
print("next-token top-3:", probs.topk(3))
