"""The seed's network (784-128-10, two bias-free Linear layers with sigmoids, MSELoss):
forward + backward, and a full SGD training step, numtorch against PyTorch in one run.

    python benchmarks/seed_network.py [--repeats 200] [--profile] [--single-thread]

Both libraries start from the same weights and data; each figure is the median of
``--repeats`` timed runs after a warm-up, the two libraries timed in alternation. PyTorch keeps
its default thread count (printed) unless ``--single-thread`` asks both BLAS libraries for one
thread (useful on a loaded machine, where spinning BLAS threads dominate every figure).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

if "--single-thread" in sys.argv:  # must precede NumPy's import to reach OpenBLAS
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    os.environ["OMP_NUM_THREADS"] = "1"

import numpy as np  # noqa: E402

import numtorch  # noqa: E402
import numtorch.nn as nn  # noqa: E402


def make_network(lib):
    class network(lib.nn.Module):  # the seed's class
        def __init__(self, input_size, hidden_size, output_size):
            super().__init__()
            self.input_size = input_size
            self.hidden_size = hidden_size
            self.output_size = output_size
            self.w1 = lib.nn.Linear(input_size, hidden_size, bias=False)
            self.w2 = lib.nn.Linear(hidden_size, output_size, bias=False)
            self.sigmoid = lib.nn.Sigmoid()

        def forward(self, x):
            i2h = self.sigmoid(self.w1(x))
            return self.sigmoid(self.w2(i2h))

    return network(784, 128, 10)


def median_times(fns, repeats: int) -> list[float]:
    """Median seconds per call of each function, timed in alternation so that both see the
    same machine load."""
    for _ in range(max(5, repeats // 10)):
        for fn in fns:
            fn()
    times = [[] for _ in fns]
    for _ in range(repeats):
        for fn, ts in zip(fns, times):
            t0 = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t0)
    return [statistics.median(ts) for ts in times]


def steps(lib, net, x, y, lr=0.1):
    loss_fn = lib.nn.MSELoss()
    opt = lib.optim.SGD(net.parameters(), lr=lr)

    def fwd_bwd():
        net.zero_grad()
        loss_fn(net(x), y).backward()

    def train_step():
        opt.zero_grad()
        loss = loss_fn(net(x), y)
        loss.backward()
        opt.step()

    return fwd_bwd, train_step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--profile", action="store_true", help="cProfile numtorch's step")
    parser.add_argument(
        "--single-thread", action="store_true", help="one BLAS thread for NumPy and for PyTorch"
    )
    args = parser.parse_args()
    import torch

    if args.single_thread:
        torch.set_num_threads(1)

    kind = "set" if args.single_thread else "default"
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads ({kind}); "
        f"numtorch {numtorch.version.numtorch} on NumPy {np.__version__}"
    )
    rows = []
    for batch in (64, 512):
        rng = np.random.default_rng(batch)
        xa = rng.standard_normal((batch, 784)).astype(np.float32)
        ya = rng.random((batch, 10)).astype(np.float32)
        net, tnet = make_network(numtorch), make_network(torch)
        with torch.no_grad():
            for p, tp in zip(net.parameters(), tnet.parameters()):
                tp.copy_(torch.from_numpy(p.detach().numpy().copy()))
        x, y = numtorch.tensor(xa), numtorch.tensor(ya)
        tx, ty = torch.tensor(xa), torch.tensor(ya)
        loss = nn.MSELoss()(net(x), y).item()
        tloss = torch.nn.MSELoss()(tnet(tx), ty).item()
        assert abs(loss - tloss) < 1e-6, (loss, tloss)
        ours, theirs = steps(numtorch, net, x, y), steps(torch, tnet, tx, ty)
        if args.profile and batch == 64:
            import cProfile
            import pstats

            prof = cProfile.Profile()
            prof.enable()
            for _ in range(2000):
                ours[1]()
            prof.disable()
            pstats.Stats(prof).sort_stats("tottime").print_stats(15)
        for name, a, b in (("fwd+bwd", ours[0], theirs[0]), ("train step", ours[1], theirs[1])):
            t_nt, t_torch = median_times([a, b], args.repeats)
            rows.append((batch, name, t_nt, t_torch))
    print(
        f"{'batch':>5}  {'what':<10}  {'numtorch us':>11}  {'torch us':>9}  {'numtorch/torch':>14}"
    )
    for batch, name, a, b in rows:
        print(f"{batch:>5}  {name:<10}  {a * 1e6:>11.1f}  {b * 1e6:>9.1f}  {a / b:>14.2f}")


if __name__ == "__main__":
    main()
