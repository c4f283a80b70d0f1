"""ProcessMedia's parameters → what the engine runs: the input, where results go, the workflow.

Input (`InputInfo`):
- `Type: "URL"`, `UrlInputInfo.Url`: a local file — `file:///abs/path` or a plain absolute path (the
  server is loopback-only, so the caller is on this machine) — or an http(s) URL, downloaded into the
  run's private work dir first (`download`; a download that fails fails the run, FetchFailed).
- `Type: "COS"` (`CosInputInfo{Bucket, Region, Object}`) and `Type: "AWS-S3"` (`S3InputInfo{S3Bucket,
  S3Region, S3Object}`): an object on a store MediaFlow knows. The Region picks the connection: the
  name of a saved connection (`mediaflow storage connections`), else the embedded store.
Output: `OutputStorage` COS / AWS-S3 → that bucket (same Region rule), under `OutputDir` (default:
the input object's folder), uploaded like a binding's results (storage/bindings.py ObjectJob; an
upload that fails fails the run). Without OutputStorage a bucket input's results go to its own bucket;
a local input's go to `OutputDir` when it is an absolute local folder, else to the default results
folder (paths.default_results_dir()).
Workflow: `MediaProcessTask` through the MPS converters (mediaflow_gui/mps/workflow_io.py) when they
are installed, else TranscodeTaskSet items with preset Definitions only (mps/presets.py).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from ..model.serialization import WorkflowFormatError, workflow_from_dict
from ..model.workflow import Workflow, new_node_id
from .errors import ApiError


@dataclass
class BucketRef:
    connection: str  # a saved connection's name, or "embedded"
    bucket: str
    key: str


@dataclass
class ResolvedInput:
    local: Path | None = None
    bucket: BucketRef | None = None
    url: str = ""  # an http(s) URL to download

    @property
    def shown(self) -> str:
        if self.bucket is not None:
            return f"s3://{self.bucket.bucket}/{self.bucket.key}"
        return self.url or str(self.local)


DOWNLOAD_TIMEOUT = 30.0  # seconds without a byte before a download gives up


def download(url: str, folder: Path) -> Path:
    """Blocking: `url` into `folder` under its last path segment; the file's path. Raises OSError/URLError."""
    import shutil
    import urllib.request

    name = Path(unquote(PurePosixPath(urlsplit(url).path).name)).name or "input"
    target = folder / name
    with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT) as resp, open(target, "wb") as out:
        shutil.copyfileobj(resp, out, 1024 * 1024)
    return target


def _connection_for(region: str, names: list[str]) -> str:
    return region if region and region in names and region != "embedded" else "embedded"


def parse_input(info: Any, connection_names: list[str]) -> ResolvedInput:
    if not isinstance(info, dict) or not info.get("Type"):
        raise ApiError("MissingParameter", "InputInfo.Type is required (URL, COS or AWS-S3)")
    kind = str(info["Type"])
    if kind == "URL":
        url = str((info.get("UrlInputInfo") or {}).get("Url") or "")
        if not url:
            raise ApiError("MissingParameter", "InputInfo.UrlInputInfo.Url is required")
        parts = urlsplit(url)
        if parts.scheme == "file":
            if parts.netloc not in ("", "localhost"):
                raise ApiError("InvalidParameterValue.InputInfo", f"{url}: a file URL must name this machine")
            path = Path(unquote(parts.path))
        elif parts.scheme in ("http", "https"):
            if not parts.netloc:
                raise ApiError("InvalidParameterValue.InputInfo", f"{url}: the URL names no host")
            return ResolvedInput(url=url)
        elif parts.scheme == "" or (len(parts.scheme) == 1 and os.name == "nt"):
            path = Path(url)
        else:
            raise ApiError("InvalidParameterValue.InputInfo",
                           f"{url}: use http(s)://…, file:///path, an absolute path, or a COS/AWS-S3 object")
        if not path.is_absolute():
            raise ApiError("InvalidParameterValue.InputInfo", f"{url}: give an absolute path")
        return ResolvedInput(local=path)
    if kind == "COS":
        cos = info.get("CosInputInfo") or {}
        bucket, region, key = cos.get("Bucket"), cos.get("Region", ""), cos.get("Object")
        field = "CosInputInfo.Bucket/Object"
    elif kind == "AWS-S3":
        s3 = info.get("S3InputInfo") or {}
        bucket, region, key = s3.get("S3Bucket"), s3.get("S3Region", ""), s3.get("S3Object")
        field = "S3InputInfo.S3Bucket/S3Object"
    else:
        raise ApiError("InvalidParameterValue.InputInfo", f"InputInfo.Type {kind!r}: use URL, COS or AWS-S3")
    if not bucket or not key:
        raise ApiError("MissingParameter", f"InputInfo.{field} are required")
    return ResolvedInput(bucket=BucketRef(_connection_for(str(region), connection_names), str(bucket),
                                          str(key).lstrip("/")))


