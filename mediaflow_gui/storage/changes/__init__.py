"""How a watched bucket hears about new objects: change sources behind one small interface.

One module per job:
  base.py          ObjectChange, Rescan and the ChangeSource interface (start, changes(), stop, describe)
  choose.py        which source a binding gets, per connection, and its WatchSettings
  stream.py        what the two stream readers share: a reader thread, a queue, reconnecting
  filer_stream.py  the embedded store: its filer's metadata stream (`weed filer.meta.tail`)
  sqs.py           AWS S3 and stores that speak its notifications: S3 → SQS (and setting that up)
  minio.py         MinIO: its ListenBucketNotification stream
  s3_events.py     the S3 event record format SQS and MinIO deliver
  polling.py       everything else: listing at an adaptive interval
  reconcile.py     the full listing, page by page against the ledger (on start, on a timer, on a Rescan)

A source only says "this key may have changed"; the ledger decides (storage/watcher.py), so a
repeated or spurious change costs one small listing and never a second run.
"""

from .base import Change, ChangeSource, ObjectChange, Rescan
from .choose import DEFAULT_MAX_INTERVAL, DEFAULT_RECONCILE_EVERY, SourceRequest, WatchSettings, choose_source
from .reconcile import ReconcilePass, stat_object

__all__ = ["Change", "ChangeSource", "DEFAULT_MAX_INTERVAL", "DEFAULT_RECONCILE_EVERY", "ObjectChange",
           "ReconcilePass", "Rescan", "SourceRequest", "WatchSettings", "choose_source", "stat_object"]
