"""Entry script of the bundled `mediaflow-gui` (PyInstaller runs a script, not an entry point)."""

import sys

from mediaflow_gui.app import main

sys.exit(main())
