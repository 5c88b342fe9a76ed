"""A training script in the shape people ship: argparse, main(), train/evaluate functions,
a validation split, best-model tracking with deepcopy, and a final report."""

import argparse
import copy

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset, random_split


def get_args():
    parser = argparse.ArgumentParser(description="wine-quality style regression")
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-2)
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args()


def make_data(n=256):
    X = torch.randn(n, 8)
    w = torch.linspace(-1, 1, 8)
    y = torch.tanh(X @ w).unsqueeze(1) * 3 + 0.1 * torch.randn(n, 1)
    return TensorDataset(X, y)


def train_one_epoch(model, loader, optimizer, loss_fn):
    model.train()
    total, count = 0.0, 0
    for xb, yb in loader:
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
        count += len(xb)
    return total / count


@torch.inference_mode()
def evaluate(model, loader, loss_fn):
    model.eval()
    losses = [loss_fn(model(xb), yb).item() * len(xb) for xb, yb in loader]
    return sum(losses) / sum(len(xb) for xb, _ in loader)


def main():
    args = get_args()
    torch.manual_seed(args.seed)
    train_set, val_set = random_split(make_data(), [0.75, 0.25])
    print(f"train {len(train_set)} val {len(val_set)}")
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(val_set, batch_size=64)
    model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Dropout(0.1), nn.Linear(32, 1))
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_fn = nn.MSELoss()
    best_loss, best_state, best_epoch = float("inf"), None, -1
    for epoch in range(1, args.epochs + 1):
        train_loss = train_one_epoch(model, train_loader, optimizer, loss_fn)
        val_loss = evaluate(model, val_loader, loss_fn)
        marker = ""
        if val_loss < best_loss:
            best_loss, best_epoch = val_loss, epoch
            best_state = copy.deepcopy(model.state_dict())
            marker = " *"
        print(f"epoch {epoch}/{args.epochs}  train {train_loss:.4f}  val {val_loss:.4f}{marker}")
    model.load_state_dict(best_state)
    print(f"best epoch {best_epoch} val {evaluate(model, val_loader, loss_fn):.4f}")
    clone = copy.deepcopy(model)
    print(
        "deepcopy independent:",
        clone[0].weight is not model[0].weight,
        torch.equal(clone[0].weight, model[0].weight),
    )


if __name__ == "__main__":
    main()
