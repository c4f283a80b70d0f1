"""The event payload for a run whose paths are not valid UTF-8: valid UTF-8 JSON, paths in display
form (\\xNN), and uploaded outputs still matched to their delivery (by that same form)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

from mediaflow_gui.engine.run_state import RunRecord, SubtaskRecord
from mediaflow_gui.engine.store import task_query_dict
from mediaflow_gui.model.statuses import RunResult, RunStatus, SubtaskStatus
from mediaflow_gui.notify.payload import build_event, encode


@dataclass
class _Delivery:
    path: str
    bucket: str = "out"
    key: str = "results/x.mp4"
    url: str = "s3://out/results/x.mp4"
    http_url: str = "http://store/out/results/x.mp4"
    content_type: str = "video/mp4"


def test_undecodable_paths_give_valid_json_and_keep_their_delivery() -> None:
    folder = os.fsdecode(b"/work/mf-1/out \xff")
    output = f"{folder}/clip_SD.mp4"
    record = RunRecord("mf-20260101-00000001", "W", os.fsdecode(b"s3://in/caf\xe9.mp4"), RunStatus.FINISH,
                       RunResult.SUCCESS, "", "", 1.0, 2.0, 3.0, out_dir=folder,
                       subtasks=[SubtaskRecord("s1", "SD", "transcode", SubtaskStatus.SUCCESS, 100.0,
                                               outputs=[{"path": output, "kind": "video", "size": 1}])])
    event = build_event(task_query_dict(record), [_Delivery(output)],
                        trigger={"Type": "Manual", "Note": os.fsdecode(b"\xfe")})
    data = json.loads(encode(event).decode("utf-8"))
    task = data["WorkflowTaskEvent"]["MediaProcessResultSet"][0]["TranscodeTask"]
    [out] = task["MediaFlow"]["Outputs"]
    assert out["Path"] == "/work/mf-1/out \\xff/clip_SD.mp4" and out["Url"] == "s3://out/results/x.mp4"
    assert task["Output"]["Path"] == out["Path"]
    assert data["WorkflowTaskEvent"]["InputInfo"]["S3InputInfo"]["S3Object"] == "caf\\xe9.mp4"
    assert data["WorkflowTaskEvent"]["MediaFlow"]["Trigger"]["Note"] == "\\xfe"
