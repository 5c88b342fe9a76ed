"""A PPO-style clipped policy update with a Gaussian policy: Normal log-probs summed over action
dimensions, advantage normalisation, ratio clipping, value loss, and an approximate KL."""

import torch
import torch.nn as nn
from torch.distributions import Normal, kl_divergence

torch.manual_seed(81)
obs_dim, act_dim = 3, 2


class ActorCritic(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(obs_dim, 32), nn.Tanh())
        self.mu = nn.Linear(32, act_dim)
        self.log_std = nn.Parameter(torch.full((act_dim,), -0.5))
        self.value = nn.Linear(32, 1)

    def dist(self, obs):
        h = self.body(obs)
        return Normal(self.mu(h), self.log_std.exp()), self.value(h).squeeze(-1)


agent = ActorCritic()
optimizer = torch.optim.Adam(agent.parameters(), lr=3e-3, eps=1e-5)
obs = torch.randn(64, obs_dim)
with torch.no_grad():
    old_dist, values = agent.dist(obs)
    actions = old_dist.sample()
    old_logp = old_dist.log_prob(actions).sum(-1)
rewards = -(actions - obs[:, :act_dim]).pow(2).sum(-1)
returns = rewards
adv = returns - values
adv = (adv - adv.mean()) / (adv.std() + 1e-8)
print("advantages:", adv[:4], "mean ~0:", abs(adv.mean().item()) < 1e-6)

clip = 0.2
for epoch in range(4):
    for idx in torch.randperm(64).split(16):
        dist, v = agent.dist(obs[idx])
        logp = dist.log_prob(actions[idx]).sum(-1)
        ratio = (logp - old_logp[idx]).exp()
        surr = torch.min(ratio * adv[idx], ratio.clamp(1 - clip, 1 + clip) * adv[idx])
        entropy = dist.entropy().sum(-1).mean()
        loss = -surr.mean() + 0.5 * (returns[idx] - v).pow(2).mean() - 0.01 * entropy
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(agent.parameters(), 0.5)
        optimizer.step()
    with torch.no_grad():
        new_dist, _ = agent.dist(obs)
        approx_kl = (old_logp - new_dist.log_prob(actions).sum(-1)).mean()
        exact_kl = kl_divergence(old_dist, new_dist).sum(-1).mean()
        clipped = ((ratio - 1).abs() > clip).float().mean()
    print(
        f"epoch {epoch}: loss {loss.item():.4f} kl {approx_kl.item():.5f} "
        f"exact {exact_kl.item():.5f} clipfrac {clipped.item():.3f}"
    )
print("log_std:", agent.log_std.data)
print("mean action:", agent.dist(obs[:2])[0].mean)
