"""torch.compile: recorded once, replayed after, bit-identical to eager numtorch.

Every case runs the same steps eagerly and compiled from the same seed and compares losses,
parameters, gradients and optimizer state exactly (array_equal, not allclose)."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import torch

import numtorch
import numtorch.nn as nn
from numtorch._dynamo.exc import InvalidBackend, Unsupported


def _replays(fn) -> bool:
    """Whether some recording of ``fn`` replays (rather than running eagerly)."""
    fn = getattr(fn, "_compiled_call", fn)
    return any(e.program is not None for es in fn._cache.values() for e in es)


def _batches(n, shape_x, shape_y, dtype, classes=None, seed=0):
    rng = np.random.default_rng(seed)
    for _ in range(n):
        x = numtorch.from_numpy(rng.standard_normal(shape_x).astype(dtype))
        if classes:
            y = numtorch.from_numpy(rng.integers(0, classes, shape_y))
        else:
            y = numtorch.from_numpy(rng.random(shape_y).astype(dtype))
        yield x, y


MODELS = {
    "sigmoid_mlp": (
        lambda: nn.Sequential(nn.Linear(6, 5, bias=False), nn.Sigmoid(), nn.Linear(5, 3)),
        nn.MSELoss,
        (4, 6),
        (4, 3),
        None,
    ),
    "relu_tanh_ce": (
        lambda: nn.Sequential(
            nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 4)
        ),
        nn.CrossEntropyLoss,
        (5, 6),
        (5,),
        4,
    ),
    "conv_pool": (
        lambda: nn.Sequential(
            nn.Conv2d(2, 3, 3, padding=1),
            nn.GELU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(3 * 3 * 3, 4),
        ),
        nn.CrossEntropyLoss,
        (2, 2, 6, 6),
        (2,),
        4,
    ),
    "layernorm_silu": (
        lambda: nn.Sequential(nn.Linear(6, 8), nn.LayerNorm(8), nn.SiLU(), nn.Linear(8, 3)),
        nn.SmoothL1Loss,
        (4, 6),
        (4, 3),
        None,
    ),
    "batchnorm_dropout": (
        lambda: nn.Sequential(nn.Linear(6, 8), nn.BatchNorm1d(8), nn.Dropout(0.3), nn.Linear(8, 3)),
        nn.MSELoss,
        (4, 6),
        (4, 3),
        None,
    ),
    "embedding_softmax": (
        lambda: nn.Sequential(nn.Embedding(10, 6), nn.Linear(6, 4), nn.LogSoftmax(-1)),
        nn.L1Loss,
        None,
        (3, 4),
        None,
    ),
}

OPTIMIZERS = {
    "sgd": lambda p: numtorch.optim.SGD(p, lr=0.1),
    "sgd_nesterov": lambda p: numtorch.optim.SGD(
        p, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01
    ),
    "adam": lambda p: numtorch.optim.Adam(p, lr=0.01),
    "adamw_amsgrad": lambda p: numtorch.optim.AdamW(p, lr=0.01, amsgrad=True),
    "rmsprop": lambda p: numtorch.optim.RMSprop(p, lr=0.01, momentum=0.5),
    "adagrad": lambda p: numtorch.optim.Adagrad(p, lr=0.05),
}


def _train(name, opt_name, dtype, compiled, steps=4):
    make, loss_cls, shape_x, shape_y, classes = MODELS[name]
    numtorch.manual_seed(0)
    model = make().to(numtorch.float64 if dtype == "float64" else numtorch.float32)
    opt = OPTIMIZERS[opt_name](model.parameters())
    loss_fn = loss_cls()

    def step(x, y):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    fn = numtorch.compile(step) if compiled else step
    numtorch.manual_seed(1)
    losses = []
    if shape_x is None:  # embedding: integer inputs
        rng = np.random.default_rng(0)
        data = [
            (numtorch.from_numpy(rng.integers(0, 10, (3,))), y)
            for _, y in _batches(steps, (1,), shape_y, dtype)
        ]
    else:
        data = list(_batches(steps, shape_x, shape_y, dtype, classes))
    for x, y in data:
        losses.append(fn(x, y).detach().numpy().copy())
    state = [
        v._data.copy() if isinstance(v, numtorch.Tensor) else v
        for s in opt.state.values()
        for v in s.values()
    ]
    params = [
        (p._data.copy(), None if p.grad is None else p.grad._data.copy())
        for p in model.parameters()
    ]
    buffers = [b._data.copy() for b in model.buffers()]
    return losses, params, state, buffers, fn


def _same(a, b):
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if a is None or b is None:
        return a is b
    return np.array_equal(np.asarray(a), np.asarray(b))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(MODELS))
def test_training_step_bit_identical_across_layers(name, dtype):
    eager = _train(name, "sgd_nesterov", dtype, compiled=False)
    compiled = _train(name, "sgd_nesterov", dtype, compiled=True)
    for a, b in zip(eager[:4], compiled[:4]):
        assert _same(a, b)
    assert _replays(compiled[4])


@pytest.mark.parametrize("opt_name", list(OPTIMIZERS))
def test_training_step_bit_identical_across_optimizers(opt_name):
    eager = _train("relu_tanh_ce", opt_name, "float32", compiled=False, steps=5)
    compiled = _train("relu_tanh_ce", opt_name, "float32", compiled=True, steps=5)
    for a, b in zip(eager[:4], compiled[:4]):
        assert _same(a, b)
    assert _replays(compiled[4])


def _seed_net():
    numtorch.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 3), nn.Sigmoid(), nn.Linear(3, 2))


def _step_fn(model, opt=None, lr=0.1):
    opt = opt or numtorch.optim.SGD(model.parameters(), lr=lr)

    def step(x, y):
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
        return loss

    return step


def test_guards_new_shape_records_again_and_matches_eager():
    eager_model, comp_model = _seed_net(), _seed_net()
    eager, comp = _step_fn(eager_model), numtorch.compile(_step_fn(comp_model))
    for n in (2, 5, 2, 5, 3):
        x, y = numtorch.ones(n, 4) * n / 7, numtorch.zeros(n, 2)
        assert eager(x, y).item() == comp(x, y).item()
    assert len(comp._cache) == 3
    for p, q in zip(eager_model.parameters(), comp_model.parameters()):
        assert np.array_equal(p._data, q._data) and np.array_equal(p.grad._data, q.grad._data)


def test_guards_eval_mode_and_requires_grad_change():
    def make():
        numtorch.manual_seed(0)
        return nn.Sequential(nn.Linear(4, 6), nn.Dropout(0.5), nn.Linear(6, 2))

    eager_model, comp_model = make(), make()
    eager, comp = _step_fn(eager_model), numtorch.compile(_step_fn(comp_model))
    x, y = numtorch.linspace(-1, 1, 12).reshape(3, 4), numtorch.zeros(3, 2)
    for model in (eager_model, comp_model):
        model.eval()
    for _ in range(2):
        assert eager(x, y).item() == comp(x, y).item()
    assert _replays(comp)
    for model in (eager_model, comp_model):
        model[0].weight.requires_grad_(False)
    for _ in range(2):
        assert eager(x, y).item() == comp(x, y).item()
    assert comp_model[0].weight.grad is None
    for model in (eager_model, comp_model):
        model.train()  # a guard set of its own, whose replay draws dropout's masks
    numtorch.manual_seed(3)
    a = [eager(x, y).item() for _ in range(3)]
    numtorch.manual_seed(3)
    b = [comp(x, y).item() for _ in range(3)]
    assert a == b
    entries = [e for es in comp._cache.values() for e in es]
    assert len(entries) == 3 and all(e.program for e in entries)
    for p, q in zip(eager_model.parameters(), comp_model.parameters()):
        assert np.array_equal(p._data, q._data)


def test_returned_loss_keeps_requires_grad_and_its_graph_is_spent():
    comp = numtorch.compile(_step_fn(_seed_net()))
    x, y = numtorch.ones(2, 4), numtorch.zeros(2, 2)
    comp(x, y)
    loss = comp(x, y)
    assert loss.requires_grad and loss.grad_fn is not None
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        loss.backward()


def test_gradients_accumulate_across_calls_without_zero_grad():
    def make():
        model = _seed_net()

        def f(x):
            model(x).sum().backward()

        return model, f

    (m1, f1), (m2, f2) = make(), make()
    f2 = numtorch.compile(f2)
    for i in range(4):
        x = numtorch.full((3, 4), 0.1 * i)
        f1(x)
        f2(x)
    assert _replays(f2)
    for p, q in zip(m1.parameters(), m2.parameters()):
        assert np.array_equal(p.grad._data, q.grad._data)


def test_inference_no_grad_module_replays():
    model = _seed_net()
    comp = numtorch.compile(model)
    x = numtorch.linspace(0, 1, 8).reshape(2, 4)
    with numtorch.no_grad():
        expected = model(x)
        for _ in range(3):
            out = comp(x)
            assert np.array_equal(out._data, expected._data) and not out.requires_grad
    assert _replays(comp)


def test_compiled_module_backward_after_the_call_matches_eager():
    eager_model, comp_model = _seed_net(), _seed_net()
    comp = numtorch.compile(comp_model)
    for i in range(4):
        x = numtorch.full((2, 4), 0.3 * i - 0.4)
        eager_model(x).pow(2).sum().backward()
        out = comp(x)
        if i:  # the first call is the recording: eager, its own graph
            assert type(out.grad_fn).__name__ == "CompiledFunctionBackward"
        out.pow(2).sum().backward()
    assert _replays(comp)
    for p, q in zip(eager_model.parameters(), comp_model.parameters()):
        assert np.array_equal(p.grad._data, q.grad._data)


def test_compiled_module_two_calls_before_one_backward_and_spent_graph():
    eager_model, comp_model = _seed_net(), _seed_net()
    comp = numtorch.compile(comp_model)
    x1, x2 = numtorch.ones(2, 4), numtorch.full((2, 4), -0.5)
    comp(x1)  # the recording call
    (eager_model(x1) * 2 + eager_model(x2)).sum().backward()
    out = comp(x1) * 2 + comp(x2)
    out.sum().backward(retain_graph=True)
    for p, q in zip(eager_model.parameters(), comp_model.parameters()):
        assert np.array_equal(p.grad._data, q.grad._data)
    out.sum().backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        out.sum().backward()
    with pytest.raises(RuntimeError, match="create_graph=True"):
        numtorch.autograd.grad(comp(x1).sum(), comp_model[0].weight, create_graph=True)


def _branchy(x):
    if x.sum() > 0:  # a Python branch on a value
        return x * 2
    return x - 1


def _item(x):
    return x * x.sum().item()


def _from_python(x):
    return x + numtorch.tensor([1.0, 2.0])


@pytest.mark.parametrize("fn", [_branchy, _item, _from_python])
def test_graph_breaks_fall_back_to_eager_and_fullgraph_raises(fn):
    comp = numtorch.compile(fn)
    for v in (1.0, -1.0, 2.0, -3.0):
        x = numtorch.full((2,), v)
        assert np.array_equal(comp(x)._data, fn(x)._data)
    assert not _replays(comp)
    with pytest.raises(Unsupported):
        numtorch.compile(fn, fullgraph=True)(numtorch.ones(2))


def test_disable_breaks_the_recording():
    calls = []

    @numtorch.compiler.disable
    def side(x):
        calls.append(1)
        return x + 1

    comp = numtorch.compile(lambda x: side(x) * 2)
    for _ in range(3):
        assert comp(numtorch.ones(1)).item() == 4.0
    assert len(calls) == 3 and not _replays(comp)
    with pytest.raises(Unsupported):
        numtorch.compile(lambda x: side(x) * 2, fullgraph=True)(numtorch.ones(1))


def _manual_sgd(model):
    def step(x):
        loss = model(x).sum()
        loss.backward()
        with numtorch.no_grad():
            for p in model.parameters():
                p -= 0.1 * p.grad
                p.grad = None
        return loss

    return step


def test_in_place_change_outside_primitives_breaks():
    eager_model, model = _seed_net(), _seed_net()
    eager, comp = _manual_sgd(eager_model), numtorch.compile(_manual_sgd(model))
    for _ in range(3):
        x = numtorch.ones(2, 4)
        assert eager(x).item() == comp(x).item()
    for p, q in zip(eager_model.parameters(), model.parameters()):
        assert np.array_equal(p._data, q._data)


def test_is_compiling_inside_the_recording_only():
    seen = []

    def f(x):
        seen.append(numtorch.compiler.is_compiling())
        return x + 1

    comp = numtorch.compile(f)
    comp(numtorch.ones(1))
    comp(numtorch.ones(1))
    assert seen == [True] and not numtorch.compiler.is_compiling()
    assert numtorch._dynamo.is_compiling is numtorch.compiler.is_compiling
    numtorch.compiler.reset()
    comp(numtorch.ones(1))
    assert seen == [True, True]


def test_lr_scheduler_step_inside_the_region():
    def run(compiled):
        model = _seed_net()
        opt = numtorch.optim.SGD(model.parameters(), lr=0.5)
        sched = numtorch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)

        def step(x):
            opt.zero_grad()
            model(x).sum().backward()
            opt.step()
            sched.step()

        fn = numtorch.compile(step) if compiled else step
        for _ in range(4):
            fn(numtorch.ones(1, 4))
        return [p._data.copy() for p in model.parameters()], opt.param_groups[0]["lr"]

    (a, lr_a), (b, lr_b) = run(False), run(True)
    assert lr_a == lr_b == 0.5**5
    assert all(np.array_equal(p, q) for p, q in zip(a, b))


def test_recompile_limit_then_eager():
    comp = numtorch.compile(lambda x: x + 1)
    with pytest.warns(UserWarning, match="recompile_limit"):
        for n in range(1, 12):
            assert comp(numtorch.zeros(n)).shape == (n,)
    assert len(comp._cache) == 8


def test_optimized_module_is_a_module_around_the_original():
    model = _seed_net()
    comp = numtorch.compile(model)
    assert type(comp).__name__ == "OptimizedModule"
    assert isinstance(comp, numtorch._dynamo.OptimizedModule)
    assert comp._orig_mod is model and comp._orig_mod[0] is model[0]
    assert list(comp.state_dict()) == ["_orig_mod." + k for k in model.state_dict()]
    assert len(list(comp.parameters())) == 4


def test_argument_errors_as_pytorch():
    for kwargs in ({"mode": "fast"}, {"mode": "default", "options": {}}):
        with pytest.raises(RuntimeError) as ours:
            numtorch.compile(lambda x: x, **kwargs)
        with pytest.raises(RuntimeError) as theirs:
            torch.compile(lambda x: x, **kwargs)
        assert str(ours.value) == str(theirs.value)
    with pytest.raises(InvalidBackend, match="Invalid backend: 'nope'"):
        numtorch.compile(lambda x: x, backend="nope")
    assert numtorch._dynamo.list_backends() == torch._dynamo.list_backends()
    for fn in (numtorch.compile(lambda x: x), numtorch.compile(mode="reduce-overhead")):
        assert callable(fn)


def test_factories_inside_the_region_are_constants_of_the_recording():
    numtorch.manual_seed(0)
    pos = nn.Embedding(6, 3)

    def f(idx):
        return pos(numtorch.arange(idx.shape[0])) + numtorch.ones(3) * idx.unsqueeze(1)

    comp = numtorch.compile(f)
    for n in (4, 4, 5, 4):
        idx = numtorch.linspace(0, 1, n)
        with numtorch.no_grad():
            assert np.array_equal(comp(idx)._data, f(idx)._data)
    assert _replays(comp)


class _Scaled(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = 2.0

    def forward(self, x):
        return x * self.scale


def test_a_changed_python_number_the_region_reads_records_again():
    model = _Scaled()
    comp = numtorch.compile(model)
    x = numtorch.ones(2)
    assert comp(x).tolist() == comp(x).tolist() == [2.0, 2.0]
    model.scale = 3.0
    assert comp(x).tolist() == comp(x).tolist() == [3.0, 3.0]
    assert _replays(comp)


class _CausalBlock(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok, self.pos = nn.Embedding(11, 8), nn.Embedding(5, 8)
        self.ln, self.qkv, self.head = nn.LayerNorm(8), nn.Linear(8, 24), nn.Linear(8, 11)

    def forward(self, idx):
        x = self.tok(idx) + self.pos(numtorch.arange(idx.shape[1]))
        q, k, v = self.qkv(self.ln(x)).view(2, 5, 3, 2, 4).permute(2, 0, 3, 1, 4)
        y = nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)
        y = y * (y > 0) + y.masked_fill(y.logical_not(), 1.0)  # comparisons, logical ops
        return self.head(x + y.transpose(1, 2).reshape(2, 5, 8))


def test_attention_with_causal_mask_and_comparisons_replays_bit_identically():
    def run(compiled):
        numtorch.manual_seed(0)
        model = _CausalBlock()
        opt = numtorch.optim.AdamW(model.parameters(), lr=0.01)

        def step(idx, target):
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(idx).view(-1, 11), target.view(-1))
            loss.backward()
            opt.step()
            return loss

        fn = numtorch.compile(step) if compiled else step
        rng = np.random.default_rng(0)
        losses = [
            fn(*(numtorch.from_numpy(rng.integers(0, 11, (2, 5))) for _ in range(2))).item()
            for _ in range(4)
        ]
        return losses, [p._data.copy() for p in model.parameters()], fn

    (a, pa, _), (b, pb, fn) = run(False), run(True)
    assert a == b and all(np.array_equal(p, q) for p, q in zip(pa, pb))
    assert _replays(fn)
