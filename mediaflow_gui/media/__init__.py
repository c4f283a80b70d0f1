"""FFmpeg knowledge: locating ffmpeg, probing inputs, one builder per task kind, output naming.

Imports model/ only; no Qt.
"""
