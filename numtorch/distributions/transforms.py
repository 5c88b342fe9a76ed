"""``torch.distributions.transforms``: invertible maps with their log-Jacobians.

A transform maps ``x`` in its ``domain`` to ``y`` in its ``codomain`` (``t(x)``, ``t.inv(y)``)
and gives ``log |dy/dx|`` (``log_abs_det_jacobian(x, y)``), which ``TransformedDistribution``
subtracts to get densities. With ``cache_size=1`` a transform remembers its last pair, so
``t.inv(t(x))`` is ``x`` itself. Formulas are PyTorch's (the numerically stable ones), so values
and gradients agree.
"""

from __future__ import annotations

from ._transform import (
    ComposeTransform,
    IndependentTransform,
    ReshapeTransform,
    Transform,
    _InverseTransform,
    identity_transform,
)
from ._transform_pointwise import (
    AbsTransform,
    AffineTransform,
    ExpTransform,
    PowerTransform,
    SigmoidTransform,
    SoftmaxTransform,
    SoftplusTransform,
    TanhTransform,
)
from ._transform_structured import (
    CatTransform,
    CorrCholeskyTransform,
    CumulativeDistributionTransform,
    LowerCholeskyTransform,
    PositiveDefiniteTransform,
    StackTransform,
    StickBreakingTransform,
)

__all__ = [
    "AbsTransform",
    "AffineTransform",
    "CatTransform",
    "ComposeTransform",
    "CorrCholeskyTransform",
    "CumulativeDistributionTransform",
    "ExpTransform",
    "IndependentTransform",
    "LowerCholeskyTransform",
    "PositiveDefiniteTransform",
    "PowerTransform",
    "ReshapeTransform",
    "SigmoidTransform",
    "SoftmaxTransform",
    "SoftplusTransform",
    "StackTransform",
    "StickBreakingTransform",
    "TanhTransform",
    "Transform",
    "identity_transform",
]

# PyTorch defines every transform in torch.distributions.transforms: type() and pickles name
# them there, wherever numtorch keeps their code
for _cls in [_InverseTransform] + [globals()[n] for n in __all__ if n != "identity_transform"]:
    _cls.__module__ = __name__
del _cls