def parse_output_bucket(storage: Any, connection_names: list[str]) -> tuple[str, str] | None:
    """(connection, bucket) of OutputStorage, or None when it names none."""
    if not isinstance(storage, dict) or not storage.get("Type"):
        return None
    kind = storage["Type"]
    if kind == "COS":
        cos = storage.get("CosOutputStorage") or {}
        bucket, region = cos.get("Bucket"), cos.get("Region", "")
    elif kind == "AWS-S3":
        s3 = storage.get("S3OutputStorage") or {}
        bucket, region = s3.get("S3Bucket"), s3.get("S3Region", "")
    else:
        raise ApiError("InvalidParameterValue", f"OutputStorage.Type {kind!r}: use COS or AWS-S3")
    if not bucket:
        raise ApiError("MissingParameter", f"OutputStorage: the {kind} bucket is required")
    return _connection_for(str(region), connection_names), str(bucket)


def output_prefix(output_dir: str, input_key: str) -> str:
    """OutputDir as a key prefix ("/out/" → "out/"); default the input object's folder."""
    if output_dir:
        prefix = output_dir.strip("/")
        return prefix + "/" if prefix else ""
    folder = str(PurePosixPath(input_key).parent)
    return "" if folder in (".", "") else folder + "/"


# -- the workflow ----------------------------------------------------------------------------------

def _transcode_params(template: dict[str, Any]) -> dict[str, Any]:
    """A preset transcode template → MediaFlow's transcode parameters (fallback converter)."""
    video, audio = template.get("VideoTemplate") or {}, template.get("AudioTemplate") or {}
    short = int(video.get("Height") or 0) if video.get("ResolutionAdaptive", "open") == "open" else 0
    return {"definition": str(template["Definition"]), "container": "mp4", "video_codec": "h264",
            "short_side": short, "width": 0, "height": 0, "fps": float(video.get("Fps") or 0),
            "video_bitrate_kbps": int(video.get("Bitrate") or 0), "audio_codec": "aac",
            "audio_bitrate_kbps": int(audio.get("Bitrate") or 128), "sample_rate": int(audio.get("SampleRate") or 0),
            "channels": int(audio.get("AudioChannel") or 0)}


def fallback_workflow(task: dict[str, Any], name: str) -> Workflow:
    """TranscodeTaskSet with preset Definitions only: start → (split →) transcodes (→ join) → end."""
    from ..mps.presets import preset

    others = [k for k, v in task.items() if k != "TranscodeTaskSet" and v]
    if others:
        raise ApiError("UnsupportedOperation",
                       f"MediaProcessTask.{others[0]} needs the MPS workflow converters (mediaflow_gui/mps/workflow_io.py)")
    nodes: list[dict[str, Any]] = []
    for i, item in enumerate(task.get("TranscodeTaskSet") or []):
        definition = int((item or {}).get("Definition") or 0)
        template = preset("Transcode", definition)
        if template is None or template.get("Container") != "mp4":
            raise ApiError("InvalidParameterValue.Definition",
                           f"TranscodeTaskSet[{i}].Definition {definition}: not a preset MP4 transcode template")
        nodes.append({"id": new_node_id(), "kind": "task", "name": template["Name"], "task_kind": "transcode",
                      "params": _transcode_params(template)})
    if not nodes:
        raise ApiError("MissingParameter", "MediaProcessTask has no task to run")
    start, end = {"id": new_node_id(), "kind": "start"}, {"id": new_node_id(), "kind": "end"}
    edges: list[dict[str, str]] = []
    if len(nodes) == 1:
        edges = [{"source": start["id"], "target": nodes[0]["id"]}, {"source": nodes[0]["id"], "target": end["id"]}]
        extra: list[dict[str, Any]] = []
    else:
        split, join = {"id": new_node_id(), "kind": "split"}, {"id": new_node_id(), "kind": "join"}
        extra = [split, join]
        edges = [{"source": start["id"], "target": split["id"]}, {"source": join["id"], "target": end["id"]}]
        for n in nodes:
            edges += [{"source": split["id"], "target": n["id"]}, {"source": n["id"], "target": join["id"]}]
    try:
        return workflow_from_dict({"version": 1, "name": name, "nodes": [start, *extra, *nodes, end], "edges": edges})
    except WorkflowFormatError as exc:
        raise ApiError("InvalidParameterValue", str(exc)) from exc
