"""overrides against PyTorch: TorchFunctionMode sees public function calls and can replace
their results, handle_torch_function's dispatch and error, has_torch_function."""

from __future__ import annotations

import pytest
from oracle import torch

import numtorch


def _mode_class(lib, replace=False):
    class Logging(lib.overrides.TorchFunctionMode):
        def __init__(self):
            self.seen = []

        def __torch_function__(self, func, types, args=(), kwargs=None):
            self.seen.append(func.__name__)
            if replace and func.__name__ == "add":
                return "replaced"
            return func(*args, **(kwargs or {}))

    return Logging


def _program(lib):
    x = lib.ones(2, 3)
    w = lib.empty(3, 3)
    return [
        lib.add(x, 1),
        lib.nn.functional.relu(x - 2),
        lib.nn.init.zeros_(w),
        lib.matmul(x, w),
    ]


def test_mode_sees_public_calls_like_pytorch():
    seen = []
    for lib in (numtorch, torch):
        with _mode_class(lib)() as mode:
            results = _program(lib)
        # operators and Tensor methods (x - 2, zero_) reach PyTorch's modes, not numtorch's
        seen.append([n for n in mode.seen if n in ("ones", "add", "relu", "zeros_", "matmul")])
        assert results[3].sum().item() == 0.0
    assert seen[0] == seen[1] == ["ones", "add", "relu", "matmul"]


def test_mode_can_replace_a_result_and_nests():
    for lib in (numtorch, torch):
        with _mode_class(lib)() as outer, _mode_class(lib, replace=True)():
            assert lib.add(lib.ones(1), 1) == "replaced"
        assert "add" not in outer.seen  # the inner mode answered without calling on
        assert lib.add(lib.ones(1), 1).item() == 2.0  # modes left: plain calls again


def test_functions_are_restored_after_the_mode():
    before = numtorch.add
    with numtorch.overrides.BaseTorchFunctionMode():
        assert numtorch.add is not before
        assert numtorch.add(numtorch.ones(1), 2).item() == 3.0
    assert numtorch.add is before


class _Handled:
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        return ("handled", func.__name__, len(args))


class _Refuses:
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        return NotImplemented


def test_handle_torch_function_matches_pytorch():
    for lib in (numtorch, torch):
        o = lib.overrides
        h = _Handled()
        assert o.has_torch_function((h,)) and o.has_torch_function_variadic(1, h)
        assert not o.has_torch_function((lib.ones(1), 2)) and o.is_tensor_like(h)
        assert o.handle_torch_function(lib.add, (h,), h, 1) == ("handled", "add", 2)
    errors = []
    for lib in (numtorch, torch):
        with pytest.raises(TypeError) as info:
            lib.overrides.handle_torch_function(lib.add, (_Refuses(),), _Refuses(), 1)
        errors.append(str(info.value))
    assert errors[0] == errors[1]
