"""The ``numtorch`` package, reached from inside it."""

from __future__ import annotations


def nt():
    """``numtorch`` itself, for code that calls ops of a family imported after its own module
    (a module-level import would be circular); call it inside the function that needs it."""
    import numtorch

    return numtorch
