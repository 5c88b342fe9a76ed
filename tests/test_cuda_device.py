"""The device plumbing on a stand-in GPU (tests/cuda_standin.py): transfers, device checks and
errors, modules, optimizers, printing and checkpoints with "cuda" storage locations."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from cuda_standin import BACKEND
from helpers import torch

import numtorch
from numtorch import _backend

pytestmark = pytest.mark.gpu
ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("ops", "autograd", "nn", "optim")
HAS_GPU = numtorch.cuda.is_available()
no_gpu_only = pytest.mark.skipif(HAS_GPU, reason="checks the errors of a machine without a GPU")


@pytest.fixture
def gpu():
    """The real GPU where CuPy has one, else the stand-in as the "cuda" backend for one test."""
    if HAS_GPU:
        yield
        return
    _backend.register_backend("cuda", BACKEND)
    yield
    _backend.register_backend("cuda", None)


def test_no_numpy_by_name_above_the_backend():
    offenders = []
    for layer in LAYERS:
        for path in sorted((ROOT / "numtorch" / layer).rglob("*.py")):
            for n, line in enumerate(path.read_text().splitlines(), 1):
                words = line.split()
                if words[:2] in (["import", "numpy"], ["import", "cupy"]) or words[:2] in (
                    ["from", "numpy"],
                    ["from", "cupy"],
                ):
                    offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
                if "_backend.numpy" in line:
                    offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert offenders == []


def test_import_loads_no_gpu_library():
    code = "import sys, numtorch; print(sorted(m for m in sys.modules if 'cupy' in m))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={"PYTHONPATH": str(ROOT)}
    )
    assert out.stdout.strip() == "[]", out.stderr


@no_gpu_only
def test_without_a_gpu_cuda_reports_none():
    assert numtorch.cuda.is_available() is False
    assert numtorch.cuda.device_count() == 0
    assert numtorch.cuda.memory_allocated() == 0
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        numtorch.cuda.current_device()
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        numtorch.ones(2).cuda()
    with pytest.raises(RuntimeError, match="Tried to instantiate dummy base class Event"):
        numtorch.cuda.Event(enable_timing=True)
    with pytest.raises(RuntimeError, match="torch.cuda.Stream requires CUDA support"):
        numtorch.cuda.Stream()


def test_to_cuda_and_back_keeps_values_and_gradient(gpu):
    x = numtorch.tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = x.cuda()
    assert y.device == numtorch.device("cuda", 0) and y.is_cuda and y.get_device() == 0
    assert _backend.array_module(y._data) is not np
    z = (y * y).sum()
    assert z.device.type == "cuda"
    z.backward()
    assert x.grad.device.type == "cpu"
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, -4.0, 6.0])
    back = y.cpu()
    assert back.device.type == "cpu" and _backend.array_module(back._data) is np
    assert y.to("cuda:0") is y
    assert y.to("cuda", non_blocking=True) is y
    assert x.to(y).device == y.device
    assert y.to(device="cpu", dtype=numtorch.float64).dtype == numtorch.float64


def test_factories_and_likes_take_the_device(gpu):
    for t in (
        numtorch.zeros(2, 3, device="cuda"),
        numtorch.ones(2, device=numtorch.device("cuda", 0)),
        numtorch.full((2,), 3.0, device="cuda:0"),
        numtorch.arange(4, device="cuda"),
        numtorch.tensor([1, 2], device="cuda"),
    ):
        assert t.device == numtorch.device("cuda:0")
    c = numtorch.zeros(3, device="cuda")
    for t in (numtorch.zeros_like(c), numtorch.ones_like(c), c.new_zeros(2), c.new_full((2,), 1.0)):
        assert t.device.type == "cuda"
    cpu = numtorch.ones(2)
    assert cpu.pin_memory() is cpu


@pytest.mark.live_torch("compares against PyTorch's device objects")
def test_mixed_devices_raise_pytorchs_error(gpu):
    a, b = numtorch.ones(3, device="cuda"), numtorch.ones(3)
    msg = (
        "Expected all tensors to be on the same device, but found at least two devices, "
        "cuda:0 and cpu!"
    )
    with pytest.raises(RuntimeError) as e1:
        a + b
    with pytest.raises(RuntimeError) as e2:
        b * a
    with pytest.raises(RuntimeError) as e3:
        b.add_(a)
    with pytest.raises(RuntimeError) as e4:
        b @ numtorch.ones(3, 3, device="cuda")
    assert str(e1.value) == str(e2.value) == str(e3.value) == str(e4.value) == msg
    assert (a * numtorch.tensor(2.0)).device == a.device  # a 0-d CPU tensor joins a GPU op


def test_numpy_of_a_cuda_tensor_raises_pytorchs_error(gpu):
    with pytest.raises(TypeError) as e:
        numtorch.ones(2, device="cuda").numpy()
    assert str(e.value) == (
        "can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu() to copy the tensor "
        "to host memory first."
    )


def test_printing_shows_the_device(gpu):
    t = numtorch.tensor([1.0, 2.5], device="cuda")
    assert repr(t) == "tensor([1.0000, 2.5000], device='cuda:0')"


def test_module_to_and_optimizer_state_follow_the_parameters(gpu):
    model = numtorch.nn.Linear(3, 2)
    model.to("cuda")
    assert {p.device.type for p in model.parameters()} == {"cuda"}
    opt = numtorch.optim.Adam(model.parameters(), lr=0.1)
    model(numtorch.ones(4, 3, device="cuda")).sum().backward()
    opt.step()
    state = opt.state[model.weight]
    assert state["exp_avg"].device.type == "cuda"
    model.cpu()
    assert {p.device.type for p in model.parameters()} == {"cpu"}
    opt.load_state_dict(opt.state_dict())
    assert opt.state[model.weight]["exp_avg"].device.type == "cpu"
    model.cuda()
    opt.load_state_dict(opt.state_dict())  # a CPU state onto GPU parameters, as PyTorch moves it
    state = opt.state[model.weight]
    assert state["exp_avg"].device.type == state["exp_avg_sq"].device.type == "cuda"
    assert state["step"].device.type == "cpu"  # PyTorch keeps Adam's step on the host


# PyTorch keeps these counters on the host (read every step without a device sync) unless the
# group is capturable or fused; ASGD keeps its own on the parameter's device
HOST_COUNTERS = {"step", "mu_product"}
OPTIMIZERS = "Adam AdamW Adamax NAdam RAdam RMSprop Adagrad Adadelta Rprop ASGD Adafactor"


@pytest.mark.parametrize("name", OPTIMIZERS.split())
def test_optimizer_counters_stay_where_pytorch_keeps_them(gpu, name):
    p = numtorch.nn.Parameter(numtorch.ones(3, 2, device="cuda"))
    opt = getattr(numtorch.optim, name)([p])
    p.sum().backward()
    opt.step()
    placed = {k: v.device.type for k, v in opt.state[p].items()}
    host = "cuda" if name == "ASGD" else "cpu"
    assert placed == {k: host if k in HOST_COUNTERS else "cuda" for k in placed}
    if name in ("Adam", "AdamW"):
        on_device = getattr(numtorch.optim, name)([p], capturable=True)
        p.sum().backward()
        on_device.step()
        assert on_device.state[p]["step"].device.type == "cuda"
        saved = on_device.state_dict()
        saved["state"][0]["step"] = saved["state"][0]["step"].cpu().double()
        on_device.load_state_dict(saved)  # PyTorch moves a capturable group's step back
        step = on_device.state[p]["step"]
        assert step.device.type == "cuda" and step.dtype is numtorch.float32


def _saved(obj):
    buf = io.BytesIO()
    numtorch.save(obj, buf)
    buf.seek(0)
    return buf


def test_save_writes_cuda_locations_and_map_location_moves_both_ways(gpu):
    t = numtorch.tensor([1.0, 2.0], device="cuda")
    buf = _saved({"w": t})
    seen = []
    torch.load(buf, map_location=lambda s, loc: seen.append(loc) or s, weights_only=True)
    assert seen == ["cuda:0"]
    buf.seek(0)
    back = numtorch.load(buf)
    assert back["w"].device == t.device
    buf.seek(0)
    on_cpu = numtorch.load(buf, map_location="cpu")["w"]
    assert on_cpu.device.type == "cpu"
    np.testing.assert_array_equal(on_cpu.numpy(), [1.0, 2.0])
    moved = numtorch.load(_saved(on_cpu), map_location="cuda")
    assert moved.device.type == "cuda"


@no_gpu_only
def test_cuda_checkpoint_without_a_gpu_points_to_map_location():
    _backend.register_backend("cuda", BACKEND)
    try:
        buf = _saved(numtorch.ones(2, device="cuda"))
    finally:
        _backend.register_backend("cuda", None)
    with pytest.raises(RuntimeError, match="map_location=torch.device\\('cpu'\\)"):
        numtorch.load(buf)


def _amp_warnings():
    with pytest.warns(FutureWarning) as rec:
        scaler = numtorch.cuda.amp.GradScaler()
        region = numtorch.cuda.amp.autocast()
    return [(w.category, str(w.message)) for w in rec], scaler.is_enabled(), region._enabled


def _deprecated(name):
    return (
        FutureWarning,
        f"`torch.cuda.amp.{name}(args...)` is deprecated. Please use "
        f"`torch.amp.{name}('cuda', args...)` instead.",
    )


@no_gpu_only
def test_cuda_amp_spellings_warn_and_disable_without_a_gpu():
    seen, scaler_on, autocast_on = _amp_warnings()
    assert seen == [
        _deprecated("GradScaler"),
        (
            UserWarning,
            "torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  Disabling.",
        ),
        _deprecated("autocast"),
        (UserWarning, "CUDA is not available or torch_xla is imported. Disabling autocast."),
    ]
    assert not scaler_on and not autocast_on


def test_cuda_amp_spellings_only_warn_on_a_gpu(gpu, monkeypatch):
    monkeypatch.setattr(numtorch.cuda, "is_available", lambda: True)
    seen, scaler_on, autocast_on = _amp_warnings()
    assert seen == [_deprecated("GradScaler"), _deprecated("autocast")]
    assert scaler_on and autocast_on
