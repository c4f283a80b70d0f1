"""The status bar's cluster label: the workers when there are some, a warning when the cluster has none
(runs wait for one; a step fails after the no-workers timeout), the reason when it is not used."""

from __future__ import annotations

from mediaflow_gui.cluster.info import ClusterInfo, WorkerInfo
from mediaflow_gui.ui.execution import ClusterStatusLabel, ExecutionState

ADDRESS = "tcp://render-farm:8786"


def test_the_label_says_the_workers_and_warns_when_the_last_one_left(qtbot) -> None:  # noqa: ANN001
    label = ClusterStatusLabel()
    qtbot.addWidget(label)
    two = ClusterInfo(ADDRESS, [WorkerInfo(f"tcp://10.0.0.{i}:4000", f"w{i}", 1, 2**33) for i in (1, 2)])
    label.show_state(ExecutionState(ADDRESS, info=two))
    assert label.summary == f"Runs on Dask cluster {ADDRESS} · 2 workers"
    assert "tcp://10.0.0.1:4000" in label.toolTip()

    label.show_state(ExecutionState(ADDRESS, info=ClusterInfo(ADDRESS, [])))
    assert label.summary == f"⚠ Dask cluster {ADDRESS} has no workers: runs wait"
    assert f"mediaflow worker --scheduler {ADDRESS}" in label.toolTip() and "120 s" in label.toolTip()

    label.show_state(ExecutionState(ADDRESS, error="refused"))
    assert label.summary.startswith("⚠ Dask cluster not used") and "refused" in label.toolTip()
    label.show_state(ExecutionState())
    assert label.isHidden()
