"""Every common loss on one batch: value and input gradient, with weights, ignore_index,
probability targets and reductions, the way a loss-function cheat sheet shows them."""

import torch
import torch.nn as nn

torch.manual_seed(44)
logits = torch.randn(6, 4, requires_grad=True)
labels = torch.tensor([0, 3, 1, -100, 2, 3])
probs_target = torch.softmax(torch.randn(6, 4), dim=1)
x, y = torch.randn(6, 3, requires_grad=True), torch.randn(6, 3)
pos = torch.rand(6, 3)
sign = torch.tensor([1.0, -1.0, 1.0, 1.0, -1.0, 1.0])

losses = {
    "cross_entropy": lambda: nn.CrossEntropyLoss()(logits, labels),
    "ce weighted": lambda: nn.CrossEntropyLoss(weight=torch.tensor([1.0, 2.0, 0.5, 1.0]))(
        logits, labels
    ),
    "ce probs": lambda: nn.CrossEntropyLoss()(logits, probs_target),
    "ce smooth sum": lambda: nn.CrossEntropyLoss(label_smoothing=0.2, reduction="sum")(
        logits, labels
    ),
    "nll": lambda: nn.NLLLoss(ignore_index=3)(torch.log_softmax(logits, 1), labels.clamp(min=0)),
    "kl_div": lambda: nn.KLDivLoss(reduction="batchmean")(
        torch.log_softmax(logits, 1), probs_target
    ),
    "kl log_target": lambda: nn.KLDivLoss(reduction="sum", log_target=True)(
        torch.log_softmax(logits, 1), probs_target.log()
    ),
    "mse": lambda: nn.MSELoss()(x, y),
    "l1 none": lambda: nn.L1Loss(reduction="none")(x, y).sum(0),
    "smooth_l1": lambda: nn.SmoothL1Loss(beta=0.5)(x, y),
    "huber": lambda: nn.HuberLoss(delta=0.7)(x, y),
    "bce": lambda: nn.BCELoss(weight=torch.tensor([1.0, 2.0, 3.0]))(torch.sigmoid(x), pos),
    "bce logits": lambda: nn.BCEWithLogitsLoss(pos_weight=torch.tensor([1.0, 2.0, 0.5]))(x, pos),
    "soft margin": lambda: nn.SoftMarginLoss()(x[:, 0], sign),
    "multilabel soft": lambda: nn.MultiLabelSoftMarginLoss()(x, (pos > 0.5).float()),
    "multi margin": lambda: nn.MultiMarginLoss(margin=0.5)(logits, labels.clamp(min=0)),
    "margin ranking": lambda: nn.MarginRankingLoss(margin=0.1)(x[:, 0], x[:, 1], sign),
    "hinge embedding": lambda: nn.HingeEmbeddingLoss()(x[:, 0], sign),
    "cosine embedding": lambda: nn.CosineEmbeddingLoss(margin=0.2)(x, y, sign),
    "triplet": lambda: nn.TripletMarginLoss(margin=1.0)(x[:2], x[2:4], x[4:]),
    "poisson nll": lambda: nn.PoissonNLLLoss()(x, pos * 3),
    "gaussian nll": lambda: nn.GaussianNLLLoss()(x, y, pos + 0.1),
}
for name, make in losses.items():
    logits.grad, x.grad = None, None
    loss = make()
    loss.sum().backward()
    grad = logits.grad if logits.grad is not None else x.grad
    print(f"{name:17s} {loss.detach()}  grad[0] {grad[0]}")
