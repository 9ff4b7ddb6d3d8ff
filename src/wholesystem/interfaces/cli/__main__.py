"""``python -m wholesystem.interfaces.cli``: the same as the ``wholesystem`` command."""

import sys

from wholesystem.interfaces.cli import main

if __name__ == "__main__":
    sys.exit(main())
