"""Developer tools (screenshots of the GUI)."""
