"""A Dask LocalCluster with MediaFlow's worker set-up, for trying the cluster on one machine
(`mediaflow cluster local --workers N`) and for the tests and the benchmark."""

from __future__ import annotations

from typing import Any

PRELOAD = "mediaflow_gui.cluster.preload"


def start_local_cluster(workers: int = 2, threads_per_worker: int = 1, *, host: str = "127.0.0.1",
                        port: int = 0, dashboard: bool = False, processes: bool = True) -> Any:
    """A running distributed.LocalCluster (its `scheduler_address` is what Settings and --cluster take).

    Worker processes (the default) are what a real cluster has: an FFmpeg that dies with its worker, and
    a worker that can be killed without the scheduler. Loopback by default: nobody else reaches it."""
    import dask
    from distributed import LocalCluster

    from .tuning import QUIET_CONFIG

    if workers < 0:  # 0: a scheduler alone, for workers started elsewhere (`mediaflow worker`)
        raise ValueError(f"the number of workers cannot be negative ({workers})")
    # without the dashboard the scheduler still serves its small HTTP routes (health, metrics), by default
    # on 8787: a second cluster (or anything else there) would warn "Port 8787 is already in use"
    quiet_http = {} if dashboard else {"scheduler_kwargs": {"dashboard": False, "dashboard_address": f"{host}:0"}}
    with dask.config.set(QUIET_CONFIG):  # the scheduler reads it now, the nannies pass it to their workers
        return LocalCluster(n_workers=workers, threads_per_worker=threads_per_worker, processes=processes,
                            host=host, scheduler_port=port, dashboard_address=":0" if dashboard else None,
                            protocol="tcp://",  # threads in this process would get inproc://, which refuses a host
                            preload=[PRELOAD] if processes else [], **quiet_http)
