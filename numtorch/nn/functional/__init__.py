"""``numtorch.nn.functional``: the stateless forms of the layers, activations and losses.

The functions and their primitives live in ``numtorch/ops/nn/`` (nn is built on ops, and the
``torch.*`` spellings of these functions need them without importing nn).
"""

from __future__ import annotations

from ...ops.nn.functional import *  # noqa: F401,F403
from ...ops.nn.functional import __all__  # noqa: F401
