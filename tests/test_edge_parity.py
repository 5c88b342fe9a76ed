"""Corner cases of the tensor API where numtorch must do what PyTorch does: the same value, or
the same exception type and text. Each case runs on both libraries."""

import numpy as np
import pytest
from helpers import torch

import numtorch


def outcome(m, make):
    """What ``make(m)`` gives on library ``m``: a plain value, or (exception type, text)."""
    try:
        got = make(m)
    except Exception as e:  # noqa: BLE001 - the exception is what is compared
        return type(e).__name__, str(e)
    if isinstance(got, m.Tensor):
        return ("Tensor", str(got.dtype).split(".")[-1], got.tolist())
    if isinstance(got, m.dtype):
        return str(got).split(".")[-1]
    return got


def _inference(m):
    with m.inference_mode():
        made = m.ones(2)
        made_inside = (made + 1, made[0], m.zeros(1))
        with m.inference_mode(False):
            normal = m.ones(1)
    with m.no_grad():
        no_grad = m.ones(1)
    return [t.is_inference() for t in (made, *made_inside, normal, no_grad, m.ones(1) + made)]


def _made_in_inference(m):
    with m.inference_mode():
        return m.ones(3)


def _views_in_inference(m):
    """Views made in inference mode take their base's kind: a normal base's are normal."""
    normal = m.ones(3)
    with m.inference_mode():
        inference = m.ones(3)
        made_inside = [normal[:2], normal.view(3, 1), normal.detach(), inference[:2]]
    made_outside = [inference[1:], inference.t(), inference.reshape(3, 1), inference.detach()]
    return [t.is_inference() for t in made_inside + made_outside]


def _inplace_inside(m):
    x = _made_in_inference(m)
    with m.inference_mode():
        x[:2].add_(1)
        x.unsqueeze_(0)
    return x


INF = _made_in_inference


def _view_made_in(m, mode, requires_grad=True):
    """A view, made in ``mode``, of a non-leaf that requires grad (or of a plain tensor)."""
    base = m.ones(3, requires_grad=requires_grad).clone()
    with m.inference_mode() if mode == "inference" else m.no_grad():
        return base.view(3)


def _write_view_of_leaf(m):
    leaf = m.ones(3, requires_grad=True)
    with m.no_grad():
        view = leaf.view(3)
    return view.mul_(2)


def _write_in_no_grad(m):
    view = _view_made_in(m, "inference")
    with m.no_grad():
        return view.mul_(2)


