"""Train the seed's two-layer sigmoid network on the 8x8 digits, data-parallel.

A plain PyTorch program. Each rank trains a DistributedDataParallel replica on its share of
every global batch (DistributedSampler); the gradients are averaged, so any number of ranks
prints the loss curve of one process training on the whole global batch:

    numtorch run --nproc-per-node 2 examples/ddp_digits.py    # numtorch, 2 ranks (MPI)
    numtorch run examples/ddp_digits.py                        # numtorch, 1 process
    torchrun --nproc-per-node 2 examples/ddp_digits.py         # PyTorch, 2 ranks (gloo)
    python examples/ddp_digits.py                              # PyTorch, 1 process
"""

import argparse
import os

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler
from train_digits import load, network  # the seed's network and the shipped digits

TRAIN = 1408  # 44 global batches of 32: every rank count that divides 32 gets equal shares


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--global-batch", type=int, default=32)
    args = parser.parse_args()
    world = int(os.environ.get("WORLD_SIZE", 1))
    if world > 1:
        dist.init_process_group("gloo")
    rank = dist.get_rank() if world > 1 else 0
    torch.manual_seed(0)
    x, y = load()
    train = TensorDataset(x[:TRAIN], nn.functional.one_hot(y[:TRAIN], 10).float())
    sampler = DistributedSampler(train, num_replicas=world, rank=rank, shuffle=True, seed=0)
    loader = DataLoader(train, batch_size=args.global_batch // world, sampler=sampler)
    model = network(64, 32, 10)
    if world > 1:
        model = DistributedDataParallel(model)
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0, momentum=0.9)
    loss_fn = nn.MSELoss()
    for epoch in range(1, args.epochs + 1):
        sampler.set_epoch(epoch)
        total = torch.zeros(1)
        for images, targets in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(images), targets)
            loss.backward()
            optimizer.step()
            total += loss.detach() * len(images)
        if world > 1:
            dist.all_reduce(total)
        if rank == 0:
            print(f"epoch {epoch}: loss {total.item() / TRAIN:.4f}", flush=True)
    if rank == 0:
        with torch.no_grad():
            predicted = model(x[TRAIN:]).argmax(dim=1)
        print(f"test accuracy: {(predicted == y[TRAIN:]).float().mean().item():.3f}")
    if world > 1:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
