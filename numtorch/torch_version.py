"""``torch.__version__``: the PyTorch release numtorch follows, as PyTorch's ``TorchVersion``.

Programs and libraries compare it (``torch.__version__ >= "2.0"``, ``>= (2, 1)``,
``packaging.version.parse(torch.__version__)``), so it is a ``str`` that compares as a PEP 440
version against strings and tuples, and as a plain string against anything that is not a
version. numtorch's own release number is ``numtorch.version.numtorch``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .version import __version__ as _release

__all__ = ["TorchVersion", "InvalidVersion"]

# PEP 440's grammar (epoch, release, pre, post, dev, local), with its accepted spellings.
_PATTERN = re.compile(
    r"^\s*v?(?:(?P<epoch>\d+)!)?(?P<release>\d+(?:\.\d+)*)"
    r"(?:[-_.]?(?P<pre_l>alpha|beta|preview|pre|rc|a|b|c)[-_.]?(?P<pre_n>\d+)?)?"
    r"(?:-(?P<post_n1>\d+)|[-_.]?(?P<post_l>post|rev|r)[-_.]?(?P<post_n2>\d+)?)?"
    r"(?:[-_.]?(?P<dev_l>dev)[-_.]?(?P<dev_n>\d+)?)?"
    r"(?:\+(?P<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?\s*$",
    re.IGNORECASE,
)
_PRE = {"a": "a", "alpha": "a", "b": "b", "beta": "b", "c": "rc", "pre": "rc", "preview": "rc"}
_LOW, _HIGH = (-1, ""), (2, "")  # sort below / above every (0|1, ...) marker


class InvalidVersion(ValueError):
    """A string that is not a PEP 440 version."""


def _key(text: str) -> tuple:
    """The sort key PEP 440 defines: release with trailing zeros dropped, then pre/post/dev."""
    m = _PATTERN.match(text)
    if m is None:
        raise InvalidVersion(f"Invalid version: {text!r}")
    release = [int(p) for p in m["release"].split(".")]
    while len(release) > 1 and release[-1] == 0:
        release.pop()
    post = m["post_n1"] or (m["post_n2"] or "0" if m["post_l"] else None)
    dev = m["dev_n"] or "0" if m["dev_l"] else None
    if m["pre_l"]:
        label = m["pre_l"].lower()
        pre = (1, _PRE.get(label, label), int(m["pre_n"] or 0))
    else:  # a dev release sorts before its pre-releases; a final release after them
        pre = _LOW if post is None and dev is not None else _HIGH
    local = _LOW
    if m["local"]:
        parts = re.split(r"[-_.]", m["local"].lower())
        local = (1, tuple((1, int(p), "") if p.isdigit() else (0, 0, p) for p in parts))
    return (
        int(m["epoch"] or 0),
        tuple(release),
        pre,
        _LOW if post is None else (1, int(post)),
        _HIGH if dev is None else (1, int(dev)),
        local,
    )


def _as_key(other) -> tuple:
    if isinstance(other, str):
        return _key(other)
    if isinstance(other, Iterable):  # (2, 1) means "2.1"
        return _key(".".join(str(item) for item in other))
    raise InvalidVersion(other)


class TorchVersion(str):
    """A version string that compares with strings and tuples as a version."""

    __slots__ = ()

    def _compare(self, other, method: str):
        try:
            mine, theirs = _key(self), _as_key(other)
        except InvalidVersion:  # not a version ('parrot', 5): compare as str does
            return getattr(str, method)(self, other)
        return getattr(mine, method)(theirs)

    def __gt__(self, other):
        return self._compare(other, "__gt__")

    def __lt__(self, other):
        return self._compare(other, "__lt__")

    def __ge__(self, other):
        return self._compare(other, "__ge__")

    def __le__(self, other):
        return self._compare(other, "__le__")

    def __eq__(self, other):
        return self._compare(other, "__eq__")

    __hash__ = str.__hash__


__version__ = TorchVersion(_release)
