"""The neural-network functions and their primitives, one module per family: activations,
losses, convolution, pooling, padding, normalisation, dropout and embedding (layers.py),
attention, recurrent kernels, interpolation and grid sampling. ``functional.py`` gathers them
into the ``numtorch.nn.functional`` namespace; this package loads module by module, so
``import numtorch`` pays only for what the ``torch.*`` functions use at import time.
"""
