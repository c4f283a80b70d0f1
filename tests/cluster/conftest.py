"""Cluster tests: a real Dask LocalCluster (worker processes, as on a real cluster) and the real
SeaweedFS test server as the staging store. Each cluster is closed by the fixture that made it."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import pytest

from mediaflow_gui.cluster.local import start_local_cluster
from tests.seaweed_fixture import fresh_bucket, seaweed, seaweed_client  # noqa: F401


@contextmanager
def two_workers() -> Iterator[object]:
    """Two worker processes with one thread each, closed afterwards."""
    made = start_local_cluster(2, threads_per_worker=1)
    try:
        yield made
    finally:
        made.close()


@pytest.fixture(scope="module")
def cluster() -> Iterator[object]:
    """Shared by a module's tests (none of them kills a worker)."""
    with two_workers() as made:
        yield made


@pytest.fixture()
def own_cluster() -> Iterator[object]:
    """For one test that may kill its workers."""
    with two_workers() as made:
        yield made