L = lambda m: m.ones(2, dtype=m.long)  # noqa: E731
B = lambda m: m.ones(2, dtype=m.bool)  # noqa: E731
CASES = {
    "is_inference": _inference,
    # inference tensors: their views are inference tensors, written only in inference mode
    "inference_views": _views_in_inference,
    "inference_add_": lambda m: INF(m).add_(1),
    "inference_view_add_": lambda m: INF(m)[:2].add_(1),
    "inference_view_of_view_mul_": lambda m: INF(m).view(3, 1)[0].mul_(2),
    "inference_fill_": lambda m: INF(m).fill_(2.0),
    "inference_zero_": lambda m: INF(m)[1:].zero_(),
    "inference_copy_": lambda m: INF(m).copy_(m.zeros(3)),
    "inference_unsqueeze_": lambda m: INF(m).unsqueeze_(0),
    "inference_view_t_": lambda m: INF(m)[:2].unsqueeze_(0).t_(),
    "inference_resize_": lambda m: INF(m).resize_(5),
    "inference_setitem": lambda m: INF(m).__setitem__(0, 5.0),
    "inference_requires_grad_": lambda m: INF(m).requires_grad_(),
    "inference_view_requires_grad_": lambda m: INF(m)[:1].requires_grad_(),
    "inference_inplace_inside": _inplace_inside,
    "inference_saved_for_backward": lambda m: m.ones(3, requires_grad=True) * INF(m),
    "inference_saved_by_exp_mul": lambda m: (INF(m) * m.ones(3, requires_grad=True)).exp(),
    "inference_not_saved_by_add": lambda m: (m.ones(3, requires_grad=True) + INF(m)).sum(),
    "inference_version": lambda m: INF(m)._version,
    "inference_view_of_normal_version": lambda m: _view_made_in(m, "inference")._version,
    "inference_view_written_outside": lambda m: _view_made_in(m, "inference").mul_(2),
    "inference_view_written_in_no_grad": _write_in_no_grad,
    "no_grad_view_written_outside": lambda m: _view_made_in(m, "no_grad").mul_(2),
    "no_grad_view_of_no_grad_base": lambda m: _view_made_in(m, "no_grad", False).mul_(2),
    "no_grad_view_of_leaf_written": _write_view_of_leaf,
    # to(): PyTorch's positional forms, non_blocking and copy after the dtype
    "to_device_dtype_non_blocking": lambda m: m.ones(2).to("cpu", m.float64, True).dtype,
    "to_device_dtype_nb_copy": lambda m: m.ones(2).to("cpu", m.float64, False, True).dtype,
    "to_dtype_non_blocking": lambda m: m.ones(2).to(m.float64, True).dtype,
    "to_same_dtype_copy": lambda m: (lambda x: x.to(m.float32, False, True) is x)(m.ones(2)),
    "to_same_dtype_no_copy": lambda m: (lambda x: x.to(m.float32, True, False) is x)(m.ones(2)),
    "to_tensor_non_blocking": lambda m: m.ones(2).to(m.zeros(1, dtype=m.float64), True).dtype,
    "to_none_device": lambda m: m.ones(2).to(None, m.float64).dtype,
    "to_device_none_dtype": lambda m: m.ones(2).to("cpu", None).dtype,
    # alpha: checked against the result's dtype
    "long_float_alpha": lambda m: L(m).add(L(m), alpha=2.5),
    "long_float_alpha_one": lambda m: L(m).add(L(m), alpha=1.0),
    "long_float_alpha_sub": lambda m: L(m).sub(L(m), alpha=2.5),
    "long_float_alpha_in_place": lambda m: L(m).add_(L(m), alpha=2.5),
    "long_float_alpha_rsub": lambda m: m.rsub(L(m), L(m), alpha=2.5),
    "long_tensor_alpha": lambda m: L(m).add(L(m), alpha=m.tensor(2.5)),
    "long_number_float_alpha": lambda m: L(m).add(3, alpha=2.5),
    "long_float_number_alpha": lambda m: L(m).add(2.5, alpha=2),
    "float_number_alpha": lambda m: m.ones(2).add(3, alpha=2),
    "long_with_float_alpha": lambda m: L(m).add(m.ones(2), alpha=2.5),
    "bool_alpha_on_float": lambda m: m.ones(2).add(m.ones(2), alpha=True),
    "bool_alpha_on_long": lambda m: L(m).add(L(m), alpha=True),
    "bool_alpha_on_bool": lambda m: B(m).add(B(m), alpha=True),
    "int_alpha_on_bool": lambda m: B(m).add(B(m), alpha=2),
    "complex_alpha_on_float": lambda m: m.ones(2).add(m.ones(2), alpha=1j),
    "complex_alpha_on_long": lambda m: L(m).add(1, alpha=1j),
    "complex_alpha_on_complex": lambda m: m.ones(2, dtype=m.complex64).add(1, alpha=1j),
}


def _expanded(m):
    """(3, 2) whose rows each share one element's memory: PyTorch's expand."""
    return m.full((3, 1), 0.5).expand(3, 2)


def _first_row(m):
    return m.tensor([True, False, False])


