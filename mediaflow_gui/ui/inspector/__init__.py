"""The inspector: edits the selected node's name and parameters with one widget per field."""
