"""PyTorch's argument parser refuses a non-Tensor where a function takes a Tensor, before the
function runs: ``exp(): argument 'input' (position 1) must be Tensor, not numpy.ndarray``,
``expected Tensor as element 1 in argument 0, but got numpy.ndarray`` for a sequence. Swept
over every public function of numtorch's at ``torch.*``, ``torch.linalg``,
``torch.special`` and ``torch.fft``."""

import re
import warnings

import numpy as np
import pytest
from helpers import torch

import numtorch as nt

# PyTorch's one-signature refusal; for an overloaded function it lists the signatures instead
# ("add() received an invalid combination of arguments ..."), where the type is compared
PARSER = re.compile(r"^\w+\(\): argument '\w+' \(position 1\) must be (Tensor|tuple of Tensors), ")
NAMESPACES = {"torch": lambda m: m, "linalg": lambda m: m.linalg}
NAMESPACES.update(special=lambda m: m.special, fft=lambda m: m.fft)
ARGS = {
    "ndarray": lambda: np.zeros((2, 2), np.float32),
    "list": lambda: [1.0, 2.0],
    "float": lambda: 1.5,
    "None": lambda: None,
}


# where the text is left to differ: set_rng_state takes PyTorch's own state tensors too;
# repeat_interleave(x) alone is PyTorch's repeat_interleave(repeats) overload
LEFT = {"set_rng_state", "repeat_interleave"}
# functions that change process state when they accept the argument (print options, default
# dtype, seeds, thread counts, grad mode; PyTorch's compile loads its compiler, which turns off
# distributions' argument validation): calling them here would leak into later tests
STATEFUL = ("set_", "use_", "manual_seed", "seed", "enable_", "disable_", "compile")
# the overloaded binary arithmetic functions refuse with a TypeError of their own text (PyTorch
# lists their signatures)
OWN_TEXT = {"subtract", "multiply", "divide", "true_divide", "rsub", "floor_divide", "pow"}
OWN_TEXT |= {"float_power"}


def _refuses_tensor(text):
    """Whether PyTorch's TypeError refuses a first argument where a Tensor goes."""
    return (
        bool(PARSER.match(text))
        or text.startswith("expected Tensor as element")
        or any(f"{lead} (Tensor " in text for lead in ("expected", "*"))
    )


def _outcome(owner, name, arg):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            getattr(owner, name)(arg)
        except Exception as e:  # noqa: BLE001 - the exception is what is compared
            return type(e).__name__, str(e)
    return ("ok",)


def _public(namespace):
    """numtorch's public functions in ``namespace`` (one PyTorch lacks fails there with an
    AttributeError, which the sweep skips)."""
    ours = NAMESPACES[namespace](nt)
    for name in sorted(dir(ours)):
        fn = getattr(ours, name)
        public = not name.startswith("_") and callable(fn) and not isinstance(fn, type)
        if public and not name.startswith(STATEFUL):
            yield name


@pytest.mark.parametrize("arg", list(ARGS))
@pytest.mark.parametrize("namespace", list(NAMESPACES))
def test_first_argument_sweep(namespace, arg):
    """Where PyTorch's parser refuses the first argument, numtorch raises its TypeError (with
    its text where PyTorch's ``torch.*`` function has one signature; in the namespaces its
    parser names parameters that its documentation does not)."""
    ours, theirs = NAMESPACES[namespace](nt), NAMESPACES[namespace](torch)
    checked, differ = 0, []
    for name in _public(namespace):
        want = _outcome(theirs, name, ARGS[arg]())
        if want[0] != "TypeError" or not _refuses_tensor(want[1]) or name in LEFT:
            continue  # PyTorch takes the argument, or refuses it for another reason
        checked += 1
        got = _outcome(ours, name, ARGS[arg]())
        exact = PARSER.match(want[1]) and namespace == "torch" and name not in OWN_TEXT
        if got != want if exact else got[0] != "TypeError":
            differ.append((name, want, got))
    assert checked > {"torch": 300, "linalg": 20, "special": 20, "fft": 10}[namespace]
    assert not differ, "\n".join(map(str, differ))


