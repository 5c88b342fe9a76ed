"""Adaptive softmax (Grave et al., 2016): a large vocabulary split into a frequent "head" and
rarer clusters, each cluster reached through one head entry and scored by a smaller network."""

from __future__ import annotations

from collections import namedtuple

from ..._tensor import Tensor
from .. import functional as F
from .container import ModuleList, Sequential
from .linear import Linear
from .module import Module

__all__ = ["AdaptiveLogSoftmaxWithLoss"]

_ASMoutput = namedtuple("_ASMoutput", ["output", "loss"])


class AdaptiveLogSoftmaxWithLoss(Module):
    """Log-probabilities of the targets under an adaptive softmax, and their mean negative.

    Classes below ``cutoffs[0]`` are scored by the head directly; the classes between two
    cutoffs form a cluster, scored by the head's entry for the cluster plus a log-softmax over
    the cluster from a two-layer projection ``in_features -> in_features // div_value**(i+1)
    -> cluster size``.

    Examples:
        >>> asm = nn.AdaptiveLogSoftmaxWithLoss(16, 100, cutoffs=[10, 50])
        >>> out = asm(numtorch.randn(8, 16), numtorch.randint(0, 100, (8,)))
        >>> out.output.shape, out.loss.shape
        (torch.Size([8]), torch.Size([]))
    """

    def __init__(
        self,
        in_features: int,
        n_classes: int,
        cutoffs,
        div_value: float = 4.0,
        head_bias: bool = False,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        cutoffs = list(cutoffs)
        if len(cutoffs) == 0:
            raise ValueError("cutoffs should be a sequence of length larger than 0")
        if (
            cutoffs != sorted(cutoffs)
            or min(cutoffs) <= 0
            or max(cutoffs) > (n_classes - 1)
            or len(set(cutoffs)) != len(cutoffs)
            or any(int(c) != c for c in cutoffs)
        ):
            raise ValueError(
                "cutoffs should be a sequence of unique, positive integers sorted "
                "in an increasing order, where each value is between 1 and "
                "n_classes-1"
            )
        self.in_features = in_features
        self.n_classes = n_classes
        self.cutoffs = cutoffs + [n_classes]
        self.div_value = div_value
        self.head_bias = head_bias
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        self.head = Linear(in_features, self.head_size, bias=head_bias, dtype=dtype)
        self.tail = ModuleList()
        for i in range(self.n_clusters):
            hidden = int(in_features // (div_value ** (i + 1)))
            size = self.cutoffs[i + 1] - self.cutoffs[i]
            self.tail.append(
                Sequential(
                    Linear(in_features, hidden, bias=False, dtype=dtype),
                    Linear(hidden, size, bias=False, dtype=dtype),
                )
            )

    def reset_parameters(self) -> None:
        self.head.reset_parameters()
        for project, score in self.tail:
            project.reset_parameters()
            score.reset_parameters()

    def forward(self, input: Tensor, target: Tensor):
        """``(output, loss)``: each target's log-probability and the mean of their negatives."""
        batched = input.dim() == 2
        if input.dim() not in (1, 2) or target.dim() != input.dim() - 1:
            raise RuntimeError(
                "1D target tensor expects 2D input tensors, but found inputs with size"
                if target.dim() == 1
                else "0D target tensor expects 1D input tensors, but found inputs with size",
                list(input.shape),
            )
        if not batched:
            input, target = input.unsqueeze(0), target.unsqueeze(0)
        if input.shape[0] != target.shape[0]:
            raise RuntimeError("Input and target should have the same size in the batch dimension.")
        n = target.shape[0]
        output = input.new_zeros(n)
        head_index = target.new_empty(n)
        covered = 0
        bounds = [0] + self.cutoffs
        for i in range(len(bounds) - 1):
            low, high = bounds[i], bounds[i + 1]
            mask = (target >= low) & (target < high)
            rows = mask.nonzero().squeeze(1)
            if rows.numel() == 0:
                continue
            if i == 0:  # a shortlist class: the head scores it directly
                head_index.index_copy_(0, rows, target[mask])
            else:  # a cluster: its head entry plus its log-softmax over the cluster
                local = F.log_softmax(self.tail[i - 1](input.index_select(0, rows)), dim=1)
                head_index.index_fill_(0, rows, self.shortlist_size + i - 1)
                picked = local.gather(1, (target[mask] - low).unsqueeze(1)).squeeze(1)
                output = output.index_copy(0, rows, picked)
            covered += rows.numel()
        if covered != n:
            raise RuntimeError(
                f"Target values should be in [0, {self.n_classes - 1}], but "
                f"values in range [{target.min().item()}, {target.max().item()}]"
                " were found. "
            )
        head = F.log_softmax(self.head(input), dim=1)
        output = output + head.gather(1, head_index.unsqueeze(1)).squeeze(1)
        loss = (-output).mean()
        return _ASMoutput(output if batched else output.squeeze(0), loss)

    def _full_log_prob(self, input: Tensor, head_output: Tensor) -> Tensor:
        from ...ops.join import cat

        head = F.log_softmax(head_output, dim=1)
        parts = [head[:, : self.shortlist_size]]
        for i in range(self.n_clusters):
            local = F.log_softmax(self.tail[i](input), dim=1)
            parts.append(local + head[:, self.shortlist_size + i].unsqueeze(1))
        return cat(parts, 1)

    def log_prob(self, input: Tensor) -> Tensor:
        """Log-probabilities of every class, ``(N, n_classes)``."""
        return self._full_log_prob(input, self.head(input))

    def predict(self, input: Tensor) -> Tensor:
        """The most probable class of each row (``log_prob(input).argmax(1)``, computing the
        clusters only for rows whose best head entry is a cluster)."""
        head_output = self.head(input)
        best = head_output.argmax(dim=1)
        rare = best >= self.shortlist_size
        if not rare.any():
            return best
        if rare.all():
            return self._full_log_prob(input, head_output).argmax(dim=1)
        best[rare] = self._full_log_prob(input[rare], head_output[rare]).argmax(dim=1)
        return best
