"""The recorded oracle (tests/oracle): what a recording stores comes back the same in a replay,
identity and errors included, and a replay whose test changed fails instead of passing."""

import numpy as np
import pytest
from oracle import codec
from oracle.proxy import Proxy
from oracle.session import Session
from oracle.store import LIMIT, Store, data_file


class _FakeTensor:
    def __init__(self, data):
        self.data = np.asarray(data)

    def numpy(self):
        return self.data

    def add_(self, k):
        self.data += k
        return self

    def fail(self):
        raise IndexError("index 5 is out of bounds for dimension 0 with size 3")


class _FakeModule:
    tensor = _FakeTensor
    dtype_name = "float32"


def _script(t):
    """A test body: values, identity, an error, an iteration and a comparison."""
    x = t.tensor([1.0, 2.0, 3.0])
    seen = [x.numpy().copy(), x.add_(1) is x, x.numpy().copy(), t.dtype_name]
    with pytest.raises(IndexError, match="out of bounds") as info:
        x.fail()
    return seen + [str(info.value), [v * 2 for v in x.numpy()]]


def _record_then_replay(monkeypatch, script_for_replay=_script):
    session = Session()
    stored = {}
    monkeypatch.setattr("oracle.proxy.SESSION", session)
    session.wrap = Proxy
    session.begin("tests/test_x.py::case", replay=False)
    recorded = _script(Proxy(_FakeModule))
    stored["case"] = session.end()
    recording, arrays = stored["case"]
    entry = {**recording, "e": {str(k): v for k, v in recording["e"].items()}}
    monkeypatch.setattr(
        "oracle.session.STORE.get", lambda key: {**entry, "array": arrays.__getitem__}
    )
    session.begin("tests/test_x.py::case", replay=True)
    replayed = script_for_replay(Proxy())
    session.check_count()
    session.end()
    return recorded, replayed


def test_replay_gives_what_was_recorded(monkeypatch):
    recorded, replayed = _record_then_replay(monkeypatch)
    assert replayed[1] is True and recorded[1] is True
    for a, b in zip(recorded, replayed):
        np.testing.assert_array_equal(a, b)
    assert replayed[4] == "index 5 is out of bounds for dimension 0 with size 3"


def test_changed_test_fails_its_replay(monkeypatch):
    def changed(t):
        return t.tensor([1.0, 2.0]).numpy()  # other arguments than recorded

    with pytest.raises(pytest.fail.Exception, match="re-record"):
        _record_then_replay(monkeypatch, changed)


def test_shorter_test_fails_its_replay(monkeypatch):
    def shorter(t):
        return t.tensor([1.0, 2.0, 3.0]).numpy()

    with pytest.raises(pytest.fail.Exception, match="steps recorded"):
        _record_then_replay(monkeypatch, shorter)


def test_codec_round_trip():
    arrays = []
    value = (1, 2.5, -0.0, float("nan"), 1 + 2j, "s", None, [np.float32(3)], {"k": np.arange(3)})
    _, form = codec.encode(value, arrays, lambda obj: (obj, codec.PLACEHOLDER))
    back = codec.decode(form, arrays.__getitem__, None)
    assert back[:3] == value[:3] and np.isnan(back[3]) and back[4:7] == value[4:7]
    assert type(back[7][0]) is np.float32 and back[7][0] == 3
    np.testing.assert_array_equal(back[8]["k"], np.arange(3))


def test_exception_classes_rebuild_on_their_builtin_base():
    class LinAlgError(RuntimeError):
        pass

    LinAlgError.__module__ = "torch._C"
    rebuilt = codec.rebuild_exception(codec.exception_form(LinAlgError("singular")))
    assert isinstance(rebuilt, RuntimeError) and type(rebuilt).__name__ == "LinAlgError"
    assert str(rebuilt) == "singular"
    assert type(rebuilt) is codec.rebuild_class(*codec.class_info(LinAlgError))


def test_results_too_large_to_keep_become_the_skip_reason():
    store = Store()
    store.put("tests/test_x.py::big", {"n": 1, "e": {}}, [np.zeros(LIMIT // 8 + 1)])
    ((recording, arrays),) = store._written[data_file("tests/test_x.py::big")].values()
    assert arrays == [] and recording["n"] == -1 and "too large to keep" in recording["why"]
