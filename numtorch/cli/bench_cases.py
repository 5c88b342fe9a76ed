"""What ``numtorch bench`` measures: for each framework, a callable to time (or a figure).

A framework here is a ``torch``-like module (numtorch or PyTorch); ``None`` for the raw-NumPy
floor, written by hand for the same computation. Times are medians over repeated runs.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

IN, HIDDEN, OUT = 64, 32, 10  # the demo's network: 8x8 digits -> 32 -> 10
LR = 0.1


def _loop_count(fn, min_time: float) -> int:
    """Calls of ``fn`` that take about ``min_time`` seconds together."""
    fn()
    n = 1
    while True:
        start = time.perf_counter()
        for _ in range(n):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed >= min_time or n >= 1 << 20:
            return n
        n *= 2 if elapsed * 2 >= min_time else 4


def median_times(fns: list, repeat: int, min_time: float = 0.05) -> list:
    """Median seconds per call of each callable in ``fns`` (None stays None).

    The runs alternate between the callables, so a machine that slows down or speeds up during
    the measurement weighs on all of them alike.
    """
    counts = [None if fn is None else _loop_count(fn, min_time) for fn in fns]
    runs = [[] for _ in fns]
    for _ in range(repeat):
        for fn, n, out in zip(fns, counts, runs):
            if fn is None:
                continue
            start = time.perf_counter()
            for _ in range(n):
                fn()
            out.append((time.perf_counter() - start) / n)
    return [statistics.median(r) if r else None for r in runs]


# --- import time ---------------------------------------------------------------------------

_IMPORT = "import time; t = time.perf_counter(); import {0}; print(time.perf_counter() - t)"


def import_times(names: list, repeat: int) -> list:
    """Seconds to import each module in a fresh interpreter (medians; None names stay None)."""
    runs = [[] for _ in names]
    # NOTE: an installed package imports from cached bytecode; allow writing it, and warm the
    # cache once, so neither side is timed compiling its sources
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for name in names:
        if name is not None:
            subprocess.run([sys.executable, "-c", f"import {name}"], env=env, check=True)
    for _ in range(repeat):
        for name, out in zip(names, runs):
            if name is None:
                continue
            done = subprocess.run(
                [sys.executable, "-c", _IMPORT.format(name)],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            out.append(float(done.stdout))
    return [statistics.median(r) if r else None for r in runs]


# --- per-op overhead on tiny tensors -------------------------------------------------------

OPS = {
    "add": (lambda a, b: a + b, np.add),
    "mul": (lambda a, b: a * b, np.multiply),
    "matmul": (lambda a, b: a @ b, np.matmul),
    "sum": (lambda a, b: a.sum(), lambda a, b: a.sum()),
    "exp": (lambda a, b: a.exp(), lambda a, b: np.exp(a)),
    "index": (lambda a, b: a[1:], lambda a, b: a[1:]),
}


def op_fn(T, name: str, backward: bool):
    """A call of op ``name`` on 3-element float32 tensors, with its backward if asked."""
    rng = np.random.default_rng(0)
    a_np, b_np = rng.standard_normal((2, 3)).astype(np.float32)
    op, np_op = OPS[name]
    if T is None:
        return lambda: np_op(a_np, b_np)
    a = T.tensor(a_np, requires_grad=backward)
    b = T.tensor(b_np, requires_grad=backward)
    if not backward:
        return lambda: op(a, b)
    g = T.ones_like(op(a, b))
    return lambda: op(a, b).backward(g)


# --- the seed network's training step ------------------------------------------------------


def _seed_model(T, sizes=(IN, HIDDEN, OUT)):
    from .demo import make_network

    T.manual_seed(0)
    return make_network(T.nn, *sizes)


def _batch(batch: int, sizes=(IN, HIDDEN, OUT)):
    n_in, _, n_out = sizes
    rng = np.random.default_rng(batch)
    x = rng.random((batch, n_in), dtype=np.float32)
    y = np.eye(n_out, dtype=np.float32)[rng.integers(0, n_out, batch)]
    return x, y


def train_step_fn(T, x_np, y_np, hidden: int = HIDDEN):
    """One step as users write it: nn.Module, nn.MSELoss, optim.SGD; returns a callable."""
    model = _seed_model(T, (x_np.shape[1], hidden, y_np.shape[1]))
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


def numpy_step_fn(x, y, hidden: int = HIDDEN):
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


def step_fn(T, batch: int):
    """One training step of the seed network at ``batch`` (the hand-written one for None)."""
    x, y = _batch(batch)
    return numpy_step_fn(x, y) if T is None else train_step_fn(T, x, y)


# --- a training epoch with DataLoader ------------------------------------------------------


def _digits():
    from numtorch.data import load_digits

    images, labels = load_digits()
    return images.reshape(-1, IN).astype(np.float32) / 16, labels


def epoch_fn(T, batch: int = 64):
    """One training epoch over the 1,797 digits, shuffled into batches of ``batch``."""
    x, labels = _digits()
    y = np.eye(OUT, dtype=np.float32)[labels]
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


# --- save and load -------------------------------------------------------------------------

CHECKPOINT_MB = 100


def _state(T):
    rng = np.random.default_rng(0)
    n = CHECKPOINT_MB * 2**20 // (4 * 1024 * 1024)  # 1024x1024 float32 tensors, 4 MiB each
    arrays = {
        f"layers.{i}.weight": rng.standard_normal((1024, 1024), dtype=np.float32) for i in range(n)
    }
    if T is None:
        return arrays
    return {k: T.from_numpy(v) for k, v in arrays.items()}


def save_load_time(T, repeat: int) -> tuple[float, float]:
    """Seconds to save and to load a 100 MiB state dict (medians)."""
    state = _state(T)
    saves, loads = [], []
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "checkpoint.pt")
        for _ in range(repeat):
            start = time.perf_counter()
            if T is None:
                np.savez(path, **state)
            else:
                T.save(state, path)
            saves.append(time.perf_counter() - start)
            start = time.perf_counter()
            if T is None:
                with np.load(path + ".npz") as f:
                    loaded = {k: f[k] for k in f.files}
            else:
                loaded = T.load(path)
            loads.append(time.perf_counter() - start)
            del loaded
            if T is None:
                os.remove(path + ".npz")
    return statistics.median(saves), statistics.median(loads)


# --- peak memory of training ---------------------------------------------------------------

_MEMORY = """
import json, resource, sys
import numpy as np
name = sys.argv[1]
rng = np.random.default_rng(0)
x = rng.random((1797, 64), dtype=np.float32)
y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 1797)]
if name == "numpy":
    w1 = rng.random((32, 64), dtype=np.float32) - 0.5
    w2 = rng.random((10, 32), dtype=np.float32) - 0.5
    for epoch in range(5):
        for i in range(0, 1797, 512):
            xb, yb = x[i:i + 512], y[i:i + 512]
            h = 1 / (1 + np.exp(-(xb @ w1.T)))
            o = 1 / (1 + np.exp(-(h @ w2.T)))
            d = (o - yb) * (2 / o.size) * o * (1 - o)
            gh = (d @ w2) * h * (1 - h)
            w2 -= 0.1 * (d.T @ h)
            w1 -= 0.1 * (gh.T @ xb)
