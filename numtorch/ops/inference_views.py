"""Inference tensors and autograd's writes: views made in inference (or no_grad) mode, and
PyTorch's refusals to write into an inference tensor outside inference mode or to record a
write through such a view."""

from __future__ import annotations

from .._tensor import Tensor
from ..autograd import grad_mode

_STATE = grad_mode.STATE


# TensorMeta.inference_view: how a view of a normal tensor relates to inference mode, or to
# no_grad mode (a view of a tensor that requires grad, made there)
MADE_IN_INFERENCE, OF_INFERENCE_VIEW, MADE_IN_NO_GRAD = 1, 2, 3


def mark_inference_view(base: Tensor, out: Tensor) -> None:
    """Remember that ``out``, a view of a normal tensor, was made in inference mode (or is a
    view of one that was), so that autograd refuses to record a write through it."""
    if not out.is_inference():
        out._meta_of().inference_view = MADE_IN_INFERENCE if _STATE.inference else OF_INFERENCE_VIEW


def inherit_inference(base: Tensor, out: Tensor) -> None:
    """A view (or ``detach()``) of an inference tensor is one, wherever it is made; of a normal
    tensor, a normal tensor, even made in inference mode (PyTorch's rule)."""
    if base.is_inference() != out.is_inference():
        out._meta_of().inference = base.is_inference()


_INFERENCE_INPLACE = (
    "Inplace update to inference tensor outside InferenceMode is not allowed.You can make a "
    "clone to get a normal tensor before doing inplace update.See "
    "https://github.com/pytorch/rfcs/pull/17 for more details."
)


def check_not_inference(t: Tensor) -> None:
    """PyTorch's refusal to write into an inference tensor outside inference mode."""
    meta = t._meta
    if meta is not None and meta.inference and not _STATE.inference:
        raise RuntimeError(_INFERENCE_INPLACE)


_INFERENCE_VIEW_WRITE = (
    "{} created in inference mode and is being modified inplace in normal mode. Given that this "
    "use case is ambiguous and error-prone, it is forbidden. You can clarify your code by moving "
    "both the view and the inplace either both inside the inference_mode block (if you don't "
    "want the inplace to be tracked) or both outside (if you want the inplace to be tracked)."
)


def check_inference_view(t: Tensor) -> None:
    """PyTorch's refusal to record a write through a view made in inference or no_grad mode."""
    kind = t._meta.inference_view if t._meta is not None else 0
    if kind == MADE_IN_INFERENCE:
        raise RuntimeError(_INFERENCE_VIEW_WRITE.format("A view was"))
    if kind == MADE_IN_NO_GRAD:
        raise RuntimeError(
            "A view was created in no_grad mode and is being modified inplace with grad mode "
            "enabled. Given that this use case is ambiguous and error-prone, it is forbidden. You "
            "can clarify your code by moving both the view and the inplace either both inside the "
            "no_grad block (if you don't want the inplace to be tracked) or both outside (if you "
            "want the inplace to be tracked)."
        )
    if kind == OF_INFERENCE_VIEW:
        op = t._view[-1][0].__name__.removesuffix("Backward0")
        raise RuntimeError(
            _INFERENCE_VIEW_WRITE.format(f"Output 0 of {op} is a view of a view which was")
        )
