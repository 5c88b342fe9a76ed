"""The ``numtorch.nn.functional`` namespace: every function of ops/nn's modules."""

from __future__ import annotations

from .activation import *  # noqa: F401,F403
from .activation import __all__ as _act
from .bag import *  # noqa: F401,F403
from .bag import __all__ as _bag
from .distance import *  # noqa: F401,F403
from .distance import __all__ as _dist
from .dropout import *  # noqa: F401,F403
from .dropout import __all__ as _dropout
from .layers import *  # noqa: F401,F403
from .layers import __all__ as _layers
from .loss import *  # noqa: F401,F403
from .loss import __all__ as _loss
from .loss_likelihood import *  # noqa: F401,F403
from .loss_likelihood import __all__ as _loss_likelihood
from .loss_margin import *  # noqa: F401,F403
from .loss_margin import __all__ as _loss_margin

__all__ = _act + _bag + _dist + _dropout + _layers + _loss + _loss_likelihood + _loss_margin
from .conv import *  # noqa: F401,F403,E402
from .conv import __all__ as _conv  # noqa: E402
from .norm import *  # noqa: F401,F403,E402
from .norm import __all__ as _norm  # noqa: E402
from .pooling import *  # noqa: F401,F403,E402
from .pooling import __all__ as _pooling  # noqa: E402

__all__ = __all__ + _conv + _norm + _pooling
from .attention import *  # noqa: F401,F403,E402
from .attention import __all__ as _attention  # noqa: E402

__all__ = __all__ + _attention
from .vision import *  # noqa: F401,F403,E402
from .vision import __all__ as _vision  # noqa: E402

__all__ = __all__ + _vision
from .ctc import *  # noqa: F401,F403,E402
from .ctc import __all__ as _ctc  # noqa: E402

__all__ = __all__ + _ctc

from ..._aliases import with_numpy_aliases  # noqa: E402

# the functions whose PyTorch counterpart refuses a non-Tensor input (and weight, bias ...)
# through its argument parser (the others are Python functions that fail on the first
# attribute they read); nn.functional takes no NumPy-style keyword aliases
_PARSED = """adaptive_avg_pool1d alpha_dropout avg_pool1d avg_pool2d avg_pool3d bilinear celu celu_
channel_shuffle conv_transpose1d conv_transpose2d conv_transpose3d cosine_similarity dropout elu
elu_ feature_alpha_dropout gelu hardshrink hardsigmoid hardswish hardtanh hardtanh_ leaky_relu
leaky_relu_ linear mish native_channel_shuffle one_hot pairwise_distance pdist pixel_shuffle
pixel_unshuffle prelu relu relu6 relu_ rrelu rrelu_ scaled_dot_product_attention selu selu_ silu
softplus softshrink threshold_""".split()
for _name in _PARSED:
    globals()[_name] = with_numpy_aliases(globals()[_name], _name, aliases=False, later=True)
del _name
