"""The benchmark table: numtorch against PyTorch and raw NumPy, in one run.

    python benchmarks/run.py [--threads N] [--repeat 7] [--quick]

The same as ``numtorch bench``; see numtorch/cli/bench.py for what each row measures.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from numtorch.cli.bench import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
