"""The layer classes of ``numtorch.nn``."""

from __future__ import annotations

from .activation import *  # noqa: F401,F403
from .container import *  # noqa: F401,F403
from .distance import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .flatten import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .module import Module  # noqa: F401
from .normalization import *  # noqa: F401,F403
from .sparse import *  # noqa: F401,F403
from . import activation, container, distance, dropout, flatten, linear, loss, normalization
from . import sparse

__all__ = ["Module"]
for _m in (activation, container, distance, dropout, flatten, linear, loss, normalization, sparse):
    __all__ += _m.__all__
del _m
from .batchnorm import *  # noqa: F401,F403,E402
from .conv import *  # noqa: F401,F403,E402
from .instancenorm import *  # noqa: F401,F403,E402
from .pooling import *  # noqa: F401,F403,E402
from . import batchnorm, conv, instancenorm, pooling  # noqa: E402

for _m in (batchnorm, conv, instancenorm, pooling):
    __all__ += _m.__all__
del _m
from .rnn import *  # noqa: F401,F403,E402
from . import rnn  # noqa: E402

__all__ += rnn.__all__
from .activation_attention import *  # noqa: F401,F403,E402
from .transformer import *  # noqa: F401,F403,E402
from . import activation_attention, transformer  # noqa: E402

__all__ += activation_attention.__all__ + transformer.__all__
from . import pixelshuffle, upsampling  # noqa: E402
from .pixelshuffle import *  # noqa: F401,F403,E402
from .upsampling import *  # noqa: F401,F403,E402

__all__ += pixelshuffle.__all__ + upsampling.__all__
from . import padding  # noqa: E402
from .padding import *  # noqa: F401,F403,E402

__all__ += padding.__all__
from . import adaptive  # noqa: E402
from .adaptive import *  # noqa: F401,F403,E402

__all__ += adaptive.__all__

# Where PyTorch defines the classes numtorch keeps in other files: pickles and safe_globals
# name these paths, so each class is importable from there and reports it as its module.
_HOMES = {
    "activation": ("MultiheadAttention",),
    "normalization": ("GroupNorm", "LocalResponseNorm"),
    "channelshuffle": ("ChannelShuffle",),
    "fold": ("Fold", "Unfold"),
    "linear_cross_entropy_options": ("LinearCrossEntropyOptions",),
}


def _place_classes() -> None:
    import importlib

    for home, names in _HOMES.items():
        module = importlib.import_module(f"{__name__}.{home}")
        for name in names:
            cls = globals()[name]
            setattr(module, name, cls)
            cls.__module__ = module.__name__


_place_classes()
