"""A data pipeline: a custom Dataset, random_split, samplers, collate functions, drop_last."""

import torch
from torch.utils.data import (
    DataLoader,
    Dataset,
    Subset,
    WeightedRandomSampler,
    random_split,
)


class SquaresDataset(Dataset):
    def __init__(self, n):
        self.x = torch.arange(n, dtype=torch.float32)

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return {"x": self.x[i], "y": self.x[i] ** 2, "id": i}


torch.manual_seed(17)
ds = SquaresDataset(20)
print(len(ds), ds[3])

train, val = random_split(ds, [15, 5], generator=torch.Generator().manual_seed(42))
print("split:", len(train), len(val), sorted(val.indices))

loader = DataLoader(train, batch_size=4, shuffle=True, drop_last=True)
print("batches:", len(loader))
for batch in loader:
    print(batch["id"], batch["x"], batch["y"].dtype)

ordered = DataLoader(Subset(ds, [0, 5, 10, 15]), batch_size=3)
for batch in ordered:
    print("ordered:", batch["id"].tolist(), batch["y"])


def pad_collate(items):
    seqs = [torch.arange(it["id"] % 4 + 1) for it in items]
    lengths = torch.tensor([len(s) for s in seqs])
    padded = torch.nn.utils.rnn.pad_sequence(seqs, batch_first=True, padding_value=-1)
    return padded, lengths


for padded, lengths in DataLoader(ds, batch_size=5, collate_fn=pad_collate):
    print(padded.tolist(), lengths)
    break

weights = torch.tensor([0.1] * 10 + [0.9] * 10)
sampler = WeightedRandomSampler(weights, num_samples=12, replacement=True)
drawn = [
    int(batch["id"][j])
    for batch in DataLoader(ds, batch_size=4, sampler=sampler)
    for j in range(len(batch["id"]))
]
print("weighted draw:", drawn, "high half:", sum(i >= 10 for i in drawn))

tuples = DataLoader([(torch.tensor([i, i + 1]), i % 2) for i in range(6)], batch_size=4)
for xs, ys in tuples:
    print("tuple batch:", xs, ys)

g = torch.Generator()
g.manual_seed(0)
print("perm:", torch.randperm(8, generator=g), torch.rand(2, generator=g))
print(list(torch.utils.data.BatchSampler(range(7), batch_size=3, drop_last=False)))
