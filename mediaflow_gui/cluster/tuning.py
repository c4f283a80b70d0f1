"""Dask settings for workers that run FFmpeg rather than Python, used by `mediaflow cluster local` (and
the tests and benchmark through start_local_cluster) and by `mediaflow worker`.

Measured on this 2-core machine, an idle two-worker LocalCluster cost 0.17 of a core (scheduler 0.07,
workers 0.05 each): the worker's statistical profiler samples every thread each 10 ms, every process
ticks its event loop every 20 ms to notice blocking, and the system monitor polls every 0.5 s. With the
profiler off and both at 1 s it cost 0.05 — on a machine whose cores the FFmpeg processes need, the rest
was 30 % of the cluster's overhead per unit. The dashboard's profile page stays empty as a result; set
the values back (dask config or DASK_* variables) to have it.
"""

from __future__ import annotations

import os
from typing import Any

QUIET_CONFIG: dict[str, Any] = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "1s",
}


def env_name(key: str) -> str:
    """The DASK_* variable of a config key (Dask's own mapping: dots → __, dashes → _)."""
    return "DASK_" + key.replace(".", "__").replace("-", "_").upper()


def worker_environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """`base` (default os.environ) with QUIET_CONFIG as DASK_* variables, where the user set none."""
    env = dict(os.environ if base is None else base)
    for key, value in QUIET_CONFIG.items():
        env.setdefault(env_name(key), str(value))
    return env
