"""The real SeaweedFS server for tests: one `weed mini` per test session on free loopback ports,
stopped by PID at the end. Import the fixtures into a conftest.py to use them:

    from tests.seaweed_fixture import seaweed, seaweed_client, fresh_bucket  # noqa: F401

`seaweed` is the EmbeddedStore (its `.connection()` gives endpoint and keys); `fresh_bucket`
creates a new, uniquely named bucket for one test.
"""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path
from typing import Iterator

import pytest

from mediaflow_gui.storage.embedded import EmbeddedStore
from mediaflow_gui.storage.s3 import S3Connection, make_client

_bucket_numbers = itertools.count(1)
# a second identity that may only read and list one bucket (for "access denied" tests)
READER_BUCKET = "reader-only"
READER_KEYS = ("MFREADERKEY000000001", "reader-secret-for-tests-only-0000000000")


@pytest.fixture(scope="session")
def seaweed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStore]:
    root = tmp_path_factory.mktemp("seaweed")
    store = EmbeddedStore(root, prefer_default_ports=False)
    access, secret = store.credentials()  # generated as the app does on first start
    config = json.loads(store.config_path.read_text())
    config["identities"].append({"name": "reader",
                                 "credentials": [{"accessKey": READER_KEYS[0], "secretKey": READER_KEYS[1]}],
                                 "actions": [f"Read:{READER_BUCKET}", f"List:{READER_BUCKET}"]})
    store.config_path.write_text(json.dumps(config))
    os.chmod(store.config_path, 0o600)
    store.start(timeout=60)
    try:
        yield store
    finally:
        store.stop()


@pytest.fixture
def seaweed_client(seaweed: EmbeddedStore):  # type: ignore[no-untyped-def]
    return make_client(seaweed.connection())


@pytest.fixture
def fresh_bucket(seaweed_client) -> str:  # type: ignore[no-untyped-def]
    name = f"test-{next(_bucket_numbers):03d}-bucket"
    seaweed_client.create_bucket(Bucket=name)
    return name


def reader_connection(store: EmbeddedStore) -> S3Connection:
    return S3Connection("reader", store.endpoint_url, access_key=READER_KEYS[0], secret_key=READER_KEYS[1])


def save_connection(store: EmbeddedStore, data_dir: Path, name: str) -> S3Connection:
    """The store's connection saved under `name` in `data_dir`'s connections.json (what a CLI flag such
    as --connection or --staging-connection names)."""
    from mediaflow_gui.storage.connections import ConnectionRegistry

    conn = store.connection()
    conn.name = name
    ConnectionRegistry(data_dir / "connections.json").add(conn)
    return conn
