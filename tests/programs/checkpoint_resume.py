"""Checkpointing: save model and optimizer state, reload into fresh objects, resume training."""

import os
import tempfile

import torch
import torch.nn as nn

torch.manual_seed(5)


def build():
    return nn.Sequential(
        nn.Linear(3, 10),
        nn.LayerNorm(10),
        nn.GELU(),
        nn.Linear(10, 10),
        nn.ReLU(),
        nn.Linear(10, 2),
    )


x = torch.randn(50, 3)
y = torch.stack([x[:, 0] * x[:, 1], x[:, 2].sin()], dim=1)

model = build()
optimizer = torch.optim.AdamW(model.parameters(), lr=0.01, weight_decay=0.01)
scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.9)
loss_fn = nn.SmoothL1Loss()


def train(model, optimizer, scheduler, steps):
    for _ in range(steps):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        scheduler.step()
    return loss.item()


print(f"loss after 10 steps: {train(model, optimizer, scheduler, 10):.6f}")

with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "ckpt.pth")
    torch.save(
        {
            "epoch": 10,
            "model_state_dict": model.state_dict(),
            "optimizer_state_dict": optimizer.state_dict(),
            "scheduler_state_dict": scheduler.state_dict(),
            "note": "resume me",
        },
        path,
    )
    torch.save(model[0].weight, os.path.join(tmp, "w.pt"))
    checkpoint = torch.load(path, weights_only=True)
    w = torch.load(os.path.join(tmp, "w.pt"))
    print("file exists:", os.path.getsize(path) > 0)

print("checkpoint keys:", list(checkpoint.keys()))
print("model keys:", list(checkpoint["model_state_dict"].keys()))
opt_state = checkpoint["optimizer_state_dict"]
print("optimizer state keys:", sorted(opt_state["state"][0].keys()))
print("param_groups:", {k: v for k, v in opt_state["param_groups"][0].items() if k != "params"})
print(
    "scheduler:",
    checkpoint["scheduler_state_dict"]["last_epoch"],
    checkpoint["scheduler_state_dict"]["_last_lr"],
)
print("loaded weight:", type(w).__name__, w.requires_grad, w.shape, torch.equal(w, model[0].weight))

restored = build()
missing = restored.load_state_dict(checkpoint["model_state_dict"])
print("load result:", missing)
restored_opt = torch.optim.AdamW(restored.parameters(), lr=0.01, weight_decay=0.01)
restored_opt.load_state_dict(checkpoint["optimizer_state_dict"])
restored_sched = torch.optim.lr_scheduler.ExponentialLR(restored_opt, gamma=0.9)
restored_sched.load_state_dict(checkpoint["scheduler_state_dict"])
print("restored lr:", restored_opt.param_groups[0]["lr"], restored_sched.get_last_lr())

a = train(model, optimizer, scheduler, 5)
b = train(restored, restored_opt, restored_sched, 5)
print(f"continued: {a:.6f} restored: {b:.6f} same: {a == b}")
print(
    "weights equal:",
    all(torch.equal(p, q) for p, q in zip(model.parameters(), restored.parameters())),
)
print("layernorm state:", restored[1].weight[:3], restored[1].bias[:3])
print("step:", restored_opt.state_dict()["state"][0]["step"])

strict = build()
del_state = dict(checkpoint["model_state_dict"])
del del_state["5.bias"]
print(strict.load_state_dict(del_state, strict=False))
try:
    strict.load_state_dict(del_state)
except RuntimeError as e:
    print("strict load failed:", str(e).splitlines()[0])
