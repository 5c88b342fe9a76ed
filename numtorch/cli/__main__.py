"""``python -m numtorch.cli``: the ``numtorch`` command without the installed script."""

import sys

from . import main

sys.exit(main())
