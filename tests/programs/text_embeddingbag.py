"""The text-classification tutorial's model: EmbeddingBag over flattened token ids with
offsets, a collate function that builds them, and a DataLoader with worker processes."""

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, get_worker_info

torch.manual_seed(13)
vocab_size, num_class = 40, 3
samples = []
for i in range(24):
    label = i % num_class
    length = 3 + i % 5
    tokens = torch.randint(label * 10, label * 10 + 15, (length,))
    samples.append((label, tokens))


def collate_batch(batch):
    labels = torch.tensor([label for label, _ in batch], dtype=torch.int64)
    lengths = torch.tensor([0] + [len(tokens) for _, tokens in batch[:-1]])
    offsets = lengths.cumsum(dim=0)
    text = torch.cat([tokens for _, tokens in batch])
    return labels, text, offsets


def seed_worker(worker_id):
    info = get_worker_info()
    assert info is not None and info.id == worker_id


class TextClassificationModel(nn.Module):
    def __init__(self, vocab_size, embed_dim, num_class):
        super().__init__()
        self.embedding = nn.EmbeddingBag(vocab_size, embed_dim, mode="mean")
        self.fc = nn.Linear(embed_dim, num_class)
        self.init_weights()

    def init_weights(self):
        initrange = 0.5
        self.embedding.weight.data.uniform_(-initrange, initrange)
        self.fc.weight.data.uniform_(-initrange, initrange)
        self.fc.bias.data.zero_()

    def forward(self, text, offsets):
        return self.fc(self.embedding(text, offsets))


model = TextClassificationModel(vocab_size, 8, num_class)
print(model)
g = torch.Generator()
g.manual_seed(0)
loader = DataLoader(
    samples,
    batch_size=6,
    shuffle=True,
    collate_fn=collate_batch,
    num_workers=2,
    worker_init_fn=seed_worker,
    generator=g,
)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=5.0)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 1.0, gamma=0.1)
for epoch in range(3):
    correct = total = 0
    for i, (label, text, offsets) in enumerate(loader):
        if epoch == 0 and i == 0:
            print("first batch:", label, offsets, text.shape)
        optimizer.zero_grad()
        predicted = model(text, offsets)
        loss = criterion(predicted, label)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.1)
        optimizer.step()
        correct += (predicted.argmax(1) == label).sum().item()
        total += label.size(0)
    scheduler.step()
    print(f"epoch {epoch}: accuracy {correct / total:.3f} loss {loss.item():.4f}")

bag = nn.EmbeddingBag.from_pretrained(torch.arange(12.0).view(4, 3), mode="sum")
print("from_pretrained sum:", bag(torch.tensor([0, 1, 3, 2]), torch.tensor([0, 3])))
print("2-D input max:", nn.EmbeddingBag(5, 2, mode="max")(torch.tensor([[0, 1], [2, 3]])).shape)
frozen = nn.Embedding.from_pretrained(torch.eye(3), freeze=True)
print("frozen:", frozen.weight.requires_grad, frozen(torch.tensor([2, 0])))
