"""What ``numtorch bench`` measures: the workloads of its table (see harness.py for the format).

Each ``make(T, ...)`` builds the work for one library: ``T`` is numtorch or PyTorch, or None
for the NumPy floor, the same computation written by hand. This file imports no library at its
top: a child process loads it beside one library only.
"""

from __future__ import annotations

import gzip
import os
import statistics
import tempfile
import time

import numpy as np

DEMO = (64, 32, 10)  # the demo's network: 8x8 digits -> 32 -> 10
SEED = (784, 128, 10)  # the seed article's network at MNIST size
LR = 0.1
BATCHES = [1, 64, 512]
CHECKPOINT_MB = 100


# --- per-op overhead on tiny tensors -------------------------------------------------------

OPS = {
    "add": (lambda a, b: a + b, np.add),
    "mul": (lambda a, b: a * b, np.multiply),
    "matmul": (lambda a, b: a @ b, np.matmul),
    "sum": (lambda a, b: a.sum(), lambda a, b: a.sum()),
    "exp": (lambda a, b: a.exp(), lambda a, b: np.exp(a)),
    "sigmoid": (lambda a, b: a.sigmoid(), lambda a, b: 1 / (1 + np.exp(-a))),
    "index": (lambda a, b: a[::2], lambda a, b: a[::2]),
}


def op_call(T, op: str, backward: bool, shape=(3,)):
    """A call of ``op`` on float32 tensors of ``shape``, with its backward if asked."""
    rng = np.random.default_rng(0)
    a_np, b_np = rng.standard_normal((2, *shape), dtype=np.float32)
    fn, np_fn = OPS[op]
    if T is None:
        return None if backward else (lambda: np_fn(a_np, b_np))
    a = T.tensor(a_np, requires_grad=backward)
    b = T.tensor(b_np, requires_grad=backward)
    if not backward:
        return lambda: fn(a, b)
    g = T.ones_like(fn(a, b))
    return lambda: fn(a, b).backward(g)


# --- training steps of the two networks ----------------------------------------------------


def make_network(nn, input_size: int, hidden_size: int, output_size: int):
    """The seed article's network, built on the given backend's ``nn``."""

    class network(nn.Module):
        def __init__(self, input_size, hidden_size, output_size):
            super().__init__()
            self.input_size = input_size
            self.hidden_size = hidden_size
            self.output_size = output_size
            self.w1 = nn.Linear(input_size, hidden_size, bias=False)
            self.w2 = nn.Linear(hidden_size, output_size, bias=False)
            self.sigmoid = nn.Sigmoid()

        def forward(self, x):
            i2h = self.sigmoid(self.w1(x))
            return self.sigmoid(self.w2(i2h))

    return network(input_size, hidden_size, output_size)


def _batch(batch: int, sizes=DEMO):
    rng = np.random.default_rng(batch)
    x = rng.random((batch, sizes[0]), dtype=np.float32)
    y = np.eye(sizes[2], dtype=np.float32)[rng.integers(0, sizes[2], batch)]
    return x, y


def train_step_fn(T, x_np, y_np, hidden: int = DEMO[1]):
    """One step as users write it: nn.Module, nn.MSELoss, optim.SGD."""
    T.manual_seed(0)
    model = make_network(T.nn, x_np.shape[1], hidden, y_np.shape[1])
    loss_fn = T.nn.MSELoss()
    optimizer = T.optim.SGD(model.parameters(), lr=LR)
    x, y = T.from_numpy(x_np), T.from_numpy(y_np)

    def step(x=x, y=y):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss

    return step


def numpy_step_fn(x, y, hidden: int = DEMO[1]):
    """The same step written by hand in NumPy: in-place sigmoids reused in their gradients."""
    rng = np.random.default_rng(0)
    n_in, n_out = x.shape[1], y.shape[1]
    w1 = rng.uniform(-(n_in**-0.5), n_in**-0.5, (hidden, n_in)).astype(np.float32)
    w2 = rng.uniform(-(hidden**-0.5), hidden**-0.5, (n_out, hidden)).astype(np.float32)

    def sigmoid_(a):
        np.negative(a, out=a)
        np.exp(a, out=a)
        a += 1
        return np.reciprocal(a, out=a)

    def step(x=x, y=y):
        h = sigmoid_(x @ w1.T)
        o = sigmoid_(h @ w2.T)
        d = o - y
        loss = np.vdot(d, d) / d.size
        d *= 2 / d.size
        d *= o * (1 - o)  # through the output sigmoid
        gw2 = d.T @ h
        gh = d @ w2
        gh *= h * (1 - h)
        gw1 = gh.T @ x
        gw2 *= LR
        gw1 *= LR
        np.subtract(w2, gw2, out=w2)
        np.subtract(w1, gw1, out=w1)
        return loss

    return step


