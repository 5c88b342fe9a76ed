"""``torch.func``: grad, grad_and_value, vjp, jacrev, jacfwd, hessian, functional_call, vmap.

These are built on numtorch's reverse-mode autograd rather than on function transforms:

* ``grad`` / ``vjp`` / ``jacrev`` differentiate one call with ``autograd.grad`` (building a
  graph for the gradient only when an outer transform needs it, so they nest: ``hessian`` is
  ``jacrev(jacrev(f))``).
* ``jacfwd`` computes the same Jacobian by reverse mode (one backward pass per output element).
* ``vmap`` is a Python loop over the mapped dim whose results are stacked: it gives the same
  values as PyTorch's batching, at the cost of one call per batch entry; ``randomness`` and
  ``chunk_size`` are accepted and do not change that.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

from ._lazy import nt as _nt
from ._tensor import Tensor

__all__ = [
    "grad",
    "grad_and_value",
    "vjp",
    "jacrev",
    "jacfwd",
    "hessian",
    "functional_call",
    "vmap",
]


# ---- minimal pytrees: tuples, lists, dicts (and namedtuples) of tensors / other leaves


def _flatten(tree) -> tuple[list, Callable]:
    if isinstance(tree, dict):
        keys = list(tree)
        parts = [_flatten(tree[k]) for k in keys]
        return (
            [x for p in parts for x in p[0]],
            _joiner(
                parts,
                lambda vals: (
                    type(tree)(zip(keys, vals)) if type(tree) is not dict else dict(zip(keys, vals))
                ),
            ),
        )
    if isinstance(tree, (tuple, list)):
        parts = [_flatten(v) for v in tree]
        if hasattr(tree, "_fields"):
            return [x for p in parts for x in p[0]], _joiner(parts, lambda v: type(tree)(*v))
        return [x for p in parts for x in p[0]], _joiner(parts, type(tree))
    return [tree], lambda leaves: leaves[0]


def _joiner(parts, build):
    sizes = [len(p[0]) for p in parts]

    def unflatten(leaves):
        out, i = [], 0
        for (_, un), n in zip(parts, sizes):
            out.append(un(leaves[i : i + n]))
            i += n
        return build(out)

    return unflatten


def _map(fn, tree):
    leaves, unflatten = _flatten(tree)
    return unflatten([fn(x) for x in leaves])


# ---- reverse-mode transforms


def _prepare(x):
    """A differentiable stand-in for ``x``: a fresh leaf, or (when an outer transform is
    differentiating ``x``) an alias still connected to the outer graph."""
    if not isinstance(x, Tensor) or not (x.is_floating_point() or x.is_complex()):
        return x
    if x.requires_grad:
        return x.view_as(x)
    return x.detach().requires_grad_(True)


def _argnums_tuple(argnums):
    return (argnums,) if isinstance(argnums, int) else tuple(argnums)


def _vjp_core(func, args, argnums, has_aux):
    nt = _nt()
    nums = _argnums_tuple(argnums)
    for n in nums:
        if n >= len(args):
            raise RuntimeError(f"Got argnums={argnums} but only {len(args)} positional inputs")
    args = list(args)
    nested = any(
        isinstance(x, Tensor) and x.requires_grad for n in nums for x in _flatten(args[n])[0]
    )
    for n in nums:
        args[n] = _map(_prepare, args[n])
    with nt.enable_grad():
        out = func(*args)
    aux = None
    if has_aux:
        if not (isinstance(out, tuple) and len(out) == 2):
            raise RuntimeError(
                "grad_and_value(f)(*args): output of function f should be a "
                "tuple: (output, aux) if has_aux is True"
            )
        out, aux = out
    inputs = [args[n] for n in nums]
    return out, aux, inputs, nested


def _grads(outs, grad_outs, inputs, create_graph):
    nt = _nt()
    flat_in, unflatten = _flatten(inputs)
    diff = [x for x in flat_in if isinstance(x, Tensor) and x.requires_grad]
    flat_out = [o for o in outs if o.requires_grad]
    flat_g = [g for o, g in zip(outs, grad_outs) if o.requires_grad]
    got = (
        nt.autograd.grad(
            flat_out, diff, flat_g, retain_graph=True, create_graph=create_graph, allow_unused=True
        )
        if flat_out and diff
        else [None] * len(diff)
    )
    it = iter(got)
    res = []
    for x in flat_in:
        if isinstance(x, Tensor) and x.requires_grad:
            g = next(it)
            g = nt.zeros_like(x) if g is None else g
            res.append(g if create_graph else g.detach())
        else:
            res.append(None)
    return unflatten(res)


def grad_and_value(func: Callable, argnums: int | tuple = 0, has_aux: bool = False) -> Callable:
    """``f -> (args -> (df/dargs, f(args)))`` for a scalar-valued ``f``; with ``has_aux``,
    ``f`` returns ``(value, aux)`` and the result is ``(grads, (value, aux))``."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        out, aux, inputs, nested = _vjp_core(
            functools.partial(func, **kwargs), args, argnums, has_aux
        )
        if not isinstance(out, Tensor) or out.numel() != 1:
            raise RuntimeError(
                "grad_and_value(f)(*args): Expected f(*args) to return a scalar "
                f"Tensor, got tensor with {out.dim()} dims. Maybe you wanted "
                "to use the vjp or jacrev APIs instead?"
                if isinstance(out, Tensor)
                else "grad_and_value(f)(*args): Expected f(*args) to return a Tensor"
            )
        grads = _grads([out], [_nt().ones_like(out)], inputs, nested)
        grads = grads[0] if isinstance(argnums, int) else tuple(grads)
        value = out if nested else out.detach()
        if not nested:
            aux = _map(lambda a: a.detach() if isinstance(a, Tensor) else a, aux)
        return grads, ((value, aux) if has_aux else value)

    return wrapper


