"""``numtorch run prog.py [args]``: run an unmodified PyTorch program on numtorch.

``import torch`` (and ``torch.nn``, ``torch.optim``, ``torch.utils.data`` ... at any depth)
resolves to numtorch's modules, also in the processes the program starts (DataLoader workers
with the spawn or forkserver method). The program sees ``sys.argv``, ``sys.path[0]``,
``__file__`` and ``__name__ == "__main__"`` as ``python prog.py`` would give them, and its
uncaught errors print as python prints them, from the program's first frame. When it reaches
for a part of PyTorch that numtorch does not have, the run ends with one line naming it and the
program line that asked for it, instead of a traceback from inside numtorch.
"""

from __future__ import annotations

import argparse
import builtins
import importlib
import importlib.abc
import importlib.machinery
import io
import os
import re
import runpy
import signal
import sys
import traceback
import types

# What ``import torch`` alone makes reachable in PyTorch, so ``torch.nn.Linear`` works without
# an ``import torch.nn``.
_EAGER = (
    "nn",
    "nn.functional",
    "nn.init",
    "optim",
    "optim.lr_scheduler",
    "utils",
    "utils.data",
    "autograd",
    "serialization",
)

_PKG_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class _AliasLoader(importlib.abc.Loader):
    """Hands back the already-imported numtorch module for a ``torch.*`` name."""

    def __init__(self, module: types.ModuleType):
        self._module = module

    def create_module(self, spec):
        return self._module

    def exec_module(self, module):
        # importlib stamped the alias spec on the module; numtorch's own relative imports need
        # the real one back.
        module.__spec__ = self._module_spec
        name_classes_as_torch()

    def load_module(self, fullname):  # pragma: no cover - legacy protocol, unused on 3.10+
        return self._module


