"""A two-layer MLP classifier on synthetic 3-class data with CrossEntropyLoss and StepLR."""

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.optim.lr_scheduler import StepLR

torch.manual_seed(1)


class MLP(nn.Module):
    def __init__(self, in_features, hidden, classes):
        super().__init__()
        self.fc1 = nn.Linear(in_features, hidden)
        self.fc2 = nn.Linear(hidden, classes)
        self.dropout = nn.Dropout(p=0.2)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = self.dropout(x)
        return self.fc2(x)


centers = torch.randn(3, 4) * 3
targets = torch.randint(0, 3, (300,))
inputs = centers[targets] + torch.randn(300, 4)
print("targets:", targets[:12], targets.dtype)
print("class counts:", torch.bincount(targets))

model = MLP(4, 16, 3)
print(model)
n_params = sum(p.numel() for p in model.parameters())
print("parameters:", n_params)

criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
scheduler = StepLR(optimizer, step_size=5, gamma=0.5)

train_x, train_y = inputs[:240], targets[:240]
test_x, test_y = inputs[240:], targets[240:]
for epoch in range(15):
    model.train()
    perm = torch.randperm(240)
    for start in range(0, 240, 60):
        idx = perm[start : start + 60]
        optimizer.zero_grad()
        loss = criterion(model(train_x[idx]), train_y[idx])
        loss.backward()
        optimizer.step()
    scheduler.step()
    if epoch % 3 == 2:
        print(f"epoch {epoch + 1}: loss {loss.item():.4f} lr {scheduler.get_last_lr()[0]:.4f}")

model.eval()
with torch.no_grad():
    logits = model(test_x)
    probs = F.softmax(logits, dim=1)
    predicted = logits.argmax(dim=1)
    accuracy = (predicted == test_y).sum().item() / len(test_y)
print("eval logits:", logits[:3])
print("probs:", probs[:3])
print("row sums:", probs.sum(dim=1)[:3])
print("predicted:", predicted[:10])
print(f"test accuracy: {accuracy:.3f}")
print("training flag:", model.training, model.dropout.training)
print("last lr:", scheduler.get_last_lr(), optimizer.param_groups[0]["lr"])
print("scheduler state:", scheduler.state_dict())
print("log_softmax + nll:", F.nll_loss(F.log_softmax(logits, dim=1), test_y).item())
print("label smoothing:", nn.CrossEntropyLoss(label_smoothing=0.1)(logits, test_y).item())
