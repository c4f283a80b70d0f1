"""Cluster tests: a real Dask LocalCluster (worker processes, as on a real cluster) and the real
SeaweedFS test server as the staging store. Each cluster is closed by the fixture that made it."""

from __future__ import annotations

from typing import Iterator

import pytest

from mediaflow_gui.cluster.local import start_local_cluster
from tests.seaweed_fixture import fresh_bucket, seaweed, seaweed_client  # noqa: F401


@pytest.fixture(scope="module")
def cluster() -> Iterator[object]:
    """Two worker processes with one thread each, shared by a module's tests (none of them kills one)."""
    made = start_local_cluster(2, threads_per_worker=1)
    try:
        yield made
    finally:
        made.close()


@pytest.fixture()
def own_cluster() -> Iterator[object]:
    """A cluster for one test that may kill its workers."""
    made = start_local_cluster(2, threads_per_worker=1)
    try:
        yield made
    finally:
        made.close()
