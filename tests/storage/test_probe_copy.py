"""A bucket run that executes on a cluster fetches only a probe copy of its object (s3.download_probe_copy):
its head and tail in a sparse file of its size. The probe of that copy must say what the probe of the
whole file says — for the containers whose index sits at the end (MP4 without faststart), whose
duration is read from the last packets (MPEG-TS) and with several tracks (MKV) — while only the head
and the tail travel."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from mediaflow_gui.media.probe import probe
from mediaflow_gui.storage.s3 import download_probe_copy
from tests import media_factory
from tests.seaweed_fixture import fresh_bucket, seaweed, seaweed_client  # noqa: F401

# the production sizes (128 MB, 16 MB) scaled to test media: the head still holds what probing a TS
# reads (its first packets, for the audio's bit rate), the tail the 250,000 bytes FFmpeg reads first
# from the end of a TS for its duration (it goes back up to 16 MB, 250,000 << 6)
HEAD, TAIL = 1024 * 1024, 256 * 1024


class CountingClient:
    """The S3 client, counting the bytes each GET brought."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.ranges: list[str] = []
        self.got = 0

    def head_object(self, **kw: Any) -> Any:
        return self._client.head_object(**kw)

    def get_object(self, **kw: Any) -> Any:
        self.ranges.append(kw.get("Range", ""))
        answer = self._client.get_object(**kw)
        self.got += int(answer["ContentLength"])
        return answer

    def download_file(self, *args: Any, **kw: Any) -> Any:
        self.ranges.append("whole")
        return self._client.download_file(*args, **kw)


def _described(path: Path) -> dict[str, Any]:
    info = dataclasses.asdict(probe(path))
    info.pop("path")
    return info


@pytest.mark.parametrize("make", [
    lambda d: media_factory.make_video(d / "moov at the end.mp4", width=640, height=360, seconds=12),
    lambda d: media_factory.make_interlaced(d / "broadcast.ts", width=720, height=576, seconds=5),
    lambda d: media_factory.make_multitrack(d / "film.mkv", seconds=20),
], ids=["mp4", "ts", "mkv"])
def test_the_probe_copy_probes_like_the_whole_object_and_only_its_ends_travel(
        make: Any, tmp_path: Path, seaweed_client: Any, fresh_bucket: str) -> None:  # noqa: F811
    source = make(tmp_path)
    size = source.stat().st_size
    assert size > 2 * (HEAD + TAIL), size  # the middle is most of it
    key = f"in/{source.name}"
    seaweed_client.upload_file(str(source), fresh_bucket, key)
    client = CountingClient(seaweed_client)

    copy = download_probe_copy(client, fresh_bucket, key, tmp_path / "fetched", head=HEAD, tail=TAIL, whole_up_to=0)

    assert copy.name == source.name and copy.stat().st_size == size
    assert client.ranges == [f"bytes=0-{HEAD - 1}", f"bytes={size - TAIL}-{size - 1}"]
    assert client.got == HEAD + TAIL
    assert _described(copy) == _described(source)
    assert not list(copy.parent.glob("*.part"))
    assert seaweed_client.head_object(Bucket=fresh_bucket, Key=key)["ContentLength"] == size  # untouched


def test_a_small_object_is_fetched_whole(tmp_path: Path, seaweed_client: Any, fresh_bucket: str) -> None:  # noqa: F811
    source = media_factory.make_video(tmp_path / "short.mp4", seconds=1)
    seaweed_client.upload_file(str(source), fresh_bucket, "short.mp4")
    client = CountingClient(seaweed_client)
    copy = download_probe_copy(client, fresh_bucket, "short.mp4", tmp_path / "fetched")
    assert client.ranges == ["whole"] and copy.read_bytes() == source.read_bytes()