else:
    import importlib
    T = importlib.import_module(name)
    for sub in ("nn", "optim"):
        importlib.import_module(name + "." + sub)
    data = importlib.import_module(name + ".utils.data")
    T.manual_seed(0)
    class network(T.nn.Module):
        def __init__(self):
            super().__init__()
            self.w1 = T.nn.Linear(64, 32, bias=False)
            self.w2 = T.nn.Linear(32, 10, bias=False)
            self.sigmoid = T.nn.Sigmoid()
        def forward(self, x):
            return self.sigmoid(self.w2(self.sigmoid(self.w1(x))))
    model, loss_fn = network(), T.nn.MSELoss()
    optimizer = T.optim.SGD(model.parameters(), lr=0.1)
    loader = data.DataLoader(data.TensorDataset(T.from_numpy(x), T.from_numpy(y)),
                             batch_size=512, shuffle=True)
    for epoch in range(5):
        for xb, yb in loader:
            optimizer.zero_grad()
            loss_fn(model(xb), yb).backward()
            optimizer.step()
try:  # this process's own high-water mark (ru_maxrss can carry the parent's over exec)
    with open("/proc/self/status") as f:
        peak = next(int(l.split()[1]) for l in f if l.startswith("VmHWM:")) / 1024
except OSError:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(peak))
"""


def peak_memory(name: str) -> float:
    """Peak resident memory (MiB) of a fresh process that imports ``name`` and trains."""
    out = subprocess.run(
        [sys.executable, "-c", _MEMORY, name], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)
