"""Knowledge distillation: a frozen teacher, a small student, temperature-scaled KL plus CE."""

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(33)
X = torch.randn(200, 10)
y = (X[:, :3].sum(1) > 0).long() + (X[:, 3] > 1).long()

teacher = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 3))
opt = torch.optim.Adam(teacher.parameters(), lr=1e-2)
for _ in range(60):
    opt.zero_grad()
    F.cross_entropy(teacher(X), y).backward()
    opt.step()
teacher.eval()
for p in teacher.parameters():
    p.requires_grad_(False)
with torch.no_grad():
    teacher_acc = (teacher(X).argmax(1) == y).float().mean()
print(f"teacher accuracy {teacher_acc:.3f}")
print("teacher trainable:", sum(p.numel() for p in teacher.parameters() if p.requires_grad))

student = nn.Sequential(nn.Linear(10, 8), nn.ReLU(), nn.Linear(8, 3))
opt = torch.optim.SGD(student.parameters(), lr=0.2, momentum=0.9)
T, alpha = 4.0, 0.7
for epoch in range(30):
    s_logits = student(X)
    with torch.no_grad():
        t_logits = teacher(X)
    soft = F.kl_div(
        F.log_softmax(s_logits / T, dim=1), F.softmax(t_logits / T, dim=1), reduction="batchmean"
    )
    hard = F.cross_entropy(s_logits, y)
    loss = alpha * soft * T * T + (1 - alpha) * hard
    opt.zero_grad()
    loss.backward()
    opt.step()
    if epoch % 10 == 9:
        print(
            f"epoch {epoch + 1}: soft {soft.item():.4f} hard {hard.item():.4f} "
            f"total {loss.item():.4f}"
        )

with torch.no_grad():
    agree = (student(X).argmax(1) == teacher(X).argmax(1)).float().mean().item()
    probs = F.softmax(student(X[:3]) / T, dim=1)
print(f"student agrees with teacher on {agree:.1%}")
print("softened student probs:", probs)
print("teacher grads are None:", all(p.grad is None for p in teacher.parameters()))
