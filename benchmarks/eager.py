"""Eager speed: activations and losses, optimizer steps, per-op overhead, transformers.

    python benchmarks/eager.py [--threads 1] [--rounds 5] [--only sigmoid]

Forward+backward of the activations and losses on 1000x1000 float32 (``backward(g)`` with a
precomputed ``g``; the losses' targets need no gradient); an Adam step (``foreach=True``) over a
50-layer MLP; ``z = (x * y + x).sum(); z.backward()`` on 3-element tensors; a training step of a
small GPT (nanoGPT's CPU configuration: 4 layers, 4 heads, 128 wide, block 64, batch 12, AdamW,
causal ``scaled_dot_product_attention``) and of ``nn.TransformerEncoder`` at the same size. Each
library times in child processes of its own, the libraries taking turns (see
numtorch/cli/harness.py). No NumPy floor.
"""

from __future__ import annotations

import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHAPE = (1000, 1000)

ACTIVATIONS = {
    "sigmoid": lambda F, x: x.sigmoid(),
    "tanh": lambda F, x: x.tanh(),
    "softmax": lambda F, x: F.softmax(x, dim=-1),
    "log_softmax": lambda F, x: F.log_softmax(x, dim=-1),
    "gelu": lambda F, x: F.gelu(x),
    "silu": lambda F, x: F.silu(x),
}


def activation(T, op: str):
    if T is None:
        return None
    x = T.tensor(np.random.default_rng(0).standard_normal(SHAPE, dtype=np.float32))
    x.requires_grad_()
    fn = ACTIVATIONS[op]
    g = T.ones_like(fn(T.nn.functional, x))
    return lambda: fn(T.nn.functional, x).backward(g)


def loss(T, op: str):
    if T is None:
        return None
    rng = np.random.default_rng(0)
    x = T.tensor(rng.standard_normal(SHAPE, dtype=np.float32), requires_grad=True)
    F = T.nn.functional
    if op == "mse":
        y = T.tensor(rng.standard_normal(SHAPE, dtype=np.float32))
        return lambda: F.mse_loss(x, y).backward()
    y = T.tensor(rng.integers(0, SHAPE[1], SHAPE[0]))
    return lambda: F.cross_entropy(x, y).backward()


def adam_mlp(T, layers: int = 50, width: int = 32):
    """An Adam step (``foreach=True``) over a deep narrow MLP: many small parameters."""
    if T is None:
        return None
    T.manual_seed(0)
    model = T.nn.Sequential(*[T.nn.Linear(width, width) for _ in range(layers)])
    for p in model.parameters():
        p.grad = T.ones_like(p) * 0.01
    opt = T.optim.Adam(model.parameters(), lr=1e-3, foreach=True)
    return opt.step


def tiny(T):
    """``(x * y + x).sum()`` and its backward on 3-element tensors: per-op overhead."""
    if T is None:
        return None
    x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = T.tensor([4.0, 5.0, 6.0], requires_grad=True)

    def step():
        z = (x * y + x).sum()
        z.backward()

    return step


GPT = {"layers": 4, "heads": 4, "width": 128, "block": 64, "batch": 12, "vocab": 65}


def make_gpt(T, layers, heads, width, block, vocab):
    """nanoGPT's model (no dropout, tied embeddings), on ``T.nn``."""
    nn, F = T.nn, T.nn.functional

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln1, self.ln2 = nn.LayerNorm(width), nn.LayerNorm(width)
            self.qkv, self.proj = nn.Linear(width, 3 * width), nn.Linear(width, width)
            self.fc, self.out = nn.Linear(width, 4 * width), nn.Linear(4 * width, width)

        def forward(self, x):
            b, t, c = x.shape
            q, k, v = self.qkv(self.ln1(x)).split(width, dim=2)
            q, k, v = (z.view(b, t, heads, c // heads).transpose(1, 2) for z in (q, k, v))
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            x = x + self.proj(y.transpose(1, 2).contiguous().view(b, t, c))
            return x + self.out(F.gelu(self.fc(self.ln2(x))))

    class GPTModel(nn.Module):
        def __init__(self):
            super().__init__()
            self.wte, self.wpe = nn.Embedding(vocab, width), nn.Embedding(block, width)
            self.blocks = nn.ModuleList([Block() for _ in range(layers)])
            self.ln_f, self.head = nn.LayerNorm(width), nn.Linear(width, vocab, bias=False)
            self.wte.weight = self.head.weight

        def forward(self, idx, targets):
            x = self.wte(idx) + self.wpe(T.arange(idx.shape[1]))
            for blk in self.blocks:
                x = blk(x)
            logits = self.head(self.ln_f(x))
            return F.cross_entropy(logits.view(-1, vocab), targets.view(-1))

    return GPTModel()


def gpt_step(T):
    if T is None:
        return None
    T.manual_seed(0)
    c = GPT
    model = make_gpt(T, c["layers"], c["heads"], c["width"], c["block"], c["vocab"])
    opt = T.optim.AdamW(model.parameters(), lr=1e-3)
    rng = np.random.default_rng(0)
    idx = T.tensor(rng.integers(0, c["vocab"], (c["batch"], c["block"] + 1)))
    x, y = idx[:, :-1].contiguous(), idx[:, 1:].contiguous()

    def step():
        opt.zero_grad()
        model(x, y).backward()
        opt.step()

    return step


def encoder_step(T):
    if T is None:
        return None
    T.manual_seed(0)
    c = GPT
    layer = T.nn.TransformerEncoderLayer(
        c["width"], c["heads"], 4 * c["width"], dropout=0.0, batch_first=True
    )
    model = T.nn.TransformerEncoder(layer, c["layers"], enable_nested_tensor=False)
    opt = T.optim.AdamW(model.parameters(), lr=1e-3)
    rng = np.random.default_rng(0)
    x = T.tensor(rng.standard_normal((c["batch"], c["block"], c["width"]), dtype=np.float32))
    mask = T.nn.Transformer.generate_square_subsequent_mask(c["block"])

    def step():
        opt.zero_grad()
        model(x, mask=mask, is_causal=True).square().mean().backward()
        opt.step()

    return step


WORKLOADS = [
    {
        "name": "{op}, 1000x1000, forward+backward",
        "make": activation,
        "grid": {"op": list(ACTIVATIONS)},
    },
    {
        "name": "{op} loss, 1000x1000, forward+backward",
        "make": loss,
        "grid": {"op": ["mse", "cross_entropy"]},
    },
    {"name": "Adam step (foreach), 50-layer MLP 32 wide", "make": adam_mlp},
    {"name": "(x * y + x).sum() and backward, 3 elements", "make": tiny},
    {"name": "GPT training step (4x4x128, block 64, batch 12)", "make": gpt_step},
    {"name": "TransformerEncoder training step (same size)", "make": encoder_step},
]

if __name__ == "__main__":
    sys.path.insert(0, ROOT)
    from numtorch.cli.harness import script_main

    sys.exit(script_main(__file__))
