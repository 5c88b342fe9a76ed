"""nn.Transformer for a copy task: square subsequent masks, padding masks, greedy decoding,
and saving the whole model object."""

import os
import tempfile

import torch
import torch.nn as nn

torch.manual_seed(8)
V, D, PAD, BOS = 10, 16, 0, 1


class Seq2Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(V, D, padding_idx=PAD)
        self.transformer = nn.Transformer(
            d_model=D,
            nhead=2,
            num_encoder_layers=1,
            num_decoder_layers=1,
            dim_feedforward=32,
            dropout=0.0,
            batch_first=True,
            norm_first=True,
        )
        self.proj = nn.Linear(D, V)

    def forward(self, src, tgt):
        tgt_mask = nn.Transformer.generate_square_subsequent_mask(tgt.size(1))
        out = self.transformer(
            self.emb(src),
            self.emb(tgt),
            tgt_mask=tgt_mask,
            src_key_padding_mask=src == PAD,
            memory_key_padding_mask=src == PAD,
        )
        return self.proj(out)


print(nn.Transformer.generate_square_subsequent_mask(4))
model = Seq2Seq()
print("parameters:", sum(p.numel() for p in model.parameters()))
src = torch.randint(2, V, (4, 6))
src[1, 4:] = PAD
tgt_in = torch.cat([torch.full((4, 1), BOS), src[:, :-1]], dim=1)
optimizer = torch.optim.Adam(model.parameters(), lr=5e-3)
loss_fn = nn.CrossEntropyLoss(ignore_index=PAD)
for step in range(10):
    logits = model(src, tgt_in)
    loss = loss_fn(logits.reshape(-1, V), src.reshape(-1))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step % 3 == 0:
        print(f"step {step} loss {loss.item():.4f}")

model.eval()
with torch.no_grad():
    ys = torch.full((2, 1), BOS)
    for _ in range(5):
        next_tok = model(src[:2], ys)[:, -1].argmax(-1, keepdim=True)
        ys = torch.cat([ys, next_tok], dim=1)
print("source: ", src[:2])
print("decoded:", ys[:, 1:])

with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "model.pt")
    torch.save(model, path)
    reloaded = torch.load(path, weights_only=False)
print(type(reloaded).__name__, reloaded.training)
with torch.no_grad():
    print("same output:", torch.equal(reloaded(src, tgt_in), model(src, tgt_in)))
