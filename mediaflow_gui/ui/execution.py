"""Where runs execute, as the GUI says it: this computer, or a Dask cluster (issue 16).

`ExecutionState` is what AppContext.apply_cluster_settings() reports on `AppSignals.execution_changed`
(connecting, connected with the cluster's ClusterInfo, or refused with the reason: runs stay on this
computer); `ClusterStatusLabel` is the status bar's permanent label for it, next to the FFmpeg one: empty
and hidden for this computer, "Runs on Dask cluster tcp://… · 2 workers" when connected. The sentences
about a cluster and its workers (also the Settings → Execution page's Test result) are made here, in the
user's language; cluster/info.py's own summary stays English for the CLI.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from ..cluster.info import ClusterInfo, WorkerInfo
from ..cluster.settings import DEFAULT_NO_WORKERS_TIMEOUT
from .i18n import translate


def workers_text(n: int) -> str:
    # singular and plural as two sources (not Qt's "%n worker(s)"): English reads right with no translation
    return (translate("Execution", "{0} worker") if n == 1 else translate("Execution", "{0} workers")).format(n)


def threads_text(n: int) -> str:
    return (translate("Execution", "{0} thread") if n == 1 else translate("Execution", "{0} threads")).format(n)


@dataclass(frozen=True)
class ExecutionState:
    """Where new runs go. `address` "": this computer. With an address: `connecting` while
    Runtime.use_cluster is under way, then `info` (connected) or `error` (refused: runs stay here)."""

    address: str = ""
    info: ClusterInfo | None = None
    error: str = ""
    connecting: bool = False

    @property
    def on_cluster(self) -> bool:
        return bool(self.address) and self.info is not None and not self.connecting


def memory_text(n_bytes: int) -> str:
    """Bytes as the settings show memory: "23.5 GB" (decimal, as Dask's dashboard), "" for no limit."""
    if n_bytes <= 0:
        return ""
    if n_bytes >= 1e9:
        return f"{n_bytes / 1e9:.1f} GB"
    return f"{n_bytes / 1e6:.0f} MB"


def cluster_summary(info: ClusterInfo) -> str:
    """"2 workers · 2 threads · 23.5 GB" in the user's language; "no workers yet" when none joined."""
    if not info.workers:
        return translate("Execution", "no workers yet")
    memory = memory_text(sum(w.memory for w in info.workers))
    parts = [workers_text(len(info.workers)), threads_text(info.threads)]
    return " · ".join(parts + ([memory] if memory else []))


def _worker_parts(worker: WorkerInfo) -> tuple[str, str, str]:
    """(who, "2 threads · 8.0 GB", FFmpeg line) of one worker: its address (and name when it has its
    own), threads, memory limit, and its FFmpeg as MediaFlow chose it there (the worker's own words)."""
    if worker.name in ("", worker.address):
        who = worker.address
    elif worker.name.isdigit():  # a LocalCluster numbers its workers: "0" alone reads like a count
        who = translate("Execution", "worker {0} ({1})").format(worker.name, worker.address)
    else:
        who = f"{worker.name} ({worker.address})"
    memory = memory_text(worker.memory) or translate("Execution", "no memory limit")
    ffmpeg = worker.ffmpeg or translate("Execution", "FFmpeg not checked")
    return who, f"{threads_text(worker.threads)} · {memory}", ffmpeg


def _head(info: ClusterInfo) -> str:
    return translate("Execution", "Connected to {0}: {1}").format(info.address, cluster_summary(info))


def cluster_report(info: ClusterInfo) -> str:
    """The cluster in plain text (the status bar's tooltip): the summary line, then each worker on two lines."""
    lines = [_head(info)]
    for who, resources, ffmpeg in map(_worker_parts, info.workers):
        lines += [f"{who}: {resources}", f"    {ffmpeg}"]
    return "\n".join(lines)


def cluster_report_html(info: ClusterInfo) -> str:
    """The same as rich text for the Test result: each worker's FFmpeg line indented as a block, so a
    long FFmpeg path that wraps stays under its worker."""
    rows = "".join(f"<div style='margin-top:3px'>{html.escape(who)}: {html.escape(resources)}</div>"
                   f"<div style='margin-left:18px'>{html.escape(ffmpeg)}</div>"
                   for who, resources, ffmpeg in map(_worker_parts, info.workers))
    return f"<div>{html.escape(_head(info))}</div>{rows}"


class ClusterStatusLabel(QLabel):
    """The status bar's permanent "where runs go" label: hidden for this computer; the cluster and
    its worker count when connected (workers in the tooltip); a warning while the chosen cluster is
    not used (the reason in the tooltip: runs go to this computer meanwhile)."""

    MAX_WIDTH = 480

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self.setObjectName("cluster_status")
        self.setProperty("role", "hint")
        self.setContentsMargins(12, 0, 0, 0)  # apart from the FFmpeg sentence before it
        self.state = ExecutionState()
        self.summary = ""  # the full sentence shown (elided) in the label
        self.hide()

    def show_state(self, state: ExecutionState) -> None:
        self.state = state
        if not state.address:
            self.summary = ""
            self.setToolTip("")
            self.setText("")
            self.hide()
            return
        if state.connecting:
            self.summary = translate("Execution", "Connecting to Dask cluster {0}…").format(state.address)
            tip = self.summary
        elif state.info is not None and not state.info.workers:  # runs wait; their steps fail after a while
            self.summary = "⚠ " + translate("Execution", "Dask cluster {0} has no workers: runs wait").format(
                state.address)
            tip = translate("Execution", "Start a worker with: mediaflow worker --scheduler {0}\nA step that "
                                         "waits {1} s without any worker fails.").format(
                state.address, f"{DEFAULT_NO_WORKERS_TIMEOUT:g}")
        elif state.info is not None:
            self.summary = translate("Execution", "Runs on Dask cluster {0} · {1}").format(
                state.address, workers_text(len(state.info.workers)))
            tip = cluster_report(state.info)
        else:
            self.summary = "⚠ " + translate("Execution", "Dask cluster not used: runs on this computer")
            tip = translate("Execution", "Could not use the Dask cluster at {0}: {1}").format(state.address,
                                                                                               state.error)
        self.setToolTip(tip)
        self.setText(self.fontMetrics().elidedText(self.summary, Qt.TextElideMode.ElideMiddle, self.MAX_WIDTH))
        self.show()
