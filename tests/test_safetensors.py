"""numtorch.utils.safetensors against safetensors.torch: files either side writes load on the
other with the same values, dtypes, shapes and metadata; numtorch.load delegates .safetensors."""

import numpy as np
import pytest

import numtorch

pytest.importorskip("safetensors")
from numtorch.utils import safetensors as nst  # noqa: E402

DTYPES = [
    "float32",
    "float64",
    "float16",
    "int64",
    "int32",
    "int16",
    "int8",
    "uint8",
    "bool",
    "complex64",
    "uint16",
    "uint32",
    "uint64",
]


def _tensors():
    rng = np.random.default_rng(0)
    out = {}
    for name in DTYPES:
        values = rng.standard_normal((3, 4)) * 50
        if name == "bool":
            arr = values > 0
        elif name.startswith("complex"):
            arr = (values + 1j * values).astype(name)
        else:
            arr = values.astype(name)
        out[name] = numtorch.tensor(arr)
    out["zero_d"] = numtorch.tensor(1.5)
    out["empty"] = numtorch.zeros(0, 2)
    out["transposed"] = numtorch.arange(6.0).reshape(2, 3).t()  # saved contiguously
    return out


def _same(a, b):
    assert a.dtype == b.dtype and a.shape == b.shape
    np.testing.assert_array_equal(np.asarray(a._data), np.asarray(b._data))


def test_roundtrip_file_and_bytes(tmp_path):
    tensors = _tensors()
    path = tmp_path / "m.safetensors"
    nst.save_file(tensors, path, metadata={"format": "pt", "step": "3"})
    for loaded in (nst.load_file(path), numtorch.load(path), nst.load(nst.save(tensors))):
        assert sorted(loaded) == sorted(tensors)
        for k in tensors:
            _same(loaded[k], tensors[k])
    with nst.safe_open(path, framework="pt") as f:
        assert f.metadata() == {"format": "pt", "step": "3"}
        assert sorted(f.keys()) == sorted(tensors)
        _same(f.get_tensor("float16"), tensors["float16"])
        assert list(f.get_slice("int8").get_shape()) == [3, 4]
    assert [p.name for p in tmp_path.iterdir()] == ["m.safetensors"]


def test_errors(tmp_path):
    with pytest.raises(TypeError, match="complex128"):
        nst.save_file({"c": numtorch.ones(2, dtype=numtorch.complex128)}, tmp_path / "c.st")
    with pytest.raises(TypeError, match="str -> Tensor"):
        nst.save_file({"a": [1, 2]}, tmp_path / "a.st")
    with pytest.raises(TypeError, match="metadata"):
        nst.save_file({"a": numtorch.ones(1)}, tmp_path / "a.st", metadata={"k": 1})
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"\xff" * 64)
    with pytest.raises(RuntimeError, match="not a valid safetensors"):
        nst.load_file(bad)
    with pytest.raises(RuntimeError, match="invalid safetensors"):
        nst.load(b"\x10\x00\x00\x00\x00\x00\x00\x00{garbage")


def test_missing_package_names_the_extra(monkeypatch):
    import builtins

    real = builtins.__import__

    def no_safetensors(name, *args, **kwargs):
        if name.startswith("safetensors"):
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_safetensors)
    with pytest.raises(ImportError, match=r"numtorch\[safetensors\]"):
        nst.save({"a": numtorch.ones(1)})


def test_with_torch_both_ways(tmp_path):
    from oracle import torch
    from safetensors.torch import load_file, save_file

    tensors = _tensors()
    nst.save_file(tensors, tmp_path / "n.safetensors", metadata={"who": "numtorch"})
    theirs = load_file(tmp_path / "n.safetensors")
    for k, t in tensors.items():
        assert repr(theirs[k].dtype) == repr(t.dtype) and tuple(theirs[k].shape) == t.shape
        ours = np.asarray(t._data)
        np.testing.assert_array_equal(theirs[k].numpy(), ours)
    save_file(
        {"w": torch.randn(4, 3), "i": torch.arange(5)},
        tmp_path / "t.safetensors",
        metadata={"format": "pt"},
    )
    back = nst.load_file(tmp_path / "t.safetensors")
    ref = load_file(tmp_path / "t.safetensors")
    for k in ref:
        np.testing.assert_array_equal(np.asarray(back[k]._data), ref[k].numpy())
    save_file({"bf": torch.ones(2, dtype=torch.bfloat16)}, tmp_path / "bf.safetensors")
    if numtorch.bfloat16 is None:
        with pytest.raises(RuntimeError, match=r"numtorch\[bfloat16\]"):
            nst.load_file(tmp_path / "bf.safetensors")
    else:
        assert nst.load_file(tmp_path / "bf.safetensors")["bf"].tolist() == [1.0, 1.0]