def step_call(T, sizes, batch: int):
    """One training step of the network of ``sizes`` (the hand-written one for None)."""
    x, y = _batch(batch, sizes)
    return numpy_step_fn(x, y, sizes[1]) if T is None else train_step_fn(T, x, y, sizes[1])


# --- a training epoch with DataLoader ------------------------------------------------------


def digits():
    """The 1,797 8x8 digits numtorch ships, read without importing numtorch."""
    path = os.path.join(os.path.dirname(__file__), "digits", "digits.csv.gz")
    with gzip.open(path, "rb") as f:
        table = np.array(f.read().replace(b",", b" ").split(), dtype=np.int64).reshape(-1, 65)
    return table[:, :64].astype(np.float32) / 16, table[:, 64]


def epoch_call(T, batch: int = 64):
    """One epoch over the digits, shuffled into batches of ``batch``."""
    x, labels = digits()
    y = np.eye(10, dtype=np.float32)[labels]
    if T is None:
        step = numpy_step_fn(x[:batch], y[:batch])
        rng = np.random.default_rng(0)

        def epoch():
            order = rng.permutation(len(x))
            for i in range(0, len(x), batch):
                idx = order[i : i + batch]
                step(x[idx], y[idx])

        return epoch
    data = T.utils.data
    loader = data.DataLoader(
        data.TensorDataset(T.from_numpy(x), T.from_numpy(y)), batch_size=batch, shuffle=True
    )
    step = train_step_fn(T, x[:batch], y[:batch])

    def epoch():
        for xb, yb in loader:
            step(xb, yb)

    return epoch


# --- save, load, memory --------------------------------------------------------------------


def _state(T):
    rng = np.random.default_rng(0)
    n = CHECKPOINT_MB // 4  # 1024x1024 float32 tensors, 4 MiB each
    arrays = {f"layers.{i}.weight": rng.standard_normal((1024, 1024), np.float32) for i in range(n)}
    return arrays if T is None else {k: T.from_numpy(v) for k, v in arrays.items()}


def save_load_seconds(T, which: str, repeat: int = 3) -> float:
    """Median seconds to save (or load) a 100 MiB state dict; np.savez/np.load for the floor."""
    state, times = _state(T), []
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "checkpoint.pt" if T is not None else "checkpoint.npz")
        for _ in range(repeat):
            start = time.perf_counter()
            np.savez(path, **state) if T is None else T.save(state, path)
            saved = time.perf_counter()
            if T is None:
                with np.load(path) as f:
                    loaded = {k: f[k] for k in f.files}
            else:
                loaded = T.load(path)
            times.append(saved - start if which == "save" else time.perf_counter() - saved)
            del loaded
    return statistics.median(times)


def peak_memory(T, epochs: int = 5) -> float:
    """Peak resident memory (MiB) of this process after training the demo network."""
    epoch = epoch_call(T, 512)
    for _ in range(epochs):
        epoch()
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:")) / 1024


WORKLOADS = [
    {
        "name": "{op}, 3 elements, forward",
        "make": lambda T, op: op_call(T, op, False),
        "grid": {"op": list(OPS)},
        "threads": "max",
    },
    {
        "name": "{op}, 3 elements, forward+backward",
        "make": lambda T, op: op_call(T, op, True),
        "grid": {"op": list(OPS)},
        "threads": "max",
    },
    {
        "name": "demo network 64-32-10 training step, batch {batch}",
        "make": lambda T, batch: step_call(T, DEMO, batch),
        "grid": {"batch": BATCHES},
        "compile": True,
    },
    {
        "name": "seed network 784-128-10 training step, batch {batch}",
        "make": lambda T, batch: step_call(T, SEED, batch),
        "grid": {"batch": BATCHES},
        "compile": True,
    },
    {
        "name": "training epoch, DataLoader, 1,797 digits, batch 64",
        "make": epoch_call,
        "threads": "max",
    },
    {
        "name": f"{{which}} {CHECKPOINT_MB} MiB checkpoint",
        "make": save_load_seconds,
        "grid": {"which": ["save", "load"]},
        "threads": "max",
    },
    {
        "name": "peak memory, process training 5 epochs",
        "make": peak_memory,
        "unit": "MiB",
        "threads": "max",
        "fresh": True,
    },
]
