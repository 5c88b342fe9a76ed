"""Linear-algebra kernels: dense matrix functions and decompositions (matrix.py), LU
factorisation (lu.py) and triangular solves (triangular.py). ``numtorch.linalg`` (linalg.py) is
the public namespace built on them."""
