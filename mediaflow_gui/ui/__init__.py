"""Qt widgets of MediaFlow: main window, node editor, inspector, runs, notifications.

The only layer that imports PySide6 widgets. Widgets use the UI's own doors only: the model through
the editor controller's undoable commands, runs through `engine_adapter.EngineAdapter`, buckets
through `buckets.controller.StorageController` (and its StorageService's methods), settings through
`settings.AppSettings`' typed attributes; the app quits through `context.AppContext.shutdown`.
"""
