"""S3 event records (AWS's notification format, which MinIO's listen API uses too) → ObjectChanges.

    {"Records": [{"eventName": "ObjectCreated:Put", "eventTime": "2025-01-01T12:00:00.000Z",
                  "s3": {"bucket": {"name": "inbox"},
                         "object": {"key": "up/my+clip.mp4", "size": 1234, "eTag": "0123…"}}}]}

Keys are URL-encoded the form way (a space is "+"). AWS names events "ObjectCreated:Put", MinIO
"s3:ObjectCreated:Put"; only object creations count (a copy and a completed multipart upload are
creations too). A message that S3 delivered through SNS is unwrapped ({"Type": "Notification",
"Message": "<the S3 JSON>"}); S3's "s3:TestEvent" and anything unreadable give no change.
"""

from __future__ import annotations

import datetime as _dt
import json
from typing import Any
from urllib.parse import unquote_plus

from .base import ObjectChange


def _time(text: Any) -> float:
    try:
        return _dt.datetime.fromisoformat(str(text).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return 0.0


def changes_from_records(records: Any, bucket: str) -> list[ObjectChange]:
    out: list[ObjectChange] = []
    for record in records if isinstance(records, list) else []:
        if not isinstance(record, dict):
            continue
        name = str(record.get("eventName", ""))
        if not name.removeprefix("s3:").startswith("ObjectCreated:"):
            continue
        s3 = record.get("s3") or {}
        if (s3.get("bucket") or {}).get("name") != bucket:
            continue
        obj = s3.get("object") or {}
        key = unquote_plus(str(obj.get("key", "")))
        if not key:
            continue
        size = obj.get("size")
        out.append(ObjectChange(bucket, key, str(obj.get("eTag") or "").strip('"') or None,
                                int(size) if isinstance(size, (int, float)) else None, _time(record.get("eventTime"))))
    return out


def changes_from_message(body: str, bucket: str) -> list[ObjectChange]:
    """The changes in one queue message's body (S3 → SQS, or S3 → SNS → SQS)."""
    try:
        data = json.loads(body)
        if isinstance(data, dict) and data.get("Type") == "Notification" and isinstance(data.get("Message"), str):
            data = json.loads(data["Message"])
    except ValueError:
        return []
    return changes_from_records(data.get("Records") if isinstance(data, dict) else None, bucket)
