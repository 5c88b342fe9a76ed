"""Variable-length sequences: pad, pack, a bidirectional GRU, and a masked mean-pooling head."""

import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence

torch.manual_seed(19)
sentences = [torch.randint(1, 50, (n,)) for n in (6, 3, 5, 2)]
lengths = torch.tensor([len(s) for s in sentences])
padded = pad_sequence(sentences, batch_first=True)
print(padded)
print("lengths:", lengths)

embedding = nn.Embedding(50, 8, padding_idx=0)
gru = nn.GRU(8, 6, batch_first=True, bidirectional=True)
head = nn.Linear(12, 2)
params = list(embedding.parameters()) + list(gru.parameters()) + list(head.parameters())
optimizer = torch.optim.Adagrad(params, lr=0.1)

emb = embedding(padded)
packed = pack_padded_sequence(emb, lengths, batch_first=True, enforce_sorted=False)
print("packed batch sizes:", packed.batch_sizes)
print("sorted indices:", packed.sorted_indices)
out_packed, h_n = gru(packed)
out, out_lengths = pad_packed_sequence(out_packed, batch_first=True)
print("unpacked:", out.shape, out_lengths)
print("padding is zero:", out[3, 2:].abs().sum().item())
print("h_n:", h_n.shape)
print("final forward state equals output:", torch.allclose(out[1, 2, :6], h_n[0, 1]))

mask = (torch.arange(padded.size(1))[None, :] < lengths[:, None]).unsqueeze(-1)
pooled = (out * mask).sum(1) / lengths[:, None]
logits = head(pooled)
labels = torch.tensor([1, 0, 1, 0])
loss = nn.functional.cross_entropy(logits, labels)
print("logits:", logits)
print("loss:", loss.item())
loss.backward()
print("gru weight_ih_l0_reverse grad:", gru.weight_ih_l0_reverse.grad[:2, :4])
print("padding embedding grad:", embedding.weight.grad[0].abs().sum().item())
optimizer.step()
print("adagrad sum:", optimizer.state[head.weight]["sum"][0])
