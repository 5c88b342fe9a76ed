"""The errors beginners hit, caught and printed the way a notebook shows them."""

import torch
import torch.nn as nn


def show(label, fn, message=True):
    """Print the exception type, and its message's first line where ``message``."""
    try:
        fn()
        print(f"{label}: no error")
    except Exception as e:  # noqa: BLE001 - printing whatever PyTorch raises is the point
        text = f": {str(e).splitlines()[0]}" if message else ""
        print(f"{label}: {type(e).__name__}{text}")


torch.manual_seed(0)
layer = nn.Linear(3, 2)
show("linear shape", lambda: layer(torch.randn(4, 5)))
show("matmul", lambda: torch.randn(2, 3) @ torch.randn(4, 5))
show("mm", lambda: torch.mm(torch.randn(5, 2), torch.randn(3, 3)))
show("add broadcast", lambda: torch.ones(2, 3) + torch.ones(4))
show("cat sizes", lambda: torch.cat([torch.ones(2, 3), torch.ones(2, 4)]))
show("view", lambda: torch.arange(6).view(4, -1))
show("index", lambda: torch.arange(3)[5])
show(
    "cross entropy float target",
    lambda: nn.CrossEntropyLoss()(torch.randn(3, 4), torch.tensor([1.0, 2.0, 0.0])),
    message=False,
)
show("mse shapes", lambda: nn.MSELoss()(torch.randn(3), torch.randn(3, 1)))
show("backward non-scalar", lambda: (torch.ones(2, requires_grad=True) * 2).backward())
show("no grad_fn", lambda: torch.ones(2).sum().backward())
show("item of many", lambda: torch.ones(2).item())
show("numpy of grad", lambda: torch.ones(2, requires_grad=True).numpy())
show("long + float in-place", lambda: torch.arange(3).add_(0.5), message=False)
show("conv channels", lambda: nn.Conv2d(3, 4, 3)(torch.randn(1, 1, 8, 8)))
show("embedding out of range", lambda: nn.Embedding(5, 2)(torch.tensor([7])), message=False)
show("bool of tensor", lambda: bool(torch.tensor([1, 2])), message=False)
show("squeeze ok", lambda: torch.ones(1, 3).squeeze(0))
show("stack empty", lambda: torch.stack([]), message=False)
show("optimizer empty", lambda: torch.optim.SGD([], lr=0.1), message=False)
show("load missing key", lambda: layer.load_state_dict({"weight": torch.ones(2, 3)}))
show(
    "wrong dtype matmul",
    lambda: torch.ones(2, 2) @ torch.ones(2, 2, dtype=torch.float64),
    message=False,
)
show("reshape", lambda: torch.ones(2, 3).reshape(5))
show("transpose dims", lambda: torch.ones(2, 3).transpose(0, 2), message=False)
