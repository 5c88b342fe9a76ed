"""Matrix-factorisation recommender: user and item embeddings with biases, parameter groups with
their own weight decay, RMSE, and top-k recommendations that mask already-rated items."""

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(42)
n_users, n_items, k = 15, 20, 4
true_u, true_i = torch.randn(n_users, k), torch.randn(n_items, k)
full = (true_u @ true_i.T).clamp(-2, 2) + 3
observed = torch.rand(n_users, n_items) < 0.4
users, items = observed.nonzero(as_tuple=True)
ratings = full[users, items] + 0.1 * torch.randn(len(users))
print("ratings:", len(ratings), "range:", ratings.min().item() > 0, ratings.max().item() < 6)


class MF(nn.Module):
    def __init__(self):
        super().__init__()
        self.user = nn.Embedding(n_users, k)
        self.item = nn.Embedding(n_items, k)
        self.user_bias = nn.Embedding(n_users, 1)
        self.item_bias = nn.Embedding(n_items, 1)
        self.global_bias = nn.Parameter(torch.tensor(3.0))
        for emb in (self.user, self.item):
            nn.init.normal_(emb.weight, std=0.1)
        for emb in (self.user_bias, self.item_bias):
            nn.init.zeros_(emb.weight)

    def forward(self, u, i):
        dot = (self.user(u) * self.item(i)).sum(1)
        return dot + self.user_bias(u).squeeze(1) + self.item_bias(i).squeeze(1) + self.global_bias


model = MF()
optimizer = torch.optim.Adam(
    [
        {"params": [model.user.weight, model.item.weight], "weight_decay": 1e-4},
        {
            "params": [model.user_bias.weight, model.item_bias.weight, model.global_bias],
            "weight_decay": 0.0,
        },
    ],
    lr=0.05,
)
loader = DataLoader(TensorDataset(users, items, ratings), batch_size=32, shuffle=True)
for epoch in range(10):
    for u, i, r in loader:
        loss = nn.functional.mse_loss(model(u, i), r)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    if epoch % 3 == 0:
        with torch.no_grad():
            rmse = nn.functional.mse_loss(model(users, items), ratings).sqrt()
        print(f"epoch {epoch}: train rmse {rmse:.4f}")

with torch.no_grad():
    scores = (
        model.user.weight @ model.item.weight.T + model.item_bias.weight.T + model.user_bias.weight
    )
    scores = scores + model.global_bias
    unseen_rmse = ((scores - full)[~observed]).pow(2).mean().sqrt()
    scores.masked_fill_(observed, float("-inf"))
    top = scores.topk(3, dim=1)
print(f"held-out rmse {unseen_rmse:.4f}")
print("top-3 for user 0:", top.indices[0], top.values[0])
print("no seen item recommended:", not observed.gather(1, top.indices).any().item())
print("global bias:", model.global_bias.item())
