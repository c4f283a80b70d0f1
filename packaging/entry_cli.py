"""Entry script of the bundled `mediaflow` command (PyInstaller runs a script, not an entry point)."""

import sys

from mediaflow_gui.cli import main

sys.exit(main())