# in-place writes where elements share memory: PyTorch refuses most, fills and a few indexed
# writes go through (writing the elements they change)
EXPANDED = {
    name: (lambda m, name=name, args=args: getattr(_expanded(m), name)(*args(m)))
    for name, args in {
        "fill_": lambda m: (2.0,),
        "zero_": lambda m: (),
        "tril_": lambda m: (),
        "triu_": lambda m: (),
        "exp_": lambda m: (),
        "neg_": lambda m: (),
        "sigmoid_": lambda m: (),
        "abs_": lambda m: (),
        "clamp_": lambda m: (0, 0.1),
        "add_": lambda m: (1,),
        "mul_": lambda m: (2,),
        "lerp_": lambda m: (m.ones(3, 2), 0.5),
        "copy_": lambda m: (m.ones(3, 2),),
        "normal_": lambda m: (),
        "uniform_": lambda m: (),
        "bernoulli_": lambda m: (),
        "random_": lambda m: (),
        "exponential_": lambda m: (),
        "erf_": lambda m: (),
        "logical_not_": lambda m: (),
        "masked_fill_": lambda m: (_first_row(m)[:, None].expand(3, 2), 1.0),
        "index_fill_": lambda m: (0, m.tensor([0]), 1.0),
        "index_put_": lambda m: ((m.tensor([0]),), m.full((1, 2), 0.25)),
        "fill_diagonal_": lambda m: (1.0,),
    }.items()
}
EXPANDED["fill_with_tensor_"] = lambda m: _expanded(m).fill_(m.tensor(2.0))
EXPANDED["fill_diagonal_wrap_"] = lambda m: m.zeros(1, 2).expand(5, 2).fill_diagonal_(1.0, True)
EXPANDED["fill_diagonal_cube_"] = lambda m: m.zeros(1, 1, 1).expand(2, 2, 2).fill_diagonal_(2.0)
CASES.update({"expanded_" + name: make for name, make in EXPANDED.items()})


def _nd(shape=(2,), dtype="float64"):
    return np.ones(shape, dtype)


# a NumPy array beside a tensor: operators return a Tensor (NumPy computes, the tensor wraps
# the result), indexing takes it, and a tensor that requires grad refuses to become one
CASES.update(
    {
        "ndarray_add": lambda m: m.ones(2) + _nd(),
        "ndarray_mul_float32": lambda m: m.ones(2) * _nd(dtype="float32"),
        "ndarray_sub_int": lambda m: m.ones(2, dtype=m.long) - _nd(dtype="int64"),
        "ndarray_truediv_0d": lambda m: m.ones(2) / np.array(2.0),
        "ndarray_pow_2d": lambda m: m.ones(2) ** _nd((2, 2)),
        "ndarray_mod": lambda m: m.ones(2) % _nd(),
        "ndarray_and_bool": lambda m: m.ones(2, dtype=m.bool) & _nd(dtype=bool),
        "ndarray_eq": lambda m: m.ones(2) == _nd(),
        "ndarray_ne": lambda m: m.ones(2) != _nd(),
        "ndarray_lt": lambda m: m.ones(2) < _nd(),
        "ndarray_matmul": lambda m: m.ones(2, 2) @ _nd((2, 2)),
        "ndarray_requires_grad": lambda m: m.ones(2, requires_grad=True) * _nd(),
        "ndarray_index": lambda m: m.arange(6.0).reshape(2, 3)[np.array([1, 0])],
        "ndarray_index_bool": lambda m: m.arange(6.0).reshape(2, 3)[np.array([True, False])],
        "ndarray_index_0d": lambda m: m.arange(6.0).reshape(2, 3)[np.array(1)],
        "numpy_scalar_add": lambda m: m.ones(2) + np.float64(2.0),
        "ndarray_maximum": lambda m: m.maximum(m.ones(2), _nd()),
        "ndarray_copy_": lambda m: m.ones(2).copy_(_nd()),
        "ndarray_logical_and": lambda m: m.logical_and(m.ones(2), _nd()),
    }
)


def _subnormal_fma(m):
    """``c + a * b`` where the float64 sum lands on a midpoint of float32's subnormal grid
    (2**-149 apart) while the exact value lies below it: one rounding, as PyTorch's fused
    multiply-add, keeps ``c``; two would round up. Large and small ``c`` of both signs."""
    k = np.array([(1 << 22) + 1, (1 << 22) + 3, (1 << 21) + 5, 12345, 7, 1], np.float64)
    c = np.concatenate([k, -k]) * 2.0**-149
    a = np.full(12, 2.0**-75 * (1 + 2.0**-23))
    b = np.sign(c) * 2.0**-75 * (1 - 2.0**-23)
    return [m.tensor(v.astype(np.float32)) for v in (c, a, b)]


def _bits(t):
    return t.numpy().view(np.uint32).tolist()


