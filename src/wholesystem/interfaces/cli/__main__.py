"""``python -m wholesystem.interfaces.cli``: the same as the ``wholesystem`` command."""

import sys

from wholesystem.interfaces.cli import main

sys.exit(main())
