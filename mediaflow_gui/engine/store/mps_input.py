"""The task query's InputInfo and MetaData in the cloud service's exact shape (SDK MediaInputInfo,
MediaMetaData), from what a RunRecord holds: the input as the user gave it and the probe's MetaData.

- `input_info(label)`: `Type` URL | COS | AWS-S3 with `UrlInputInfo{Url}`, `CosInputInfo{Bucket, Region,
  Object}` or `S3InputInfo{S3Bucket, S3Region, S3Object}`. A local file is a `file://` URL. A COS
  object is recognised by its name only (`cos://bucket/key`, or an https URL on `*.cos.REGION.myqcloud.com`);
  `s3://bucket/key` (the embedded store, a connected S3 store) is AWS-S3 with the region the label gives
  (none: ""), because a RunRecord keeps the label, not the connection it came through.
- `meta_data(meta, input_label)`: the stored MetaData made SDK-exact whatever version wrote it:
  `Container` one name (FFmpeg's demuxer list "mov,mp4,m4a,3gp,3g2,mj2" → the entry matching the
  input's extension, else the first), `VideoStreamSet[].Fps` an int with `FpsNumerator`/`FpsDenominator`.
Pure functions of their arguments; nothing here reads a file.
"""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urlparse

_COS_HOST = re.compile(r"^(?P<bucket>[^.]+)\.cos\.(?P<region>[a-z0-9-]+)\.myqcloud\.com$", re.IGNORECASE)
_S3_HOST = re.compile(r"^(?P<bucket>.+)\.s3[.-](?P<region>[a-z0-9-]+)\.amazonaws\.com$", re.IGNORECASE)


def _object(path: str) -> str:
    return unquote(path.lstrip("/"))


def input_info(label: str) -> dict[str, Any]:
    """The SDK's MediaInputInfo for a run's input label (a path or a URL)."""
    text = str(label)
    if "://" not in text:
        # a local file: the URL form a service client can read (percent-encoded, absolute)
        return {"Type": "URL", "UrlInputInfo": {"Url": PurePosixPath(text).as_uri() if text.startswith("/")
                                                else "file://" + text}}
    parsed = urlparse(text)
    scheme = parsed.scheme.lower()
    if scheme == "cos":
        return {"Type": "COS", "CosInputInfo": {"Bucket": parsed.netloc, "Region": "", "Object": _object(parsed.path)}}
    if scheme == "s3":
        return {"Type": "AWS-S3", "S3InputInfo": {"S3Bucket": parsed.netloc, "S3Region": "",
                                                  "S3Object": _object(parsed.path)}}
    if scheme in ("http", "https"):
        host = parsed.hostname or ""
        if m := _COS_HOST.match(host):
            return {"Type": "COS", "CosInputInfo": {"Bucket": m["bucket"], "Region": m["region"],
                                                    "Object": _object(parsed.path)}}
        if m := _S3_HOST.match(host):
            return {"Type": "AWS-S3", "S3InputInfo": {"S3Bucket": m["bucket"], "S3Region": m["region"],
                                                      "S3Object": _object(parsed.path)}}
    return {"Type": "URL", "UrlInputInfo": {"Url": text}}


def container_name(container: str, input_label: str) -> str:
    """One container name from FFmpeg's demuxer list: the one the input's extension names, else the first."""
    names = [n.strip() for n in str(container or "").split(",") if n.strip()]
    if not names:
        return ""
    ext = PurePosixPath(urlparse(input_label).path if "://" in input_label else input_label).suffix.lstrip(".").lower()
    return ext if ext in names else names[0]


def fps_fields(fps: Any) -> dict[str, int]:
    """`Fps` (int, as the SDK types it) with the exact rate as `FpsNumerator`/`FpsDenominator`."""
    try:
        rate = Fraction(float(fps or 0)).limit_denominator(1001)
    except (TypeError, ValueError, OverflowError):
        rate = Fraction(0)
    return {"Fps": int(round(rate)), "FpsNumerator": rate.numerator, "FpsDenominator": rate.denominator}


def meta_data(meta: dict[str, Any] | None, input_label: str) -> dict[str, Any] | None:
    """The stored MetaData made SDK-exact (see the module docstring); None when the run has none."""
    if not meta:
        return None
    out = dict(meta)
    out["Container"] = container_name(out.get("Container", ""), input_label)
    out["VideoStreamSet"] = [{**s, **fps_fields(s.get("Fps"))} for s in out.get("VideoStreamSet") or []]
    out["AudioStreamSet"] = list(out.get("AudioStreamSet") or [])
    return out
