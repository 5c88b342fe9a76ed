"""torchmetrics: Accuracy, F1Score and MeanSquaredError, accumulated over batches."""

import torch
from torchmetrics import Accuracy, F1Score, MeanSquaredError

torch.manual_seed(0)
preds = torch.randn(20, 3).softmax(-1)
target = torch.randint(0, 3, (20,))
acc = Accuracy(task="multiclass", num_classes=3)
for i in range(2):
    print("batch accuracy", acc(preds[i * 10 : (i + 1) * 10], target[i * 10 : (i + 1) * 10]))
print("accuracy", acc.compute())
f1 = F1Score(task="multiclass", num_classes=3, average="macro")
print("f1", f1(preds, target))
mse = MeanSquaredError()
mse.update(torch.randn(5), torch.randn(5))
mse.update(torch.randn(5), torch.randn(5))
print("mse", mse.compute())
print(acc)
