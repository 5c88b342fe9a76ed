"""Special functions: the error-function family (erf.py) and log-gamma, Bessel, normal-tail and
the SciPy-backed rest (functions.py). ``numtorch.special`` (special.py) is the public namespace."""