def grad(func: Callable, argnums: int | tuple = 0, has_aux: bool = False) -> Callable:
    """``f -> (args -> df/dargs)`` for a scalar-valued ``f`` (``(grads, aux)`` with
    ``has_aux``)."""
    gv = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        g, value = gv(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    return wrapper


def vjp(func: Callable, *primals, has_aux: bool = False):
    """``(func(*primals), vjp_fn)``: ``vjp_fn(cotangents)`` is the tuple of vector-Jacobian
    products, one per primal."""
    out, aux, inputs, nested = _vjp_core(func, primals, tuple(range(len(primals))), has_aux)
    flat_out, _ = _flatten(out)

    def vjp_fn(cotangents):
        flat_ct, _ = _flatten(cotangents)
        if len(flat_ct) != len(flat_out):
            raise RuntimeError(
                "Expected pytree structure of cotangents to be the same as "
                "pytree structure of outputs to the function"
            )
        return tuple(
            _grads(
                flat_out,
                flat_ct,
                inputs,
                nested or _nt().is_grad_enabled() and any(c.requires_grad for c in flat_ct),
            )
        )

    value = _map(lambda o: o if nested or not isinstance(o, Tensor) else o.detach(), out)
    if not nested:
        aux = _map(lambda a: a.detach() if isinstance(a, Tensor) else a, aux)
    return (value, vjp_fn, aux) if has_aux else (value, vjp_fn)


def jacrev(
    func: Callable,
    argnums: int | tuple = 0,
    *,
    has_aux: bool = False,
    chunk_size: int | None = None,
) -> Callable:
    """``f -> (args -> Jacobian)``: each output's Jacobian has shape
    ``output.shape + input.shape`` (one backward pass per output element)."""
    nt = _nt()

    @functools.wraps(func)
    def wrapper(*args):
        out, aux, inputs, nested = _vjp_core(func, args, argnums, has_aux)
        flat_out, unflatten_out = _flatten(out)
        jacs = []
        for o in flat_out:
            flat_o = o.reshape(-1)
            rows = []
            for i in range(flat_o.numel()):
                g = nt.zeros_like(flat_o)
                g[i] = 1
                gi = _grads([flat_o], [g], inputs, nested)
                rows.append(_flatten(gi)[0])
            in_leaves, unflatten_in = _flatten(inputs)
            per_input = []
            for k, x in enumerate(in_leaves):
                stacked = (
                    nt.stack([r[k] for r in rows])
                    if rows
                    else nt.zeros((0, *x.shape), dtype=x.dtype)
                )
                per_input.append(stacked.reshape(*o.shape, *x.shape))
            res = unflatten_in(per_input)
            jacs.append(res[0] if isinstance(argnums, int) else tuple(res))
        result = unflatten_out(jacs)
        return (result, aux) if has_aux else result

    return wrapper


def jacfwd(
    func: Callable, argnums: int | tuple = 0, has_aux: bool = False, *, randomness: str = "error"
) -> Callable:
    """The Jacobian as :func:`jacrev` computes it (by reverse mode: same values)."""
    return jacrev(func, argnums, has_aux=has_aux)


def hessian(func: Callable, argnums: int | tuple = 0) -> Callable:
    """``f -> (args -> d2f/dargs2)`` for a scalar ``f``: the Jacobian of its gradient."""
    return jacfwd(jacrev(func, argnums), argnums)


# ---- functional_call


def functional_call(
    module,
    parameter_and_buffer_dicts,
    args=None,
    kwargs=None,
    *,
    tie_weights: bool = True,
    strict: bool = False,
):
    """Call ``module(*args, **kwargs)`` with its parameters and buffers replaced by the
    tensors in ``parameter_and_buffer_dicts`` (a dict, or a tuple of dicts), restoring them
    afterwards."""
    mapping = _merged(parameter_and_buffer_dicts)
    if strict:
        _check_names(module, mapping)
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    saved = []
    try:
        for name, value in mapping.items():
            saved.append(_swap(module, name, value))
        return module(*args, **(kwargs or {}))
    finally:
        for owner, store, leaf, old in reversed(saved):
            if store is not None:
                owner.__dict__[store][leaf] = old
            elif old is _MISSING:
                owner.__dict__.pop(leaf, None)
            else:
                object.__setattr__(owner, leaf, old)


def _merged(dicts) -> dict:
    """One dict of names to tensors from a dict or a tuple of dicts that share no name."""
    if isinstance(dicts, dict):
        return dict(dicts)
    mapping = {}
    for d in dicts:
        dup = set(mapping) & set(d)
        if dup:
            raise ValueError(
                f"{sorted(dup)} appeared in multiple dictionaries; behavior "
                "of functional call is ambiguous"
            )
        mapping.update(d)
    return mapping


def _check_names(module, mapping) -> None:
    """``strict=True``: the names must be exactly the module's parameters and buffers."""
    expected = {n for n, _ in module.named_parameters()} | {n for n, _ in module.named_buffers()}
    missing, unexpected = sorted(expected - set(mapping)), sorted(set(mapping) - expected)
    errors = [f"Unexpected key(s): {', '.join(map(repr, unexpected))}."] if unexpected else []
    if missing:
        errors.append(f"Missing key(s): {', '.join(map(repr, missing))}.")
    if errors:
        raise RuntimeError(
            f"Error(s) in reparametrizing for {type(module).__name__}:\n\t" + "\n\t".join(errors)
        )


def _swap(module, name: str, value):
    """Put ``value`` where the dotted ``name`` points (a parameter, a buffer or a plain
    attribute); what is needed to put the old value back."""
    *path, leaf = name.split(".")
    owner = module
    for p in path:
        owner = getattr(owner, p)
    store = next((s for s in ("_parameters", "_buffers") if leaf in owner.__dict__[s]), None)
    if store is None:
        old = owner.__dict__.get(leaf, _MISSING)
        object.__setattr__(owner, leaf, value)
        return owner, None, leaf, old
    old = owner.__dict__[store][leaf]
    owner.__dict__[store][leaf] = value
    return owner, store, leaf, old


_MISSING = object()


# ---- vmap


def _in_dims_for(in_dims, args):
    if isinstance(in_dims, int) or in_dims is None:
        return [_map(lambda _: in_dims, a) for a in args]
    if not isinstance(in_dims, (tuple, list)) or len(in_dims) != len(args):
        raise ValueError(
            f"vmap(func, in_dims={in_dims}, ...)(<inputs>): in_dims is not "
            f"compatible with the structure of `inputs`: expected one entry per "
            f"positional argument ({len(args)})"
        )
    out = []
    for d, a in zip(in_dims, args):
        if isinstance(d, int) or d is None:
            out.append(_map(lambda _, d=d: d, a))
        else:
            out.append(d)
    return out


def vmap(
    func: Callable,
    in_dims: Any = 0,
    out_dims: Any = 0,
    randomness: str = "error",
    *,
    chunk_size: int | None = None,
) -> Callable:
    """Map ``func`` over a dim of its inputs. This runs ``func`` once per entry of the mapped
    dim (a Python loop) and stacks the results along ``out_dims``."""
    nt = _nt()

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        dims = _in_dims_for(in_dims, args)
        flat_args, unflatten_args = _flatten(list(args))
        flat_dims, _ = _flatten(dims)
        if len(flat_dims) != len(flat_args):
            raise ValueError(f"vmap: in_dims {in_dims} do not match the inputs' structure")
        sizes = {
            x.shape[d]
            for x, d in zip(flat_args, flat_dims)
            if d is not None and isinstance(x, Tensor)
        }
        if not sizes:
            raise ValueError(
                "vmap(func, in_dims=...)(<inputs>): at least one input must be "
                "a Tensor with a mapped dim (in_dims not None)"
            )
        if len(sizes) > 1:
            raise ValueError(
                f"vmap: Expected all tensors to have the same size in the mapped "
                f"dimension, got sizes {sorted(sizes)} for the mapped dimension"
            )
        (n,) = sizes
        results = []
        for i in range(n):
            sliced = [
                x.select(d, i) if d is not None and isinstance(x, Tensor) else x
                for x, d in zip(flat_args, flat_dims)
            ]
            results.append(func(*unflatten_args(sliced), **kwargs))
        leaves0, unflatten_out = _flatten(results[0])
        per_leaf = list(zip(*[_flatten(r)[0] for r in results]))
        o_dims = (
            _flatten(out_dims)[0] if not isinstance(out_dims, int) else [out_dims] * len(leaves0)
        )
        stacked = []
        for vals, od in zip(per_leaf, o_dims):
            vals = [v if isinstance(v, Tensor) else nt.tensor(v) for v in vals]
            stacked.append(nt.stack(vals, dim=od))
        return unflatten_out(stacked)

    return wrapper
