"""``python -m tradeeco``: the ``tradeeco`` command without its console script, e.g. when the
package is installed in a virtual environment whose ``bin`` is not on PATH."""

import sys

from .cli import main

sys.exit(main())
