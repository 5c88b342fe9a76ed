"""L-BFGS: a quasi-Newton method from a short history of steps and gradient changes."""

from __future__ import annotations

from .._backend import array_module
from .._tensor import Tensor, wrap
from ..autograd.grad_mode import enable_grad, no_grad
from ._common import check_lr, options
from ._line_search import strong_wolfe
from .optimizer import Optimizer, _to_scalar

__all__ = ["LBFGS"]


class LBFGS(Optimizer):
    """Limited-memory BFGS over all parameters as one flat vector; ``step(closure)`` runs up to
    ``max_iter`` iterations, calling ``closure`` (which recomputes the loss and its gradients)
    as often as it needs.

    Args:
        params: parameters (one group only).
        lr: step length (scales the line search's first try).
        max_iter: iterations per ``step``.
        max_eval: closure evaluations per ``step`` (default ``max_iter * 5 // 4``).
        tolerance_grad: stop once the largest gradient entry is this small.
        tolerance_change: stop once the loss or the step changes less than this.
        history_size: how many updates the inverse-Hessian estimate remembers.
        line_search_fn: None (fixed step ``lr``) or ``"strong_wolfe"``.
    """

    # PyTorch's options, in the order its defaults (and so param groups) list them
    _options = "lr max_iter max_eval tolerance_grad tolerance_change history_size line_search_fn"

    def __init__(
        self,
        params,
        lr=1,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        history_size: int = 100,
        line_search_fn: str | None = None,
    ) -> None:
        check_lr(lr)
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        super().__init__(params, options(locals(), self._options))
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    # --- the parameters as one flat vector ------------------------------------------------
    def _gather_flat_grad(self):
        xp = array_module(self._params[0]._data)
        parts = [
            xp.zeros(p._data.size, p._data.dtype) if p._grad is None else p._grad._data.ravel()
            for p in self._params
        ]
        return xp.concatenate(parts)

    def _add_grad(self, step_size, update) -> None:
        offset = 0
        for p in self._params:
            n = p._data.size
            p._data += step_size * update[offset : offset + n].reshape(p._data.shape)
            p._vc[0] += 1
            offset += n

    def _set_param(self, values) -> None:
        for p, v in zip(self._params, values):
            p._data[...] = v
            p._vc[0] += 1

    def _directional_evaluate(self, closure, x, t, d):
        self._add_grad(t, d)
        loss = float(closure())
        flat_grad = self._gather_flat_grad()
        self._set_param(x)
        return loss, flat_grad

    def step(self, closure):
        """Run up to ``max_iter`` iterations; returns the loss ``closure`` gave first.

        If ``closure`` raises, parameters and state are restored to what they were.
        """
        snapshot = [p._data.copy() for p in self._params]
        key = self._params[0]
        saved = dict(self.state.get(key, {}))
        try:
            with no_grad():
                return self._iterate(enable_grad()(closure), self.state[key])
        except BaseException:
            self._set_param(snapshot)
            self.state[key] = saved
            raise

    def _iterate(self, closure, state):
        group = self.param_groups[0]
        lr = _to_scalar(group["lr"])
        tol_grad, tol_change = group["tolerance_grad"], group["tolerance_change"]
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        history_size = group["history_size"]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        orig_loss = closure()
        loss = orig_loss.item()
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._gather_flat_grad()
        if abs(flat_grad).max() <= tol_grad:
            return orig_loss
        d, t, h_diag, prev_flat_grad, prev_loss = (
            _unpack(state.get(k)) for k in ("d", "t", "H_diag", "prev_flat_grad", "prev_loss")
        )
        old_dirs, old_stps, ro = (_unpack(state.get(k)) for k in ("old_dirs", "old_stps", "ro"))
        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d = -flat_grad
                old_dirs, old_stps, ro, h_diag = [], [], [], 1
            else:
                pair = (flat_grad - prev_flat_grad, d * t)
                h_diag = _remember(pair, old_dirs, old_stps, ro, history_size, h_diag)
                d = self._two_loop(state, flat_grad, old_dirs, old_stps, ro, h_diag)
            prev_flat_grad = flat_grad.copy()
            prev_loss = loss
            t = min(1.0, 1.0 / abs(flat_grad).sum()) * lr if state["n_iter"] == 1 else lr
            gtd = flat_grad.dot(d)
            if gtd > -tol_change:
                break
            loss, flat_grad, t, evals = self._step(
                closure, group, (loss, flat_grad, t, d, gtd), max_eval - current_evals, n_iter
            )
            opt_cond = evals > 0 and abs(flat_grad).max() <= tol_grad
            current_evals += evals
            state["func_evals"] += evals
            if (
                n_iter == max_iter
                or current_evals >= max_eval
                or opt_cond
                or abs(d * t).max() <= tol_change
                or abs(loss - prev_loss) < tol_change
            ):
                break
        # stored as tensors, as PyTorch's state holds them (so state_dict() can be saved)
        state.update(
            d=_pack(d),
            t=_pack(t),
            old_dirs=_pack(old_dirs),
            old_stps=_pack(old_stps),
            ro=_pack(ro),
            H_diag=_pack(h_diag),
            prev_flat_grad=_pack(prev_flat_grad),
            prev_loss=prev_loss,
        )
        if "al" in state:
            state["al"] = _pack(state["al"])
        return orig_loss

    def _step(self, closure, group, point, budget, n_iter):
        """Move the parameters along ``d`` by a strong-Wolfe line search or by the fixed step
        ``t``: the new ``(loss, flat_grad, t, evaluations)``. A fixed step skips evaluating the
        last iteration's end point, as PyTorch does."""
        loss, flat_grad, t, d, gtd = point
        if group["line_search_fn"] is not None:
            if group["line_search_fn"] != "strong_wolfe":
                raise RuntimeError("only 'strong_wolfe' is supported")
            x_init = [p._data.copy() for p in self._params]

            def obj_func(x, step, direction):
                return self._directional_evaluate(closure, x, step, direction)

            loss, flat_grad, t, evals = strong_wolfe(
                obj_func, x_init, t, d, loss, flat_grad, gtd, max_ls=budget
            )
            self._add_grad(t, d)
            return loss, flat_grad, t, evals
        self._add_grad(t, d)
        if n_iter == group["max_iter"]:
            return loss, flat_grad, t, 0
        return float(closure()), self._gather_flat_grad(), t, 1

    def _two_loop(self, state, flat_grad, old_dirs, old_stps, ro, h_diag):
        """The L-BFGS two-loop recursion: ``-H @ flat_grad`` from the stored pairs."""
        if "al" not in state:
            state["al"] = [None] * self.param_groups[0]["history_size"]
        al = state["al"]
        q = -flat_grad
        for i in range(len(old_dirs) - 1, -1, -1):
            al[i] = old_stps[i].dot(q) * ro[i]  # kept in state["al"] as PyTorch does
            q += -al[i] * old_dirs[i]
        r = q * h_diag
        for i in range(len(old_dirs)):
            be_i = old_dirs[i].dot(r) * ro[i]
            r += (al[i] - be_i) * old_stps[i]
        return r


def _pack(value):
    """Arrays and array scalars as tensors (lists element-wise); Python numbers as they are."""
    if isinstance(value, list):
        return [_pack(v) for v in value]
    if hasattr(value, "dtype"):
        return wrap(array_module(value).asarray(value))
    return value


def _unpack(value):
    if isinstance(value, list):
        return [_unpack(v) for v in value]
    if isinstance(value, Tensor):
        return value._data if value._data.ndim else value._data[()]
    return value


def _remember(pair, old_dirs, old_stps, ro, history_size, h_diag):
    """Add the curvature pair ``(y, s)`` to the history (dropping the oldest when full) where
    its curvature is positive; the new diagonal scaling of the inverse Hessian."""
    y, s = pair
    ys = y.dot(s)
    if ys <= 1e-10:
        return h_diag
    if len(old_dirs) == history_size:
        old_dirs.pop(0)
        old_stps.pop(0)
        ro.pop(0)
    old_dirs.append(y)
    old_stps.append(s)
    ro.append(1.0 / ys)
    return ys / y.dot(y)
