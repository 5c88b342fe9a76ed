"""``torch.distributed.algorithms``: DDP's communication hooks."""
