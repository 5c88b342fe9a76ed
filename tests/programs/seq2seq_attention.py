"""A GRU encoder-decoder with additive attention and teacher forcing, trained to reverse digits."""

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(27)
VOCAB, SOS, HIDDEN, LENGTH = 12, 10, 16, 5


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, HIDDEN)
        self.rnn = nn.GRU(HIDDEN, HIDDEN, batch_first=True)

    def forward(self, src):
        return self.rnn(self.embed(src))


class AttnDecoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, HIDDEN)
        self.W = nn.Linear(HIDDEN, HIDDEN, bias=False)
        self.U = nn.Linear(HIDDEN, HIDDEN)
        self.v = nn.Linear(HIDDEN, 1, bias=False)
        self.cell = nn.GRUCell(2 * HIDDEN, HIDDEN)
        self.out = nn.Linear(HIDDEN, VOCAB)

    def forward(self, token, hidden, enc_out, src_mask):
        scores = self.v(torch.tanh(self.W(hidden).unsqueeze(1) + self.U(enc_out))).squeeze(-1)
        scores = scores.masked_fill(~src_mask, float("-inf"))
        attn = F.softmax(scores, dim=-1)
        context = torch.bmm(attn.unsqueeze(1), enc_out).squeeze(1)
        hidden = self.cell(torch.cat([self.embed(token), context], dim=-1), hidden)
        return self.out(hidden), hidden, attn


encoder, decoder = Encoder(), AttnDecoder()
params = list(encoder.parameters()) + list(decoder.parameters())
optimizer = torch.optim.Adam(params, lr=0.01)
src = torch.randint(0, 10, (8, LENGTH))
tgt = src.flip(1)
src_mask = torch.ones(8, LENGTH, dtype=torch.bool)
src_mask[0, -1] = False

for step in range(15):
    enc_out, h = encoder(src)
    hidden, token, loss = h[0], torch.full((8,), SOS), 0.0
    for t in range(LENGTH):
        logits, hidden, attn = decoder(token, hidden, enc_out, src_mask)
        loss = loss + F.cross_entropy(logits, tgt[:, t])
        token = tgt[:, t]
    optimizer.zero_grad()
    (loss / LENGTH).backward()
    nn.utils.clip_grad_norm_(params, 5.0)
    optimizer.step()
    if step % 5 == 0:
        print(f"step {step:2d} loss {loss.item() / LENGTH:.4f}")

print("attention row 0:", attn[0].detach())
print("masked weight:", attn[0, -1].item())
with torch.no_grad():
    enc_out, h = encoder(src[:2])
    hidden, token, decoded = h[0], torch.full((2,), SOS), []
    for _ in range(LENGTH):
        logits, hidden, _ = decoder(token, hidden, enc_out, src_mask[:2])
        token = logits.argmax(-1)
        decoded.append(token)
print("source:", src[:2])
print("decoded:", torch.stack(decoded, 1))
