"""Skip-gram word2vec with negative sampling on a tiny corpus, then nearest neighbours."""

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(50)
corpus = (
    "the king rules the land . the queen rules the land . the king and the queen "
    "eat bread . the man and the woman eat bread . a man walks . a woman walks ."
).split()
vocab = sorted(set(corpus))
w2i = {w: i for i, w in enumerate(vocab)}
ids = torch.tensor([w2i[w] for w in corpus])
counts = torch.bincount(ids, minlength=len(vocab)).float()
noise = counts.pow(0.75)
noise /= noise.sum()
print("vocab:", len(vocab), "tokens:", len(ids))
print("noise dist:", noise[:5])

window = 2
pairs = [
    (ids[i], ids[j])
    for i in range(len(ids))
    for j in range(max(0, i - window), min(len(ids), i + window + 1))
    if i != j
]
centers = torch.stack([c for c, _ in pairs])
contexts = torch.stack([o for _, o in pairs])
print("pairs:", centers.shape)


class SkipGram(nn.Module):
    def __init__(self, n, d):
        super().__init__()
        self.inp = nn.Embedding(n, d)
        self.out = nn.Embedding(n, d)
        nn.init.uniform_(self.inp.weight, -0.5 / d, 0.5 / d)
        nn.init.zeros_(self.out.weight)

    def forward(self, center, context, negatives):
        v = self.inp(center)
        pos = F.logsigmoid((v * self.out(context)).sum(-1))
        neg = F.logsigmoid(-torch.bmm(self.out(negatives), v.unsqueeze(2)).squeeze(2)).sum(-1)
        return -(pos + neg).mean()


model = SkipGram(len(vocab), 8)
optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
for epoch in range(15):
    perm = torch.randperm(len(centers))
    for i in range(0, len(perm), 64):
        b = perm[i : i + 64]
        negatives = torch.multinomial(noise, len(b) * 3, replacement=True).view(len(b), 3)
        loss = model(centers[b], contexts[b], negatives)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    if epoch % 5 == 4:
        print(f"epoch {epoch + 1}: loss {loss.item():.4f}")

emb = F.normalize(model.inp.weight.detach(), dim=1)
sims = emb @ emb.T
for word in ["king", "man", "bread"]:
    scores, idx = sims[w2i[word]].topk(3)
    print(word, "->", [vocab[i] for i in idx.tolist()], scores)
