"""save/load against PyTorch 2.13 both ways: files torch writes load in numtorch with the same
values, dtypes, shapes, strides and sharing; files numtorch writes load in torch (weights_only and
mmap) and fill torch models' state_dicts."""

import collections
import io
import zipfile

import numpy as np
import pytest
from oracle import torch

import numtorch
import numtorch.nn as nn

# NOTE: numtorch reads the files PyTorch writes and PyTorch reads numtorch's: a replay has none
pytestmark = pytest.mark.live_torch("reads and writes files with PyTorch")

try:
    import ml_dtypes
except ImportError:
    ml_dtypes = None

DTYPES = [
    "float32",
    "float64",
    "float16",
    "bfloat16",
    "complex64",
    "complex128",
    "uint8",
    "int8",
    "int16",
    "int32",
    "int64",
    "bool",
    "uint16",
    "uint32",
    "uint64",
]


def _torch_values(name, rng):
    """A torch tensor of dtype ``name`` with varied values (NaN, inf, negatives where legal)."""
    base = rng.standard_normal((3, 4)) * 100
    if name == "bool":
        return torch.from_numpy(base > 0)
    if name.startswith("complex"):
        t = torch.from_numpy((base + 1j * base[::-1]).astype(name))
    elif name.startswith("float") or name == "bfloat16":
        base[0, 0], base[0, 1] = np.nan, -np.inf
        t = torch.from_numpy(base).to(getattr(torch, name))
    else:
        info = np.iinfo(name)
        t = torch.from_numpy(rng.integers(info.min, info.max, (3, 4), dtype=name, endpoint=True))
    return t


def _bits(t):
    """A torch tensor's raw bytes as a NumPy array (exact comparison, NaN included)."""
    t = t.detach().contiguous().reshape(-1)
    return t.view(torch.uint8).numpy() if t.numel() else np.zeros(0, np.uint8)


def assert_same(nt, th):
    """numtorch object ``nt`` equals torch object ``th``: values bit for bit, dtype, shape,
    strides, requires_grad, Parameter-ness, container types and keys."""
    if isinstance(th, torch.Tensor):
        assert isinstance(nt, numtorch.Tensor), type(nt)
        assert repr(nt.dtype) == repr(th.dtype)
        assert tuple(nt.shape) == tuple(th.shape)
        assert nt.requires_grad == th.requires_grad
        assert isinstance(nt, nn.Parameter) == isinstance(th, torch.nn.Parameter)
        if th.numel() > 1:
            assert nt.stride() == th.stride()
        raw = np.ascontiguousarray(nt._data)
        ours = raw.reshape(-1).view(np.uint8) if raw.size else np.zeros(0, np.uint8)
        np.testing.assert_array_equal(ours, _bits(th).reshape(-1))
    elif isinstance(th, dict):
        assert type(nt) is type(th)
        assert list(nt) == list(th)
        for k in th:
            assert_same(nt[k], th[k])
        assert getattr(nt, "_metadata", None) == getattr(th, "_metadata", None)
    elif isinstance(th, (list, tuple)):
        assert type(nt).__name__ == type(th).__name__ and len(nt) == len(th)
        for a, b in zip(nt, th):
            assert_same(a, b)
    elif isinstance(th, torch.dtype):
        assert repr(nt) == repr(th)
    elif isinstance(th, torch.device):
        assert str(nt) == str(th)
    else:
        assert type(nt) is type(th) and nt == th


def to_numtorch(obj):
    """A torch object rebuilt from numtorch pieces (what a numtorch program would save)."""
    if isinstance(obj, torch.Tensor):
        if obj.dtype == torch.bfloat16:
            arr = obj.detach().view(torch.int16).numpy().view(ml_dtypes.bfloat16)
        else:
            arr = obj.detach().numpy()
        t = numtorch.tensor(arr.copy())
        if isinstance(obj, torch.nn.Parameter):
            return nn.Parameter(t, obj.requires_grad)
        return t.requires_grad_(obj.requires_grad)
    if isinstance(obj, dict):
        out = type(obj)((k, to_numtorch(v)) for k, v in obj.items())
        if hasattr(obj, "_metadata"):
            out._metadata = obj._metadata
        return out
    if isinstance(obj, (list, tuple)):
        return type(obj)(to_numtorch(v) for v in obj)
    if isinstance(obj, torch.dtype):
        return getattr(numtorch, str(obj).split(".")[1])
    return obj


def torch_roundtrip(obj, **save_kwargs):
    buf = io.BytesIO()
    torch.save(obj, buf, **save_kwargs)
    buf.seek(0)
    return numtorch.load(buf)


