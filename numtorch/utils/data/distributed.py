"""``DistributedSampler``: each rank of a data-parallel job visits its own share of a dataset.

The shares follow PyTorch's rule exactly, so a job gets the same per-rank indices under either
library: one permutation per epoch (from a generator seeded with ``seed + epoch``, the same on
every rank), padded by repeating its start (or cut, with ``drop_last``) to a multiple of the
number of replicas, then dealt out round-robin: rank ``r`` takes positions ``r, r + n, ...``.
"""

from __future__ import annotations

import math
from typing import Iterator

from .sampler import Sampler

__all__ = ["DistributedSampler"]


def _world(num_replicas, rank) -> tuple:
    from ... import distributed as dist

    if num_replicas is None or rank is None:
        if not dist.is_available():
            raise RuntimeError("Requires distributed package to be available")
        num_replicas = dist.get_world_size() if num_replicas is None else num_replicas
        rank = dist.get_rank() if rank is None else rank
    return num_replicas, rank


class DistributedSampler(Sampler):
    """Yields this rank's indices of ``dataset``.

    Args:
        dataset: a sized dataset. num_replicas, rank: the job's size and this rank (default:
            from the default process group). shuffle: a new permutation each epoch (call
            ``set_epoch`` before each). seed: the permutations' base seed, the same on every
            rank. drop_last: cut the tail that does not split evenly instead of padding.

    Examples:
        >>> list(DistributedSampler(range(5), num_replicas=2, rank=1, shuffle=False))
        [1, 3, 0]
    """

    def __init__(
        self,
        dataset,
        num_replicas: int | None = None,
        rank: int | None = None,
        shuffle: bool = True,
        seed: int = 0,
        drop_last: bool = False,
    ) -> None:
        num_replicas, rank = _world(num_replicas, rank)
        if not 0 <= rank < num_replicas:
            raise ValueError(
                f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]"
            )
        self.dataset, self.num_replicas, self.rank = dataset, num_replicas, rank
        self.epoch, self.drop_last, self.shuffle, self.seed = 0, drop_last, shuffle, seed
        n = len(dataset)
        uneven = drop_last and n % num_replicas != 0
        self.num_samples = math.ceil((n - num_replicas if uneven else n) / num_replicas)
        self.total_size = self.num_samples * num_replicas

    def _order(self) -> list:
        n = len(self.dataset)
        if not self.shuffle:
            return list(range(n))
        from ... import Generator, randperm

        g = Generator()
        g.manual_seed(self.seed + self.epoch)
        return randperm(n, generator=g).tolist()

    def __iter__(self) -> Iterator[int]:
        order = self._order()
        if self.drop_last:
            order = order[: self.total_size]
        else:
            repeats = math.ceil(self.total_size / len(order)) if order else 0
            order = (order * repeats)[: self.total_size]
        return iter(order[self.rank :: self.num_replicas])

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Use epoch ``epoch``'s permutation from now on (with ``shuffle``)."""
        self.epoch = epoch
