"""The node editor: scene, items, view, palette, undo commands, connection rules."""
