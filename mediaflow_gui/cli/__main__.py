"""`python -m mediaflow_gui.cli …`: the same as the `mediaflow` command."""

import sys

from .main import main

sys.exit(main())
