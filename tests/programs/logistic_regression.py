"""Logistic regression on two Gaussian blobs: BCEWithLogitsLoss, Adam, a shuffled DataLoader."""

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

n = 64
pos = torch.randn(n, 2) + torch.tensor([1.5, 1.5])
neg = torch.randn(n, 2) - torch.tensor([1.5, 1.5])
features = torch.cat([pos, neg])
labels = torch.cat([torch.ones(n), torch.zeros(n)]).unsqueeze(1)
print(features.shape, labels.shape, labels.dtype, labels.sum())

dataset = TensorDataset(features, labels)
print("dataset size:", len(dataset))
x0, y0 = dataset[0]
print("first item:", x0, y0)

loader = DataLoader(dataset, batch_size=16, shuffle=True)
print("batches per epoch:", len(loader))

model = nn.Linear(2, 1)
loss_fn = nn.BCEWithLogitsLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
print(optimizer)

for epoch in range(5):
    total = 0.0
    for i, (xb, yb) in enumerate(loader):
        if epoch == 0 and i == 0:
            print("first batch:", xb.shape, yb.view(-1))
        logits = model(xb)
        loss = loss_fn(logits, yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * xb.size(0)
    print(f"epoch {epoch}: mean loss {total / len(dataset):.5f}")

state = optimizer.state_dict()["state"]
print("adam steps:", state[0]["step"], "exp_avg:", state[0]["exp_avg"])
print("exp_avg_sq:", state[1]["exp_avg_sq"])

with torch.no_grad():
    probs = torch.sigmoid(model(features))
    preds = (probs > 0.5).float()
    accuracy = (preds == labels).float().mean()
print("weights:", model.weight, model.bias, sep="\n")
print(f"accuracy: {accuracy.item():.4f}")
print("probabilities:", probs[:4].squeeze(1), probs[-4:].squeeze(1))
print("bce (functional):", nn.functional.binary_cross_entropy(probs, labels).item())
pos_weight = torch.tensor([2.0])
weighted = nn.BCEWithLogitsLoss(pos_weight=pos_weight, reduction="sum")
print("weighted sum loss:", weighted(model(features), labels))
