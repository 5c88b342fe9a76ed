"""utils.flop_counter.FlopCounterMode against PyTorch: forward and backward FLOPs of linear
layers, matrix products and convolutions, per op."""

from __future__ import annotations

import numpy as np
import pytest
from oracle import torch

import numtorch


def _net_program(lib):
    lib.manual_seed(0)
    nn = lib.nn
    m = nn.Sequential(
        nn.Conv2d(2, 3, 3, padding=1),
        nn.Conv2d(3, 4, (2, 3), stride=2, groups=1, bias=False),
        nn.Flatten(),
        nn.Linear(4 * 2 * 2, 5),
    )
    x = lib.tensor(np.linspace(-1, 1, 2 * 2 * 5 * 5, dtype=np.float32).reshape(2, 2, 5, 5))
    m(x).sum().backward()


def _products_program(lib):
    a = lib.ones(2, 4, 3, requires_grad=True)
    lib.bmm(a, lib.ones(2, 3, 5)).sum().backward()
    (a @ lib.ones(3, 2)).sum()
    (lib.ones(4, 3) @ lib.ones(2, 3, 5)).sum()
    (lib.ones(3, 1, 4, 3) @ lib.ones(2, 3, 5)).sum()
    lib.mm(lib.ones(3, 4), lib.ones(4, 6))
    lib.ones(3, 4) @ lib.ones(4)
    lib.nn.functional.linear(lib.ones(2, 7, 3), lib.ones(6, 3, requires_grad=True)).sum().backward()


def _counts(lib, program):
    with lib.utils.flop_counter.FlopCounterMode(display=False) as counter:
        program(lib)
    counts = {str(k): v for k, v in counter.get_flop_counts()["Global"].items()}
    return counts, counter.get_total_flops()


@pytest.mark.parametrize("program", [_net_program, _products_program])
@pytest.mark.live_torch("counts PyTorch's own dispatched ops, which a replay does not run")
def test_flops_match_pytorch(program):
    ours, theirs = _counts(numtorch, program), _counts(torch, program)
    assert ours == theirs


def test_counting_stops_after_the_mode(capsys):
    from numtorch.ops.blas import Mm

    plain = Mm.__dict__["backward"]
    with numtorch.utils.flop_counter.FlopCounterMode() as counter:
        numtorch.mm(numtorch.ones(2, 3), numtorch.ones(3, 4))
    assert counter.get_total_flops() == 48 and "aten.mm" in capsys.readouterr().out
    assert "apply" not in Mm.__dict__ and Mm.__dict__["backward"] is plain
    with pytest.raises(NotImplementedError, match="custom_mapping"):
        numtorch.utils.flop_counter.FlopCounterMode(custom_mapping={"x": 1})
