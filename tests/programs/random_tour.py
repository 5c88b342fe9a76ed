"""Random numbers a seeded script draws: every sampler people use, generators, and RNG state."""

import torch

torch.manual_seed(2024)
print(torch.rand(3), torch.randn(2, 2), torch.randint(0, 10, (5,)), sep="\n")
print(torch.randint(-5, 5, (2, 3), dtype=torch.int32), torch.randint(3, (4,)))
print(torch.randperm(10), torch.randn(3, dtype=torch.float64))
print(torch.normal(2.0, 3.0, size=(3,)), torch.normal(torch.zeros(2), torch.ones(2)))
print(torch.rand_like(torch.zeros(2)), torch.randn_like(torch.zeros(2)))
print(torch.randint_like(torch.zeros(3), 0, 4), torch.bernoulli(torch.full((6,), 0.5)))
print(torch.multinomial(torch.tensor([0.2, 0.3, 0.5]), 5, replacement=True))
print(torch.multinomial(torch.tensor([1.0, 2.0, 3.0, 4.0]), 2))

state = torch.get_rng_state()
a = torch.randn(4)
torch.set_rng_state(state)
b = torch.randn(4)
print("state restore:", torch.equal(a, b), state.dtype, state.shape)

t = torch.empty(5)
print(t.uniform_(-2, 2), t.normal_(10, 0.1), t.random_(0, 3), sep="\n")
print(torch.empty(4).exponential_(2.0), torch.empty(3).bernoulli_(0.3))
print(torch.empty(3, dtype=torch.long).random_(100), torch.empty(3).fill_(1).log_normal_())

g1 = torch.Generator().manual_seed(5)
g2 = torch.Generator().manual_seed(5)
print("same streams:", torch.equal(torch.rand(3, generator=g1), torch.rand(3, generator=g2)))
print(torch.randn(2, generator=g1), torch.randperm(5, generator=g2), g1.initial_seed())
print("global unaffected:", torch.rand(2))

torch.manual_seed(0)
drop = torch.nn.Dropout(0.3)
print(drop(torch.ones(10)))
print(torch.nn.functional.dropout(torch.ones(2, 4), p=0.5, training=True))
print(torch.nn.init.trunc_normal_(torch.empty(4), std=0.5), torch.nn.init.uniform_(torch.empty(2)))
print(
    torch.nn.init.kaiming_uniform_(torch.empty(2, 3)),
    torch.nn.init.xavier_normal_(torch.empty(2, 2)),
)
print(torch.initial_seed(), torch.seed() != 0)
