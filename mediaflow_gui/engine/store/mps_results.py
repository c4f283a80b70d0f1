"""The task query's MediaProcessResultSet in the cloud service's exact shape (tencentcloud-sdk-python-mps
models: MediaProcessTaskResult and the five result types), from a RunRecord's subtasks.

Each result is `{"Type": T, "<key>": {Status, ErrCode, ErrCodeExt, Message, Input, Output, …,
"MediaFlow": {…}}}` with the SDK's key for T (AnimatedGraphics → `AnimatedGraphicTask`, ImageSprites →
`ImageSpriteTask`). What the service lacks stays under the one `MediaFlow` key (the SDK drops it with a
single "MediaFlow fileds are useless" warning and loads everything else):
`StepId, Name, TaskKind, Definition (the label MediaFlow names files with), Status (MediaFlow's own:
WAITING, SKIPPED, CANCELED as well), ErrorCode (MediaFlow's code name, README's list), Progress (float),
Speed, Command, InputPath (the file the step read), Outputs [{Path, Kind, Size, Width, Height, Duration,
TimeOffset (ms, time-point snapshots)}]` and, on a transcode, `BeginProcessTime`/`FinishTime`.

Mapping decisions (DESIGN.md "JSON shapes"):
- MediaFlow tasks have no template ids: every `Definition` is 0, the label is `MediaFlow.Definition`.
- Status: SUCCESS / FAIL / PROCESSING only (SKIPPED and CANCELED are FAIL, WAITING is PROCESSING).
- ErrCode is MediaFlow's stable number (README), ErrCodeExt the service's vocabulary ("" on success).
- A watermark folded into transcodes is no result: it is each host transcode's `Input.WatermarkSet`
  (and listed in WorkflowTask.MediaFlow.FoldedWatermarks). A watermark that ran on its own wrote a
  video: it is a `Transcode` result whose `Input.WatermarkSet` holds it (`MediaFlow.TaskKind` says so).
- `Md5` is "" (the SDK allows it): hashing every output would read each file once more after FFmpeg
  wrote it — a second full pass over multi-gigabyte videos — for a field few receivers check.
- Output paths are the local paths; an event adds each upload's Url/Bucket/Key under MediaFlow.Outputs.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from ...model.kinds import resolve_task_kind
from ...model.params import params_from_dict
from ...model.statuses import SubtaskStatus
from ..errors import error_number
from ..run_state import RunRecord, SubtaskRecord
from .mps_input import fps_fields, input_info

# the SDK's key for each result Type (not always "<Type>Task")
RESULT_KEYS = {"Transcode": "TranscodeTask", "SnapshotByTimeOffset": "SnapshotByTimeOffsetTask",
               "SampleSnapshot": "SampleSnapshotTask", "AnimatedGraphics": "AnimatedGraphicTask",
               "ImageSprites": "ImageSpriteTask"}

# MediaFlow's error code name → the service's ErrCodeExt (its media-processing error codes)
SERVICE_ERROR = {"InvalidWorkflow": "InvalidParameter", "InputNotFound": "InvalidInput",
                 "FetchFailed": "InvalidInput", "ProbeFailed": "SourceFileError",
                 "InputNotSupported": "InvalidInput"}


def service_error(code: str, message: str = "") -> str:
    """ErrCodeExt for a MediaFlow code: "" for none, InternalError for what the service has no word for."""
    if not code:
        return ""
    if code == "InputNotSupported" and "no video" in message.lower():
        return "SourceFileError.NoVideoMedia"
    return SERVICE_ERROR.get(code, "InternalError")


def service_status(status: SubtaskStatus) -> str:
    if status == SubtaskStatus.SUCCESS:
        return "SUCCESS"
    if status in (SubtaskStatus.WAITING, SubtaskStatus.PROCESSING):
        return "PROCESSING"
    return "FAIL"


def _ms(seconds: Any) -> int:
    return int(round(float(seconds) * 1000))


def _seconds(offset: str) -> float | None:
    """A time offset "3.5s" / "3.5" in seconds; None for a percent (the service's floats are seconds)."""
    text = str(offset or "").strip().lower()
    if not text or text.endswith("%"):
        return None
    try:
        return float(text[:-1] if text.endswith("s") else text)
    except ValueError:
        return None


def node_params(record: RunRecord, sub: SubtaskRecord) -> Any:
    """The parameters the step ran with (from the workflow snapshot), or None when not known."""
    for node in (record.workflow or {}).get("nodes", []):
        if node.get("id") == sub.step_id and node.get("task_kind"):
            try:
                return params_from_dict(node["task_kind"], node.get("params"))[0]
            except KeyError:
                return None
    return None


def watermark_input(wm: Any) -> dict[str, Any]:
    """The SDK's WatermarkInput for MediaFlow WatermarkParams (Definition 0 + the raw parameters)."""
    raw: dict[str, Any] = {"Type": wm.type, "CoordinateOrigin": wm.origin, "XPos": wm.x_pos, "YPos": wm.y_pos}
    entry: dict[str, Any] = {"Definition": 0, "RawParameter": raw}
    if wm.type == "image":
        raw["ImageTemplate"] = {"ImageContent": input_info(wm.image_path), "Width": wm.width, "Height": "0px"}
    else:
        entry["TextContent"] = wm.text
    for key, value in (("StartTimeOffset", _seconds(wm.start)), ("EndTimeOffset", _seconds(wm.end))):
        if value is not None:
            entry[key] = value
    return entry


def _watermarks(record: RunRecord, sub: SubtaskRecord) -> list[dict[str, Any]]:
    """The WatermarkSet of a transcode: its own watermarks, then the watermark nodes folded into it;
    a watermark node that ran on its own is its own single watermark."""
    found = []
    params = node_params(record, sub)
    if params is not None:
        kind = resolve_task_kind(sub.task_kind)
        if kind is not None and kind.id == "watermark":
            found.append(params)
        found += list(getattr(params, "watermarks", None) or [])
    for other in record.subtasks:
        if sub.step_id in other.applied_in:
            wm = node_params(record, other)
            if wm is not None:
                found.append(wm)
    return [watermark_input(w) for w in found]


def _media_outputs(sub: SubtaskRecord) -> list[dict[str, Any]]:
    return [o for o in sub.outputs if o.get("kind") in ("video", "audio", "animation")] or list(sub.outputs)


def _bitrate(out: dict[str, Any]) -> int:
    duration = float(out.get("duration") or 0)
    return int(round(out.get("size", 0) * 8 / duration)) if duration > 0 else 0


def _container(out: dict[str, Any]) -> str:
    return PurePath(str(out.get("path", ""))).suffix.lstrip(".").lower()


def transcode_output(sub: SubtaskRecord) -> dict[str, Any] | None:
    outs = _media_outputs(sub)
    if not outs:
        return None
    out = outs[0]
    streams = out.get("streams") or {}  # media/builders/common.describe_output (older records: none)
    video = [{"Bitrate": int(s.get("bitrate") or 0), "Height": int(s.get("height") or 0),
              "Width": int(s.get("width") or 0), "Codec": s.get("codec") or "", **fps_fields(s.get("fps"))}
             for s in streams.get("video") or []]
    audio = [{"Bitrate": int(s.get("bitrate") or 0), "SamplingRate": int(s.get("sample_rate") or 0),
              "Codec": s.get("codec") or "", "Channel": int(s.get("channels") or 0)}
             for s in streams.get("audio") or []]
    return {"Path": out.get("path"), "Definition": 0, "Bitrate": _bitrate(out), "Height": out.get("height") or 0,
            "Width": out.get("width") or 0, "Size": out.get("size", 0), "Duration": float(out.get("duration") or 0),
            "Container": _container(out), "Md5": "", "VideoStreamSet": video, "AudioStreamSet": audio}


def snapshot_output(sub: SubtaskRecord) -> dict[str, Any] | None:
    if not sub.outputs:
        return None
    return {"Definition": 0, "PicInfoSet": [
        {"TimeOffset": _ms(o.get("time_offset") or 0), "Path": o.get("path"), "WaterMarkDefinition": []}
        for o in sub.outputs]}


def sample_output(sub: SubtaskRecord, params: Any) -> dict[str, Any] | None:
    if not sub.outputs:
        return None
    interval = str(getattr(params, "interval", "") or "").strip().lower()
    percent = interval.endswith("%")
    try:
        value = float(interval.rstrip("%s") or 0)
    except ValueError:
        value = 0.0
    return {"Definition": 0, "SampleType": "Percent" if percent else "Time", "Interval": int(round(value)),
            "ImagePathSet": [o.get("path") for o in sub.outputs], "WaterMarkDefinition": []}


def animated_output(sub: SubtaskRecord) -> dict[str, Any] | None:
    if not sub.outputs:
        return None
    out = sub.outputs[0]
    return {"Path": out.get("path"), "Definition": 0, "Container": _container(out),
            "Height": out.get("height") or 0, "Width": out.get("width") or 0, "Bitrate": _bitrate(out),
            "Size": out.get("size", 0), "Md5": "", "StartTimeOffset": float(out.get("start_time") or 0),
            "EndTimeOffset": float(out.get("end_time") or 0)}


def sprite_output(sub: SubtaskRecord) -> dict[str, Any] | None:
    sheets = [o for o in sub.outputs if o.get("kind") == "image"]
    vtt = next((o for o in sub.outputs if o.get("kind") == "subtitle"), {})
    if not sheets:
        return None
    return {"Definition": 0, "Height": vtt.get("cell_height") or 0, "Width": vtt.get("cell_width") or 0,
            "TotalCount": vtt.get("cues") or 0, "ImagePathSet": [o.get("path") for o in sheets],
            "WebVttPath": vtt.get("path", "")}


def task_input(record: RunRecord, sub: SubtaskRecord, rtype: str, params: Any) -> dict[str, Any]:
    """The task input as the service has it (Definition 0: MediaFlow tasks have no template ids)."""
    if rtype == "Transcode":
        entry: dict[str, Any] = {"Definition": 0, "WatermarkSet": _watermarks(record, sub)}
        outs = _media_outputs(sub)
        if outs:
            entry["OutputObjectPath"] = str(PurePath(str(outs[0].get("path"))).with_suffix(""))
        return entry
    if rtype == "SnapshotByTimeOffset":
        return {"Definition": 0, "ExtTimeOffsetSet": list(getattr(params, "offsets", None) or []), "WatermarkSet": []}
    if rtype == "SampleSnapshot":
        return {"Definition": 0, "WatermarkSet": []}
    if rtype == "AnimatedGraphics":
        entry = {"Definition": 0}
        for key, value in (("StartTimeOffset", _seconds(getattr(params, "start", ""))),
                           ("EndTimeOffset", _seconds(getattr(params, "end", "")))):
            if value is not None:
                entry[key] = value
        return entry
    return {"Definition": 0}


def output_entry(out: dict[str, Any]) -> dict[str, Any]:
    """One file in MediaFlow.Outputs (every file the step wrote, as MediaFlow has always listed them)."""
    entry = {"Path": out.get("path"), "Kind": out.get("kind"), "Size": out.get("size", 0)}
    for key, name in (("width", "Width"), ("height", "Height"), ("duration", "Duration")):
        if out.get(key):
            entry[name] = out[key]
    if out.get("time_offset") is not None:
        entry["TimeOffset"] = _ms(out["time_offset"])
    return entry


def definition_label(params: Any) -> str:
    return str(getattr(params, "definition", "") or "")


def result_of(record: RunRecord, sub: SubtaskRecord, iso_utc: Any) -> dict[str, Any] | None:
    """One MediaProcessResultSet entry; None for a watermark folded into transcodes."""
    kind = resolve_task_kind(sub.task_kind)
    if kind is not None and kind.id == "watermark" and sub.applied_in:
        return None
    rtype = "Transcode" if kind is None or kind.id == "watermark" else kind.result_type
    params = node_params(record, sub)
    output = {"Transcode": transcode_output, "SnapshotByTimeOffset": snapshot_output,
              "AnimatedGraphics": animated_output, "ImageSprites": sprite_output}.get(rtype)
    extras: dict[str, Any] = {
        "StepId": sub.step_id, "Name": sub.name, "TaskKind": sub.task_kind, "Definition": definition_label(params),
        "Status": sub.status.value, "ErrorCode": sub.error_code, "Progress": round(sub.progress, 1),
        "Speed": sub.speed, "Command": list(sub.command), "InputPath": sub.input,
        "Outputs": [output_entry(o) for o in sub.outputs],
    }
    task: dict[str, Any] = {
        "Status": service_status(sub.status),
        "ErrCode": error_number(sub.error_code),
        "ErrCodeExt": service_error(sub.error_code, sub.message),
        "Message": sub.message or ("SUCCESS" if sub.status == SubtaskStatus.SUCCESS else ""),
        "Input": task_input(record, sub, rtype, params),
        "Output": sample_output(sub, params) if rtype == "SampleSnapshot" else (output(sub) if output else None),
    }
    if rtype == "Transcode":
        task["Progress"] = int(round(sub.progress))
        extras.update(BeginProcessTime=iso_utc(sub.begin_time), FinishTime=iso_utc(sub.finish_time))
    else:
        task.update(BeginProcessTime=iso_utc(sub.begin_time), FinishTime=iso_utc(sub.finish_time))
    task["MediaFlow"] = extras
    return {"Type": rtype, RESULT_KEYS.get(rtype, f"{rtype}Task"): task}


def folded_watermarks(record: RunRecord) -> list[dict[str, Any]]:
    """The watermark nodes folded into transcodes (each appears in its hosts' Input.WatermarkSet)."""
    return [{"StepId": s.step_id, "Name": s.name, "Status": s.status.value, "AppliedIn": list(s.applied_in),
             "ErrorCode": s.error_code, "Message": s.message} for s in record.subtasks if s.applied_in]
