"""``torch.return_types``: the named tuples that ops returning several tensors give back
(``values, indices = x.max(dim=1)``; ``x.max(dim=1).values``)."""

from __future__ import annotations

__all__ = []


class _ReturnType(tuple):
    """A tuple with named fields that prints as ``torch.return_types.<name>(...)``."""

    __slots__ = ()
    _fields: tuple = ()

    def __new__(cls, *args, **fields):
        if not args:
            sequence = [fields[f] for f in cls._fields]
        elif len(args) == 1 and isinstance(args[0], (tuple, list)):
            sequence = args[0]  # PyTorch's form: one sequence
        else:
            sequence = args  # numtorch's own calls: the fields in order
        sequence = tuple(sequence)
        if len(sequence) != len(cls._fields):
            raise TypeError(
                f"torch.return_types.{cls.__name__} takes a "
                f"{len(cls._fields)}-sequence ({len(sequence)}-sequence given)"
            )
        return tuple.__new__(cls, sequence)

    def __repr__(self):
        body = ",\n".join(f"{name}={value!r}" for name, value in zip(self._fields, self))
        return f"torch.return_types.{type(self).__name__}(\n{body})"

    def __reduce__(self):
        return (type(self), (tuple(self),))


def _make(name: str, fields: tuple) -> type:
    attrs = {
        "__slots__": (),
        "_fields": fields,
        "__module__": __name__,
        "n_fields": len(fields),
        "n_sequence_fields": len(fields),
    }
    for i, f in enumerate(fields):
        attrs[f] = property(lambda self, i=i: tuple.__getitem__(self, i))
    cls = type(name, (_ReturnType,), attrs)
    globals()[name] = cls
    __all__.append(name)
    return cls


for _name in (
    "max",
    "min",
    "median",
    "nanmedian",
    "mode",
    "kthvalue",
    "sort",
    "topk",
    "cummax",
    "cummin",
):
    _make(_name, ("values", "indices"))
_make("aminmax", ("min", "max"))
_make("slogdet", ("sign", "logabsdet"))
_make("qr", ("Q", "R"))
_make("frexp", ("mantissa", "exponent"))
del _name
_make("histogram", ("hist", "bin_edges"))
