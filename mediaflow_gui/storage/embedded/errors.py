"""The one error of the embedded store: it could not start (or be found, or answer)."""

from __future__ import annotations


class EmbeddedStoreError(RuntimeError):
    """The embedded store could not start (the message carries weed's log tail)."""