def numtorch_to_torch(obj, tmp_path, mmap=False):
    path = tmp_path / "ckpt.pt"
    numtorch.save(obj, path)
    return torch.load(path, weights_only=True, mmap=mmap)


def _dtype_available(name):
    return name != "bfloat16" or ml_dtypes is not None


# --- torch -> numtorch -----------------------------------------------------------------------
@pytest.mark.parametrize("name", DTYPES)
def test_every_dtype_from_torch(name):
    t = _torch_values(name, np.random.default_rng(0))
    obj = {"x": t, "t": t.t(), "row": t[1], "zero_d": t[0, 0].clone(), "empty": t[:0]}
    if not _dtype_available(name):
        with pytest.raises(RuntimeError, match=r"numtorch\[bfloat16\]"):
            torch_roundtrip(obj)
        return
    assert_same(torch_roundtrip(obj), obj)


@pytest.mark.parametrize("name", DTYPES)
def test_every_dtype_to_torch(name, tmp_path):
    if not _dtype_available(name):
        pytest.skip("bfloat16 needs ml_dtypes")
    t = _torch_values(name, np.random.default_rng(1))
    obj = {"x": t, "t": t.t(), "row": t[1], "zero_d": t[0, 0].clone(), "empty": t[:0]}
    nt_obj = to_numtorch(obj)
    nt_obj["t"], nt_obj["row"] = nt_obj["x"].t(), nt_obj["x"][1]
    for mmap in (False, True):
        back = numtorch_to_torch(nt_obj, tmp_path, mmap)
        assert_same(nt_obj, back)
        assert back["t"].untyped_storage().data_ptr() == back["x"].untyped_storage().data_ptr()


def test_views_share_storage_after_load(tmp_path):
    base = torch.arange(24.0)
    obj = {
        "base": base,
        "slice": base[2:5],
        "strided": base[1::3],
        "mat": base.view(4, 6),
        "tr": base.view(4, 6).t(),
        "expand": base[:1].expand(3, 5),
    }
    out = torch_roundtrip(obj)
    assert_same(out, obj)
    for key in ("slice", "strided", "mat", "tr", "expand"):
        assert np.shares_memory(out[key]._data, out["base"]._data)
    out["base"][3] = 100.0  # writes through the shared memory, as in PyTorch
    assert out["slice"][1].item() == 100.0
    # and numtorch writes them once again
    path = tmp_path / "v.pt"
    numtorch.save(out, path)
    with zipfile.ZipFile(path) as z:
        assert [n for n in z.namelist() if "/data/" in n] == ["v/data/0"]
    back = torch.load(path)
    assert back["tr"].untyped_storage().data_ptr() == back["base"].untyped_storage().data_ptr()
    assert back["slice"].storage_offset() == 2 and back["expand"].stride() == (0, 0)
    assert_same(out, back)


def test_parameters_requires_grad_and_nonleaf():
    p = torch.nn.Parameter(torch.randn(3))
    frozen = torch.nn.Parameter(torch.randn(2), requires_grad=False)
    nonleaf = torch.randn(2, requires_grad=True) * 2
    out = torch_roundtrip({"p": p, "frozen": frozen, "nonleaf": nonleaf, "same": p})
    assert isinstance(out["p"], nn.Parameter) and out["p"].requires_grad
    assert isinstance(out["frozen"], nn.Parameter) and not out["frozen"].requires_grad
    assert out["nonleaf"].requires_grad and out["nonleaf"].is_leaf
    assert out["same"] is out["p"]  # one object saved twice stays one object


def test_nested_containers_and_python_values(tmp_path):
    obj = {
        "list": [1, 2.5, "s", None, True, False, -7, 2**70, -(2**100), 1e300],
        "tuple": (1, (2, (3, "deep"))),
        "complex": 1 + 2j,
        "bytes": b"\x00\xffab",
        "bytearray": bytearray(b"xyz"),
        "set": {1, 2, 3},
        "ordered": collections.OrderedDict(b=1, a=2),
        "counter": collections.Counter("aab"),
        "size": torch.Size([2, 3]),
        "dtype": torch.float16,
        "device": torch.device("cpu"),
        "tensors": [torch.ones(2), {"inner": torch.zeros(1, dtype=torch.int64)}],
        "unicode": "naïve ∑ 😀",
        "int_keys": {0: "a", -1: "b"},
    }
    out = torch_roundtrip(obj)
    assert isinstance(out["size"], numtorch.Size) and out["size"] == (2, 3)
    out["size"] = torch.Size(out["size"])
    out["device"] = torch.device(str(out["device"]))
    assert_same(out, obj)
    back = numtorch_to_torch(to_numtorch(obj), tmp_path)
    assert_same(to_numtorch(obj), back)


