"""A two-layer graph convolutional network from scratch: edge lists, degree normalisation,
message passing with index_add_ and scatter_reduce, node classification on a toy graph."""

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(4)
# Two communities of 6 nodes, densely linked inside, one bridge between them.
edges = [
    (i, j)
    for c in (0, 6)
    for i in range(c, c + 6)
    for j in range(c, c + 6)
    if i < j and (i + j) % 3
]
edges.append((2, 8))
src, dst = torch.tensor(edges).T
edge_index = torch.cat([torch.stack([src, dst]), torch.stack([dst, src])], dim=1)
N = 12
labels = (torch.arange(N) >= 6).long()
features = torch.randn(N, 5)
print("edges:", edge_index.shape, "degrees:", torch.bincount(edge_index[0], minlength=N))


def normalized_propagate(x, edge_index):
    loops = torch.arange(N).repeat(2, 1)
    ei = torch.cat([edge_index, loops], dim=1)
    deg = torch.zeros(N).index_add_(0, ei[1], torch.ones(ei.size(1)))
    norm = deg[ei[0]].rsqrt() * deg[ei[1]].rsqrt()
    messages = x[ei[0]] * norm[:, None]
    return torch.zeros_like(x).index_add_(0, ei[1], messages)


class GCN(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin1 = nn.Linear(5, 8)
        self.lin2 = nn.Linear(8, 2)

    def forward(self, x, edge_index):
        h = F.relu(normalized_propagate(self.lin1(x), edge_index))
        return normalized_propagate(self.lin2(h), edge_index)


model = GCN()
optimizer = torch.optim.Adam(model.parameters(), lr=0.05, weight_decay=5e-4)
train_mask = torch.zeros(N, dtype=torch.bool)
train_mask[[0, 1, 6, 7]] = True
for epoch in range(40):
    optimizer.zero_grad()
    out = model(features, edge_index)
    loss = F.cross_entropy(out[train_mask], labels[train_mask])
    loss.backward()
    optimizer.step()
    if epoch % 10 == 0:
        print(f"epoch {epoch:2d} loss {loss.item():.4f}")

model.eval()
pred = model(features, edge_index).argmax(1)
print("predictions:", pred)
print("test accuracy:", (pred[~train_mask] == labels[~train_mask]).float().mean().item())
agg = torch.zeros(N, 5).scatter_reduce(
    0,
    edge_index[1][:, None].expand(-1, 5),
    features[edge_index[0]],
    reduce="amax",
    include_self=False,
)
print("max-aggregated neighbour features:", agg[:2])
mean_agg = torch.zeros(N, 5).scatter_reduce(
    0,
    edge_index[1][:, None].expand(-1, 5),
    features[edge_index[0]],
    reduce="mean",
    include_self=False,
)
print("mean-aggregated:", mean_agg[-1])