def _t(m):
    return m.ones(2)


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.cat([_t(m), np.ones(2)]),
        lambda m: m.cat(np.ones(2)),
        lambda m: m.cat(_t(m)),
        lambda m: m.stack((_t(m), [1.0, 2.0])),
        lambda m: m.hstack(np.ones(2)),
        lambda m: m.block_diag(_t(m), np.ones(2)),
        lambda m: m.broadcast_tensors(_t(m), np.ones(2)),
        lambda m: m.cartesian_prod(np.ones(2)),
        lambda m: m.clone(np.ones(2)),
        lambda m: m.resolve_conj(np.ones(2)),
        lambda m: m.neg(np.ones(2)),
        lambda m: m.where(_t(m) > 0, np.ones(2), _t(m)),
        lambda m: m.linalg.det(np.ones((2, 2))),
        lambda m: m.det(np.ones((2, 2))),
        lambda m: m.cosine_similarity(np.ones(2), _t(m)),
        lambda m: m.sum(input=np.ones(2)),
    ],
)
def test_sequences_and_positions(call):
    def outcome(m):
        try:
            call(m)
        except TypeError as e:
            return str(e)
        return "ok"

    want = outcome(torch)
    got = outcome(nt)
    assert got == want or not PARSER.match(want) and want[:4] != "expe" and got != "ok"


@pytest.mark.parametrize("arg", list(ARGS))
def test_functional_first_argument_sweep(arg):
    """nn.functional: where PyTorch's parser refuses the input, numtorch raises its TypeError
    and text; where PyTorch's Python function fails otherwise, the type is compared."""
    checked, differ = 0, []
    for name in sorted(nt.nn.functional.__all__):
        if not hasattr(torch.nn.functional, name):
            continue
        want = _outcome(torch.nn.functional, name, ARGS[arg]())
        if want[0] != "TypeError" or not PARSER.match(want[1]):
            continue
        if not want[1].startswith(f"{name}("):
            continue  # a function it calls refused the argument
        checked += 1
        got = _outcome(nt.nn.functional, name, ARGS[arg]())
        if got != want:
            differ.append((name, want, got))
    assert checked > 40
    assert not differ, "\n".join(map(str, differ))


def _w(m):
    return m.ones(2, 2)


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.nn.functional.linear(_t(m), np.ones((2, 2))),
        lambda m: m.nn.functional.linear(_t(m), [1.0]),
        lambda m: m.nn.functional.linear(_t(m), _w(m), np.ones(2)),
        lambda m: m.nn.functional.bilinear(_t(m), np.ones(2), _w(m)),
        lambda m: m.nn.functional.prelu(_t(m), np.ones(1)),
        lambda m: m.nn.functional.relu([1.0]),
        lambda m: m.add(np.ones(2), 1),
        lambda m: m.add(_t(m), np.ones(2)),
        lambda m: m.add(_t(m), [1.0], alpha=2),
        lambda m: m.sub(_t(m), "a"),
        lambda m: m.mul(_t(m), [1]),
        lambda m: m.mul([1], _t(m)),
        lambda m: m.mul(_t(m), None),
        lambda m: m.div(_t(m), [1]),
        lambda m: _t(m) + "a",
        lambda m: "a" + _t(m),
        lambda m: _t(m) * [1],
        lambda m: m.zeros(2.5),
        lambda m: m.zeros((2, 2.5)),
        lambda m: m.zeros(2, 2.5),
        lambda m: m.zeros([2.5]),
        lambda m: m.ones("a"),
        lambda m: m.empty(None),
        lambda m: m.full(2.5, 1.0),
        lambda m: m.randn(-1),
        lambda m: m.rand(2, "a"),
        lambda m: m.zeros((2.5, 2)),
        lambda m: m.zeros(2.5, 2),
        lambda m: m.ones(4).view("a"),
        lambda m: m.ones(4).view(2.0),
        lambda m: m.ones(4).view(None),
        lambda m: m.ones(4).view(2, "a"),
        lambda m: m.ones(4).reshape(2.0),
        lambda m: m.ones(4).reshape([2, "a"]),
        lambda m: m.ones(4).reshape(["a", 2]),
        lambda m: m.ones(4).reshape(None),
        lambda m: m.ones(4).expand(2.5),
        lambda m: m.ones(4).expand(2, "a"),
    ],
)
def test_later_arguments_and_sizes(call):
    """PyTorch's refusal of a later Tensor argument, of a binary arithmetic function's operands
    and of a size that is no tuple of ints: type and text."""

    def outcome(m):
        try:
            call(m)
        except Exception as e:  # noqa: BLE001 - the exception is what is compared
            return type(e).__name__, str(e)
        return ("ok",)

    want = outcome(torch)
    assert want[0] != "ok"
    assert outcome(nt) == want
