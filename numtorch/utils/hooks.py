"""``RemovableHandle``: what registering a hook returns (``torch.utils.hooks``)."""

from __future__ import annotations

import weakref
from collections import OrderedDict


class RemovableHandle:
    """A handle whose ``remove()`` takes its hook out of the dict it was registered in.

    Usable as a context manager: the hook is removed when the block ends.
    """

    next_id = 0

    def __init__(self, hooks_dict: OrderedDict) -> None:
        self.hooks_dict_ref = weakref.ref(hooks_dict)
        self.id = RemovableHandle.next_id
        RemovableHandle.next_id += 1

    def remove(self) -> None:
        hooks_dict = self.hooks_dict_ref()
        if hooks_dict is not None and self.id in hooks_dict:
            del hooks_dict[self.id]

    def __enter__(self) -> "RemovableHandle":
        return self

    def __exit__(self, *exc) -> None:
        self.remove()
