"""Dask worker preload (`dask worker --preload mediaflow_gui.cluster.preload`, what `mediaflow worker`
and start_local_cluster pass): load MediaFlow's media code once and log the worker's FFmpeg choice, so a
worker without a usable FFmpeg says so when it starts rather than at its first step."""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger("mediaflow_gui.cluster.worker")


def dask_setup(worker: Any) -> None:
    from ..media import builders as _builders  # noqa: F401  (first step must not pay for the imports)
    from ..media import fusion as _fusion  # noqa: F401
    from ..storage.s3 import S3Connection, make_client
    from . import worker_side as _worker_side  # noqa: F401  (boto3 alone takes 0.7 s to import)
    from .info import worker_ffmpeg_summary

    # botocore loads its S3 model and customizations with the first client: here, not in the first unit
    make_client(S3Connection("warm-up", "http://127.0.0.1:9"))

    if getattr(worker, "nanny", None):
        # Ctrl-C in a terminal reaches the whole process group: the nanny closes its worker; a worker
        # that took SIGINT too left the nanny waiting 8 s before it killed it (stock `dask worker`)
        import signal
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    removed = _worker_side.sweep_orphan_folders()  # what workers killed on this machine left behind
    if removed:
        log.info("MediaFlow worker: removed %d unit folder(s) of workers that are gone", len(removed))
    summary = worker_ffmpeg_summary()
    worker.mediaflow_ffmpeg = summary
    log.info("MediaFlow worker %s: %s", getattr(worker, "address", "?"), summary)
