"""A small classifier trained with ``Dataset``/``DataLoader``: three clusters of 2-D points.

Points come from three Gaussian clusters; a two-layer network learns which cluster each point
belongs to. ``TensorDataset`` pairs points with labels, ``DataLoader`` shuffles them and cuts
mini-batches each epoch, ``nn.CrossEntropyLoss`` takes raw scores, and ``optim.Adam`` updates.
"""

import torch
from torch import nn, optim
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
centers = torch.tensor([[0.0, 2.0], [-2.0, -1.0], [2.0, -1.0]])
labels = torch.arange(3).repeat_interleave(100)
points = centers[labels] + 0.8 * torch.randn(300, 2)
order = torch.randperm(300)  # mix the clusters before holding out a test set
points, labels = points[order], labels[order]

train = TensorDataset(points[:240], labels[:240])
test_points, test_labels = points[240:], labels[240:]
loader = DataLoader(train, batch_size=32, shuffle=True)

model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 3))
loss_fn = nn.CrossEntropyLoss()
optimizer = optim.Adam(model.parameters(), lr=0.01)

for epoch in range(8):
    total, correct, seen = 0.0, 0, 0
    for xb, yb in loader:
        scores = model(xb)
        loss = loss_fn(scores, yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(yb)
        correct += (scores.argmax(dim=1) == yb).sum().item()
        seen += len(yb)
    print(f"epoch {epoch}  loss {total / seen:.4f}  train accuracy {correct / seen:.3f}")

model.eval()
with torch.no_grad():
    predicted = model(test_points).argmax(dim=1)
accuracy = (predicted == test_labels).float().mean().item()
print(f"test accuracy {accuracy:.3f}")
print("first predictions:", predicted[:10].tolist())
