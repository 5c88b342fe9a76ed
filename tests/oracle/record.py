"""Record PyTorch's results for the test suite into tests/oracle/data/ (needs PyTorch).

    python tests/oracle/record.py                         # every test: replaces all recordings
    python tests/oracle/record.py tests/test_fft.py -n 2  # some tests: keeps the others

Arguments go to pytest. Run it when a test that compares with PyTorch changes, or when the
oracle's version does; it fails where a test fails under recording (that test keeps no
recording, so its replay fails too).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    if not any(not a.startswith("-") for a in argv):
        shutil.rmtree(HERE / "data", ignore_errors=True)
    env = {**os.environ, "NUMTORCH_ORACLE": "record"}
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *argv]
    return subprocess.call(cmd, cwd=HERE.parents[1], env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