def _models():
    layers = {
        "Linear": lambda m: m.Linear(5, 3),
        "Bilinear": lambda m: m.Bilinear(3, 4, 2),
        "Conv1d": lambda m: m.Conv1d(2, 4, 3),
        "Conv2d": lambda m: m.Conv2d(3, 4, 3, groups=1),
        "ConvTranspose2d": lambda m: m.ConvTranspose2d(2, 3, 2),
        "BatchNorm1d": lambda m: m.BatchNorm1d(4),
        "BatchNorm2d": lambda m: m.BatchNorm2d(3),
        "LayerNorm": lambda m: m.LayerNorm([4, 5]),
        "GroupNorm": lambda m: m.GroupNorm(2, 4),
        "RMSNorm": lambda m: m.RMSNorm(6),
        "Embedding": lambda m: m.Embedding(10, 3),
        "EmbeddingBag": lambda m: m.EmbeddingBag(10, 3),
        "PReLU": lambda m: m.PReLU(3),
        "LSTM": lambda m: m.LSTM(4, 5, num_layers=2),
        "GRU": lambda m: m.GRU(3, 4),
        "RNN": lambda m: m.RNN(3, 4, bidirectional=True),
        "MultiheadAttention": lambda m: m.MultiheadAttention(8, 2),
        "TransformerEncoderLayer": lambda m: m.TransformerEncoderLayer(8, 2, 16),
        "Sequential": lambda m: m.Sequential(
            m.Linear(4, 8), m.ReLU(), m.Dropout(0.1), m.Linear(8, 2)
        ),
    }
    return layers


@pytest.mark.parametrize("name", list(_models()))
def test_model_state_dict_from_torch(name):
    torch.manual_seed(0)
    build = _models()[name]
    model = build(torch.nn)
    for b in model.buffers():  # non-default buffer values (running stats ...)
        b.add_(3)
    sd = model.state_dict()
    out = torch_roundtrip(sd)
    assert_same(out, sd)
    if hasattr(nn, name):
        try:
            ours = build(nn)
        except (TypeError, NotImplementedError) as e:  # pragma: no cover - partial nn
            pytest.skip(f"numtorch.nn.{name} differs: {e}")
        result = ours.load_state_dict(out)
        assert not result.missing_keys and not result.unexpected_keys
        for k, v in ours.state_dict().items():
            np.testing.assert_array_equal(np.asarray(v._data), sd[k].numpy())


@pytest.mark.parametrize("name", list(_models()))
def test_model_state_dict_to_torch(name, tmp_path):
    torch.manual_seed(1)
    model = _models()[name](torch.nn)
    sd = to_numtorch(model.state_dict())
    fresh = _models()[name](torch.nn)
    for mmap in (False, True):
        loaded = numtorch_to_torch(sd, tmp_path, mmap)
        assert str(fresh.load_state_dict(loaded)) == "<All keys matched successfully>"
        for k, v in fresh.state_dict().items():
            torch.testing.assert_close(v, model.state_dict()[k], rtol=0, atol=0)


def test_numtorch_module_state_dict_to_torch(tmp_path):
    ours = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
    loaded = numtorch_to_torch(ours.state_dict(), tmp_path, mmap=True)
    assert str(theirs.load_state_dict(loaded)) == "<All keys matched successfully>"
    assert loaded._metadata == ours.state_dict()._metadata
    x = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    np.testing.assert_allclose(
        theirs(torch.from_numpy(x)).detach().numpy(),
        ours(numtorch.tensor(x)).detach().numpy(),
        atol=1e-6,
    )


@pytest.mark.parametrize("opt", ["SGD", "Adam", "AdamW"])
def test_optimizer_state_both_ways(opt, tmp_path):
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 2)
    kwargs = {"lr": 0.1, "momentum": 0.9} if opt == "SGD" else {"lr": 0.01}
    optim = getattr(torch.optim, opt)(model.parameters(), **kwargs)
    model(torch.randn(4, 3)).sum().backward()
    optim.step()
    sd = optim.state_dict()
    out = torch_roundtrip(sd)
    assert_same(out, sd)
    back = numtorch_to_torch(to_numtorch(sd), tmp_path)
    fresh = getattr(torch.optim, opt)(model.parameters(), **kwargs)
    fresh.load_state_dict(back)
    assert_same(to_numtorch(fresh.state_dict()), fresh.state_dict())
    if opt != "SGD":
        assert back["state"][0]["step"].shape == () and back["state"][0]["step"].item() == 1.0


