"""Real media dropped on the window: an HDR phone clip and an interlaced broadcast clip run the drawn
workflow (the same engine as the CLI) and come out as SDR BT.709 and progressive."""

from __future__ import annotations

from pathlib import Path

import pytest

from mediaflow_gui.model.kinds import NodeKind
from mediaflow_gui.model.params import SnapshotParams, TranscodeParams
from mediaflow_gui.model.workflow import Node, Workflow, task_node
from tests import media_factory
from tests.media import avcheck

from .conftest import until
from .test_runs import drop_files

pytestmark = pytest.mark.slow  # HDR and interlaced media through the GUI on real FFmpeg


def small_workflow() -> Workflow:
    wf = Workflow("real media")
    start = wf.add_node(Node(NodeKind.START, name="Start", position=(0, 0)))
    split = wf.add_node(Node(NodeKind.SPLIT, name="Split", position=(200, 0)))
    sd = wf.add_node(task_node("transcode", "SD", TranscodeParams(definition="SD", short_side=0,
                                                                  encoder_preset="ultrafast"), position=(400, -80)))
    shots = wf.add_node(task_node("snapshot", "Shots", SnapshotParams(offsets=["0.4s"], format="png"),
                                  position=(400, 80)))
    join = wf.add_node(Node(NodeKind.JOIN, name="Join", position=(600, 0)))
    end = wf.add_node(Node(NodeKind.END, name="End", position=(800, 0)))
    for a, b in ((start, split), (split, sd), (split, shots), (sd, join), (shots, join), (join, end)):
        wf.connect(a, b)
    return wf


@pytest.fixture(scope="module")
def real_media(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    d = tmp_path_factory.mktemp("gui_real")
    return [media_factory.make_hdr_video(d / "phone hdr.mp4", "pq", seconds=0.8, width=320, height=180),
            media_factory.make_interlaced(d / "broadcast.ts", width=320, height=256, seconds=0.8)]


def test_dropped_hdr_and_interlaced_files_come_out_right(window, run, real_media: list[Path]) -> None:
    window.controller.set_workflow(small_workflow())

    async def scenario() -> list[str]:
        drop_files(window, real_media)
        await until(lambda: window.tasks.model.rowCount() == 2)
        ids = list(window.tasks.model.sourceModel().task_ids) if hasattr(window.tasks.model, "sourceModel") \
            else list(window.tasks.model.task_ids)
        await until(lambda: all(window.adapter.run(t).finished for t in ids), timeout=60)
        return ids

    ids = run(scenario())
    outputs: dict[str, list[Path]] = {}
    for task_id in ids:
        live = window.adapter.run(task_id)
        assert live.result == "SUCCESS", live.message
        record = window.adapter.store.get(task_id)
        outputs[Path(record.input).name] = [Path(o["path"]) for s in record.subtasks for o in s.outputs]
    hdr_sd = next(p for p in outputs["phone hdr.mp4"] if p.suffix == ".mp4")
    props = avcheck.video_props(hdr_sd)
    assert (props.color_primaries, props.color_trc, props.pix_fmt) == ("bt709", "bt709", "yuv420p")
    ts_sd = next(p for p in outputs["broadcast.ts"] if p.suffix == ".mp4")
    assert avcheck.mostly_progressive(ts_sd)
    assert all(f.solid > 3 * f.blended for f in avcheck.marker_frames(ts_sd))
