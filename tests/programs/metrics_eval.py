"""Evaluation metrics written with tensor ops: confusion matrix, precision/recall/F1, ROC AUC
by sorting, R squared, and top-k accuracy, as evaluation scripts compute them."""

import torch

torch.manual_seed(91)
num_classes = 4
logits = torch.randn(50, num_classes) + torch.nn.functional.one_hot(torch.arange(50) % 4, 4) * 1.5
targets = torch.arange(50) % 4
preds = logits.argmax(1)

confusion = torch.zeros(num_classes, num_classes, dtype=torch.long)
confusion.index_put_((targets, preds), torch.ones_like(targets), accumulate=True)
print("confusion:\n", confusion)
same = torch.bincount(targets * num_classes + preds, minlength=num_classes**2).view(4, 4)
print("bincount agrees:", torch.equal(confusion, same))
tp = confusion.diag().float()
precision = tp / confusion.sum(0).clamp(min=1)
recall = tp / confusion.sum(1).clamp(min=1)
f1 = 2 * precision * recall / (precision + recall)
print("precision:", precision, "\nrecall:", recall, "\nf1:", f1)
print(f"macro f1 {f1.mean():.4f}  accuracy {(preds == targets).float().mean():.4f}")
top2 = logits.topk(2, dim=1).indices
print("top-2 accuracy:", (top2 == targets[:, None]).any(1).float().mean().item())

scores = torch.sigmoid(logits[:, 0] - logits[:, 1:].mean(1))
labels = (targets == 0).float()
order = scores.argsort(descending=True)
tps = labels[order].cumsum(0)
fps = (1 - labels[order]).cumsum(0)
tpr = torch.cat([torch.zeros(1), tps / tps[-1]])
fpr = torch.cat([torch.zeros(1), fps / fps[-1]])
print("auc:", torch.trapezoid(tpr, fpr).item())
print("roc head:", fpr[:5], tpr[:5])

y_true = torch.linspace(0, 5, 20)
y_pred = y_true + 0.3 * torch.randn(20)
ss_res = ((y_true - y_pred) ** 2).sum()
ss_tot = ((y_true - y_true.mean()) ** 2).sum()
print(
    f"r2 {1 - ss_res / ss_tot:.5f}  mae {(y_true - y_pred).abs().mean():.5f}  "
    f"rmse {ss_res.div(20).sqrt():.5f}"
)
print("corrcoef:", torch.corrcoef(torch.stack([y_true, y_pred]))[0, 1].item())
print("quantile errors:", torch.quantile((y_true - y_pred).abs(), torch.tensor([0.5, 0.9])))
print(
    "per-class support:",
    confusion.sum(1).tolist(),
    "argmax ties:",
    torch.tensor([1, 3, 3, 2]).argmax().item(),
)