def test_legacy_format(tmp_path):
    base = torch.arange(12.0)
    obj = {
        "w": torch.nn.Parameter(torch.randn(2, 3)),
        "view": base[3:9].view(2, 3),
        "base": base,
        "i": torch.tensor([1, 2], dtype=torch.int32),
        "meta": [1, "x"],
    }
    path = tmp_path / "legacy.pt"
    torch.save(obj, path, _use_new_zipfile_serialization=False)
    for weights_only in (True, False):
        out = numtorch.load(path, weights_only=weights_only)
        assert_same(out, obj)
        assert np.shares_memory(out["view"]._data, out["base"]._data)
    with pytest.raises(RuntimeError, match="mmap"):
        numtorch.load(path, mmap=True)


def test_mmap_load_of_torch_file(tmp_path):
    path = tmp_path / "m.pt"
    obj = {"a": torch.arange(1000.0), "b": torch.ones(3, 3, dtype=torch.float64)}
    torch.save(obj, path)
    before = path.read_bytes()
    out = numtorch.load(path, mmap=True)
    assert_same(out, obj)
    out["a"][0] = 42.0  # copy-on-write: the tensor changes, the file does not
    assert out["a"][0].item() == 42.0 and path.read_bytes() == before


def test_any_archive_folder_name_and_deflated_records(tmp_path):
    src = tmp_path / "some.name.pt"
    obj = {"x": torch.arange(5), "y": torch.eye(2)}
    torch.save(obj, src)
    with zipfile.ZipFile(src) as z:
        assert z.namelist()[0].startswith("some.name/")
        records = [(n.split("/", 1)[1], z.read(n)) for n in z.namelist()]
    other = tmp_path / "renamed.pt"
    with zipfile.ZipFile(other, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in records:
            z.writestr(f"totally_different/{name}", data)
    assert_same(numtorch.load(other), obj)
    with pytest.raises(RuntimeError, match="compressed"):
        numtorch.load(other, mmap=True)


def test_big_endian_checkpoint_is_byteswapped(tmp_path):
    src = io.BytesIO()
    obj = {"x": torch.arange(6, dtype=torch.int32), "f": torch.tensor([1.5, -2.0])}
    torch.save(obj, src)
    out = tmp_path / "be.pt"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            name = info.filename.split("/", 1)[1]
            if name == "byteorder":
                data = b"big"
            elif name.startswith("data/"):
                itemsize = 4
                data = np.frombuffer(data, f"<u{itemsize}").astype(f">u{itemsize}").tobytes()
            zout.writestr(info.filename, data)
    assert_same(numtorch.load(out), obj)


def test_map_location_variants(tmp_path):
    path = tmp_path / "ml.pt"
    torch.save({"x": torch.arange(3.0)}, path)
    seen = []

    def fn(storage, location):
        seen.append(location)
        return storage

    for loc in ("cpu", numtorch.device("cpu"), {"cpu": "cpu"}, fn, lambda s, loc: None):
        out = numtorch.load(path, map_location=loc)
        assert out["x"].tolist() == [0.0, 1.0, 2.0]
    assert seen == ["cpu"]
    with pytest.raises(RuntimeError, match="map_location"):
        numtorch.load(path, map_location="cuda:0")
    with pytest.raises(TypeError):
        numtorch.load(path, map_location=3.5)


def test_cuda_location_needs_map_location(tmp_path):
    from numtorch.serialization import _save

    describe = _save.StorageTable.describe

    def on_cuda(self, t):
        out = describe(self, t)
        return out[:2] + ("cuda:0",) + out[3:]

    path = tmp_path / "cuda.pt"
    try:
        _save.StorageTable.describe = on_cuda
        numtorch.save({"x": numtorch.arange(3.0)}, path)
    finally:
        _save.StorageTable.describe = describe
    with pytest.raises(RuntimeError) as info:
        numtorch.load(path)
    # PyTorch's text on a machine without CUDA (it names torch, as a program sees it)
    assert str(info.value) == (
        "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is "
        "False. If you are running on a CPU-only machine, please use torch.load with "
        "map_location=torch.device('cpu') to map your storages to the CPU."
    )
    if not torch.cuda.is_available():
        with pytest.raises(RuntimeError) as theirs:
            torch.load(path)
        assert str(theirs.value) == str(info.value)
    out = numtorch.load(path, map_location={"cuda:0": "cpu"})
    assert out["x"].tolist() == [0.0, 1.0, 2.0]


def test_python_pickle_and_copy_of_tensors():
    import copy
    import pickle

    t = numtorch.arange(4.0).requires_grad_()
    p = nn.Parameter(numtorch.ones(2))
    t2, p2 = pickle.loads(pickle.dumps((t, p)))
    assert t2.tolist() == t.tolist() and t2.requires_grad
    assert isinstance(p2, nn.Parameter) and p2.requires_grad
    c = copy.copy(t)
    assert np.shares_memory(c._data, t._data)
