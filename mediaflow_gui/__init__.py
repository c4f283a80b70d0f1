"""MediaFlow: draw media-processing workflows and run them on local FFmpeg."""

__version__ = "0.1.0"
