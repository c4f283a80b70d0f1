"""How files go to and from the staging store: boto3's transfer manager, threaded only for big files.

s3transfer starts a pool of threads for every upload_file/download_file call; a file below its multipart
threshold goes in one request anyway, so for the small outputs of most steps (snapshots, a short clip)
that pool is pure CPU cost on machines whose cores the FFmpeg processes need."""

from __future__ import annotations

from boto3.s3.transfer import TransferConfig

THREADED_ABOVE = 32 * 2**20  # bytes: a file this big is sent in parts, several at once
_PLAIN = TransferConfig(use_threads=False)
_THREADED = TransferConfig()


def transfer_config(size: int) -> TransferConfig:
    return _THREADED if size > THREADED_ABOVE else _PLAIN