class TorchAliasFinder(importlib.abc.MetaPathFinder):
    """Finds ``torch`` and ``torch.<sub>`` as ``numtorch`` and ``numtorch.<sub>``."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "torch" and not fullname.startswith("torch."):
            return None
        real = "num" + fullname
        try:
            module = importlib.import_module(real)
        except ModuleNotFoundError as e:
            if e.name != real and not real.startswith(e.name + "."):
                raise  # numtorch itself failed to import something: not a missing API
            return None  # ModuleNotFoundError for the torch name follows
        loader = _AliasLoader(module)
        loader._module_spec = module.__spec__
        return importlib.machinery.ModuleSpec(
            fullname, loader, is_package=hasattr(module, "__path__")
        )


def install_torch_alias() -> None:
    """Make ``import torch`` (and its submodules) give numtorch from now on, in this process."""
    import numtorch

    if not any(isinstance(f, TorchAliasFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, TorchAliasFinder())
    sys.modules["torch"] = numtorch
    if name_classes_as_torch not in numtorch._LAZY_IMPORT_HOOKS:
        numtorch._LAZY_IMPORT_HOOKS.append(name_classes_as_torch)
    for sub in _EAGER:
        try:
            importlib.import_module("torch." + sub)
        except ModuleNotFoundError as e:
            if not (e.name or "").startswith(("torch.", "numtorch.")):
                raise
    for name, module in list(sys.modules.items()):
        if name.startswith("numtorch.") and module is not None:
            sys.modules.setdefault("torch" + name[len("numtorch") :], module)
    name_classes_as_torch()


# Modules whose classes PyTorch defines at another path (torch.Tensor, torch.dtype ...).
_TORCH_HOMES = {
    "numtorch._tensor": "torch",
    "numtorch._dtype": "torch",
    "numtorch._backend": "torch",
    "numtorch._runtime": "torch",
}
_NAMED: set = set()


def _torch_home(module_name: str) -> str | None:
    """The PyTorch module of a numtorch module's classes; None for numtorch's own internals."""
    if module_name in _TORCH_HOMES:
        return _TORCH_HOMES[module_name]
    parts = module_name.split(".")
    if parts[1:2] == ["ops"] or any(p.startswith("_") for p in parts[1:]):
        return None
    return "torch" + module_name[len("numtorch") :]


def name_classes_as_torch() -> None:
    """Give numtorch's public classes PyTorch's qualified names, so a program under ``numtorch
    run`` prints ``<class 'torch.nn.modules.linear.Linear'>`` as under PyTorch (and pickles
    name PyTorch's paths). Modules loaded later are named when imported through ``torch.``."""
    for name, module in list(sys.modules.items()):
        if module is None or name in _NAMED or not name.startswith("numtorch"):
            continue
        _NAMED.add(name)
        home = _torch_home(name) if name != "numtorch" else None
        if home is None:
            continue
        for attr, obj in list(vars(module).items()):
            if isinstance(obj, type) and obj.__module__ == name and not attr.startswith("_"):
                obj.__module__ = home
    import numtorch

    numtorch.Generator.__module__ = "torch._C"


def torch_name(qualname: str) -> str:
    """``numtorch.nn.functional`` -> ``torch.nn.functional``."""
    if qualname == "numtorch" or qualname.startswith("numtorch."):
        return qualname[3:]
    return qualname


def _public_name(cls: type) -> str:
    """The shortest ``torch.*`` path under which numtorch exposes ``cls``."""
    parts = cls.__module__.split(".")
    for i in range(1, len(parts) + 1):
        module = sys.modules.get(".".join(parts[:i]))
        if module is not None and getattr(module, cls.__qualname__, None) is cls:
            return torch_name(".".join(parts[:i])) + "." + cls.__qualname__
    return torch_name(cls.__module__) + "." + cls.__qualname__


def _is_numtorch(name: str | None) -> bool:
    """numtorch's module names, and the torch names its classes take under ``numtorch run``."""
    if name == "torch" or (name or "").startswith("torch."):
        return True
    return bool(name) and (name == "numtorch" or name.startswith("numtorch."))


def _numtorch_base(cls: type) -> type | None:
    for base in cls.__mro__:
        if _is_numtorch(getattr(base, "__module__", None)):
            return base
    return None


def _missing_attribute(exc: AttributeError) -> str | None:
    obj, attr = getattr(exc, "obj", None), getattr(exc, "name", None)
    if attr is None:
        return None
    if isinstance(obj, types.ModuleType):
        if not _is_numtorch(obj.__name__):
            return None
        return f"{torch_name(obj.__name__)}.{attr} is not provided by numtorch yet"
    if isinstance(obj, type):
        if not _is_numtorch(obj.__module__):
            return None
        return f"{_public_name(obj)}.{attr} is not provided by numtorch yet"
    cls = type(obj)
    if _is_numtorch(cls.__module__):
        return f"{_public_name(cls)}.{attr} is not provided by numtorch yet"
    base = _numtorch_base(cls)
    if base is None or attr.startswith("_"):
        return None
    # A subclass the program wrote (say of nn.Module): the name may be PyTorch's or a typo.
    return (
        f"'{cls.__name__}' object has no attribute '{attr}': neither the program nor "
        f"numtorch's {_public_name(base)} defines it (numtorch may not provide it yet)"
    )


# PyTorch's sister packages: a program that needs one needs the real thing installed.
_COMPANIONS = ("torchvision", "torchaudio", "torchtext", "torchdata")

_FROM_IMPORT = re.compile(r"cannot import name '(\w+)' from '([\w.]+)'")


def missing_api(exc: BaseException) -> str | None:
    """What part of PyTorch ``exc`` says numtorch lacks, or None when it says something else."""
    if isinstance(exc, ModuleNotFoundError):
        name = exc.name or ""
        if name.startswith("torch.") or _is_numtorch(name):
            return f"module {torch_name(name)} is not provided by numtorch yet"
        if name.split(".")[0] in _COMPANIONS:
            return f"module {name} is not installed (numtorch stands in for torch only)"
        return None
    if isinstance(exc, ImportError):
        m = _FROM_IMPORT.search(str(exc))
        if m and (_is_numtorch(m.group(2)) or m.group(2).startswith("torch")):
            return f"{torch_name(m.group(2))}.{m.group(1)} is not provided by numtorch yet"
        return None
    if isinstance(exc, AttributeError):
        return _missing_attribute(exc)
    if isinstance(exc, NotImplementedError) and _raised_in_numtorch(exc):
        detail = str(exc) or type(exc).__name__
        return f"numtorch does not support this yet: {detail}"
    return None


def _in_numtorch(filename: str) -> bool:
    return os.path.abspath(filename).startswith(_PKG_DIR + os.sep)


def _raised_in_numtorch(exc: BaseException) -> bool:
    frames = traceback.extract_tb(exc.__traceback__)
    return bool(frames) and _in_numtorch(frames[-1].filename)


def user_frame(exc: BaseException) -> traceback.FrameSummary | None:
    """The innermost traceback frame in the program's code (not numtorch's, not importlib's)."""
    this = os.path.abspath(__file__)
    found = None
    for frame in traceback.extract_tb(exc.__traceback__):
        name = frame.filename
        if name.startswith("<frozen") or _in_numtorch(name) or os.path.abspath(name) == this:
            continue
        if os.path.abspath(name) == os.path.abspath(runpy.__file__):
            continue
        found = frame
    return found


def describe(exc: BaseException) -> str | None:
    """The one-line report for a missing API (``file:line: what``), or None."""
    what = missing_api(exc)
    if what is None:
        return None
    frame = user_frame(exc)
    if frame is None:
        return f"numtorch run: {what}"
    where = os.path.relpath(frame.filename) if os.path.isabs(frame.filename) else frame.filename
    return f"numtorch run: {where}:{frame.lineno}: {what}"


# Put on ``sys.path`` for the processes the program starts with spawn or forkserver.
_WORKER_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_worker_path")


_CLI_DIR = os.path.dirname(os.path.abspath(__file__))


def _launcher_frame(filename: str) -> bool:
    return (
        filename.startswith("<frozen runpy")
        or filename == runpy.__file__
        or os.path.dirname(filename) == _CLI_DIR
    )


def _report(exc: BaseException) -> int:
    """Print ``exc`` as the interpreter would for ``python prog.py``; the exit status."""
    tb = exc.__traceback__
    while tb is not None and _launcher_frame(tb.tb_frame.f_code.co_filename):
        tb = tb.tb_next
    sys.stdout.flush()
    sys.excepthook(type(exc), exc.with_traceback(tb), tb)
    if isinstance(exc, KeyboardInterrupt):
        # as the interpreter ends on an uncaught Ctrl-C: killed by SIGINT
        sys.stderr.flush()
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
    return 1


def _exec_main(path: str) -> None:
    """Run the file at ``path`` as ``__main__``, with the module attributes python gives it
    (an absolute ``__file__``, no ``__spec__``). A folder or zip archive goes through runpy."""
    if not os.path.isfile(path):
        runpy.run_path(path, run_name="__main__")
        return
    program = os.path.abspath(path)
    with io.open_code(program) as f:
        code = compile(f.read(), program, "exec")
    main = types.ModuleType("__main__")
    main.__file__ = program
    main.__cached__ = None
    main.__loader__ = importlib.machinery.SourceFileLoader("__main__", program)
    main.__builtins__ = builtins
    sys.modules["__main__"] = main
    exec(code, main.__dict__)


def run_program(path: str, args: list[str]) -> int:
    """Run the program at ``path`` with ``args`` as ``python path args`` would, on numtorch."""
    if not os.path.exists(path):
        print(f"numtorch run: can't open file {path!r}: no such file", file=sys.stderr)
        return 2
    install_torch_alias()
    sys.argv = [path, *args]
    sys.path[0] = os.path.dirname(os.path.abspath(path))
    if _WORKER_PATH not in sys.path:
        sys.path.insert(1, _WORKER_PATH)
    try:
        _exec_main(path)
    except (ImportError, AttributeError, NotImplementedError) as exc:
        line = describe(exc)
        if line is None:
            return _report(exc)
        sys.stdout.flush()
        print(line, file=sys.stderr)
        return 1
    except (Exception, KeyboardInterrupt) as exc:
        return _report(exc)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="numtorch run",
        description="Run a PyTorch program with numtorch standing in for torch.",
    )
    parser.add_argument("program", help="the Python file to run")
    parser.add_argument("args", nargs="*", default=[], help="arguments for the program")
    parser.epilog = "numtorch run --nproc-per-node N prog.py starts N ranks (an MPI job)."
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--"]:
        argv = argv[1:]
    from . import launch

    if argv and argv[0].split("=")[0] in launch.OPTIONS:  # several ranks: an MPI job
        return launch.main(argv)
    # Everything after the program's name belongs to the program, --help included.
    if argv and not argv[0].startswith("-"):
        return run_program(argv[0], argv[1:])
    build_parser().parse_args(argv)
    return 2
