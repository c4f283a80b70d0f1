"""Storage tests run against the real SeaweedFS server (tests/seaweed_fixture.py)."""

from tests.seaweed_fixture import fresh_bucket, seaweed, seaweed_client  # noqa: F401
