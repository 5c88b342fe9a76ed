"""The ``numtorch`` command: ``demo``, ``run``, ``inspect``, ``bench`` and ``provide-torch``.

Each subcommand lives in its own module with a ``main(argv) -> int``, imported only when asked
for, so ``numtorch run`` pays nothing for the demo's plotting libraries.
"""

from __future__ import annotations

import importlib
import sys

COMMANDS = {
    "demo": ("demo", "train the seed network on handwritten digits and draw what happened"),
    "run": ("run", "run a PyTorch program with numtorch standing in for torch"),
    "inspect": ("inspect", "show what a .pt / .safetensors checkpoint holds, without running it"),
    "bench": ("bench", "time numtorch against PyTorch and raw NumPy, side by side"),
    "provide-torch": (
        "provide_torch",
        "let pip install torch-based libraries without downloading PyTorch",
    ),
}


def _usage() -> str:
    lines = ["usage: numtorch <command> [options]", "", "commands:"]
    lines += [f"  {name:<15}{text}" for name, (_, text) in COMMANDS.items()]
    lines += ["", "`numtorch <command> --help` explains each command's options."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``numtorch`` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(_usage())
        return 0 if argv else 2
    if argv[0] in ("-V", "--version"):
        from numtorch.version import numtorch as __version__

        print(f"numtorch {__version__}")
        return 0
    command = COMMANDS.get(argv[0])
    if command is None:
        print(f"numtorch: unknown command {argv[0]!r}\n\n{_usage()}", file=sys.stderr)
        return 2
    module = importlib.import_module(f"{__name__}.{command[0]}")
    return module.main(argv[1:])
