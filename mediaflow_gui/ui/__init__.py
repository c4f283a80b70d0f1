"""Qt widgets of MediaFlow: main window, node editor, inspector, runs, notifications.

The only layer that imports PySide6 widgets. It drives the model through undoable
commands and the engine through `engine_adapter.EngineAdapter`.
"""
