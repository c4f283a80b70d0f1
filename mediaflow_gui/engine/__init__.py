"""Running things: the async DAG executor, the FFmpeg process runner, the task store, events.

Imports model/ and media/; no Qt. The GUI, the CLI and the tests drive it the same way.
"""
