"""REINFORCE on a toy bandit-like environment with torch.distributions.Categorical."""

import torch
import torch.nn as nn
from torch.distributions import Categorical, Normal

torch.manual_seed(3)

# Each state rewards one action; the policy has to learn which.
n_states, n_actions = 4, 3
best_action = torch.tensor([2, 0, 1, 2])
policy = nn.Sequential(nn.Embedding(n_states, 8), nn.ReLU(), nn.Linear(8, n_actions))
optimizer = torch.optim.Adam(policy.parameters(), lr=0.05)

for episode in range(40):
    states = torch.randint(0, n_states, (16,))
    dist = Categorical(logits=policy(states))
    actions = dist.sample()
    rewards = (actions == best_action[states]).float()
    baseline = rewards.mean()
    loss = -(dist.log_prob(actions) * (rewards - baseline)).mean() - 0.01 * dist.entropy().mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if episode % 10 == 0:
        print(f"episode {episode:2d} reward {rewards.mean().item():.3f} loss {loss.item():.4f}")

with torch.no_grad():
    probs = torch.softmax(policy(torch.arange(n_states)), dim=-1)
print("policy:", probs)
print("greedy:", probs.argmax(-1), "best:", best_action)

d = Categorical(probs=torch.tensor([0.1, 0.2, 0.7]))
print("categorical:", d.probs, d.entropy(), d.log_prob(torch.tensor(2)))
print("samples:", d.sample((8,)))
n = Normal(torch.tensor([0.0, 1.0]), torch.tensor([1.0, 0.5]))
x = n.rsample()
print("normal rsample:", x, n.log_prob(x), n.entropy())
print("mean/stddev:", n.mean, n.stddev)