CASES.update(
    {
        "fma_subnormal_addcmul": lambda m: _bits(m.addcmul(*_subnormal_fma(m))),
        "fma_subnormal_add_alpha": lambda m: (lambda c, a, b: _bits(c.add(b, alpha=float(a[0]))))(
            *_subnormal_fma(m)
        ),
        "fma_subnormal_lerp": lambda m: (lambda c, a, b: _bits(c.lerp(c + b, a)))(
            *_subnormal_fma(m)
        ),
    }
)


def _six(m):
    return m.arange(6.0)


# an in-place op reading memory it writes: PyTorch refuses where both are dense and overlap
# without the same layout, and does not look further where either is not dense (where it
# then reads values it has already written, numtorch reads the old ones: not compared)
CASES.update(
    {
        "overlap_shifted_add_": lambda m: (lambda x: x[1:].add_(x[:-1]))(_six(m)),
        "overlap_shifted_add_alpha": lambda m: (lambda x: x[1:].add_(x[:-1], alpha=2))(_six(m)),
        "overlap_shifted_mul_": lambda m: (lambda x: x[1:].mul_(x[:-1]))(_six(m)),
        "overlap_shifted_copy_": lambda m: (lambda x: x[1:].copy_(x[:-1]))(_six(m)),
        "overlap_shifted_lerp_": lambda m: (lambda x: x[1:].lerp_(x[:-1], 0.5))(_six(m)),
        "overlap_transposed_add_": lambda m: (lambda x: x.add_(x.t()))(m.ones(3, 3)),
        "overlap_transposed_copy_": lambda m: (lambda x: x.copy_(x.t()))(m.ones(3, 3)),
        "overlap_itself": lambda m: (lambda x: x.add_(x))(_six(m)),
        "overlap_same_view": lambda m: (lambda x: x.add_(x.view(2, 3).view(6)))(_six(m)),
        "overlap_disjoint_halves": lambda m: (lambda x: x[:3].add_(x[3:]))(_six(m)),
        "overlap_interleaved": lambda m: (lambda x: x[::2].add_(x[1::2]))(_six(m)),
    }
)


@pytest.mark.parametrize("case", list(CASES))
def test_matches_pytorch(case):
    assert outcome(numtorch, CASES[case]) == outcome(torch, CASES[case])


def test_inference_mode_counts_its_blocks():
    """A tensor made after an inference block (or an exception inside one) is not marked."""
    with pytest.raises(ValueError):
        with numtorch.inference_mode():
            raise ValueError
    assert not numtorch.ones(1).is_inference()

    @numtorch.inference_mode()
    def make():
        return numtorch.ones(1)

    assert make().is_inference() and not numtorch.ones(1).is_inference()


def test_indexed_writes_on_shared_memory_warn_as_pytorch():
    x = numtorch.full((3, 1), 0.5).expand(3, 2)
    with pytest.warns(UserWarning, match=r"^Use of masked_fill_ on expanded tensors .* = scalar$"):
        x.masked_fill_(numtorch.tensor([[True], [False], [False]]).expand(3, 2), 1.0)
    with pytest.warns(UserWarning, match=r"^Use of index_put_ on expanded .* = tensor$"):
        x.index_put_((numtorch.tensor([1]),), numtorch.full((1, 2), 0.25))
    assert x.tolist() == [[1.0, 1.0], [0.25, 0.25], [0.5, 0.5]]


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.ones(2).add(_nd()),
        lambda m: m.add(m.ones(2), _nd()),
        lambda m: m.ones(2).sub(_nd()),
        lambda m: m.ones(2).div(_nd()),
        lambda m: m.ones(2).pow(_nd()),
        lambda m: m.ones(2).mul_(_nd()),
        lambda m: m.where(m.ones(2) > 0, m.ones(2), _nd()),
    ],
)
def test_named_functions_refuse_arrays(call):
    """PyTorch's functions and methods take no NumPy array where a Tensor goes (a TypeError;
    numtorch's text differs)."""
    with pytest.raises(TypeError):
        call(numtorch)


def test_numpy_ufunc_of_a_tensor_is_a_tensor():
    """``numpy.exp(t)``: NumPy computes, the tensor wraps the result, as PyTorch's does."""
    out = np.exp(numtorch.zeros(2, dtype=numtorch.float64))
    assert type(out) is numtorch.Tensor and out.dtype is numtorch.float64
    assert out.tolist() == [1.0, 1.0]
