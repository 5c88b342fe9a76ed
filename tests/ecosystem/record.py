"""Record PyTorch's output of each ecosystem program into expected/ (needs PyTorch installed).

python tests/ecosystem/record.py
"""

from __future__ import annotations

import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import libenv  # noqa: E402


def main() -> int:
    with tempfile.TemporaryDirectory() as root:
        python = libenv.build(os.path.join(root, "venv"), real_torch=True)
        for name in libenv.programs():
            got = libenv.run_program(python, name)
            if got.returncode != 0:
                print(f"{name}: failed under PyTorch\n{got.stderr}", file=sys.stderr)
                return 1
            with open(os.path.join(libenv.EXPECTED, name + ".txt"), "w") as f:
                f.write(got.stdout)
            print(f"recorded {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
