"""``python -m digitapp``: the same as the ``digitapp`` command."""

import sys

from .cli import main

sys.exit(main())
