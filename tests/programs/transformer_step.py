"""A tiny Transformer encoder classifier: positional embeddings, attention masks, one step."""

import math

import torch
import torch.nn as nn

torch.manual_seed(21)


class TinyTransformer(nn.Module):
    def __init__(self, vocab=30, d_model=16, heads=2, layers=2, classes=4, max_len=12):
        super().__init__()
        self.tok = nn.Embedding(vocab, d_model, padding_idx=0)
        self.pos = nn.Parameter(torch.zeros(1, max_len, d_model))
        nn.init.normal_(self.pos, std=0.02)
        layer = nn.TransformerEncoderLayer(
            d_model, heads, dim_feedforward=32, dropout=0.0, batch_first=True
        )
        self.encoder = nn.TransformerEncoder(layer, num_layers=layers, enable_nested_tensor=False)
        self.head = nn.Linear(d_model, classes)

    def forward(self, tokens):
        pad = tokens == 0
        x = self.tok(tokens) * math.sqrt(self.tok.embedding_dim) + self.pos[:, : tokens.size(1)]
        x = self.encoder(x, src_key_padding_mask=pad)
        keep = (~pad).unsqueeze(-1).float()
        pooled = (x * keep).sum(1) / keep.sum(1)
        return self.head(pooled)


model = TinyTransformer()
print(model.encoder.layers[0])
print("params:", sum(p.numel() for p in model.parameters()))
tokens = torch.randint(1, 30, (3, 10))
tokens[0, 7:] = 0
tokens[2, 5:] = 0
labels = torch.tensor([1, 3, 0])
print(tokens)

optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.98), eps=1e-9)
logits = model(tokens)
print("logits:", logits)
loss = nn.functional.cross_entropy(logits, labels)
loss.backward()
print("loss:", loss.item())
print("pos grad norm:", model.pos.grad.norm().item())
print("padding row grad:", model.tok.weight.grad[0].abs().sum().item())
optimizer.step()
print("after step:", nn.functional.cross_entropy(model(tokens), labels).item())

mha = nn.MultiheadAttention(embed_dim=8, num_heads=2, batch_first=True)
q = torch.randn(2, 5, 8)
causal = torch.triu(torch.ones(5, 5, dtype=torch.bool), diagonal=1)
out, weights = mha(q, q, q, attn_mask=causal)
print("attention out:", out.shape, "weights:", weights.shape)
print("weights[0]:", weights[0])
sdpa = nn.functional.scaled_dot_product_attention(q, q, q, is_causal=True)
print("sdpa:", sdpa[0, :2])
