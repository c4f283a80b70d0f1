"""S3 helpers: names that cannot escape, output keys, content types, and test_connection's
diagnosis against the real SeaweedFS (and a few endpoints that are wrong on purpose)."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from mediaflow_gui.media.naming import fit_name, name_max
from mediaflow_gui.storage.embedded import port_is_free
from mediaflow_gui.storage.s3 import (MAX_KEY_BYTES, S3Connection, content_type_for, download_object,
                                      local_name_for_key, make_client, output_key, parse_s3_url, safe_local_path,
                                      test_connection, upload_file)
from mediaflow_gui.storage.watcher import list_objects
from tests.seaweed_fixture import READER_BUCKET, reader_connection


@pytest.mark.parametrize("key, expected", [
    ("clips/holiday.mp4", "holiday.mp4"),
    ("../../etc/passwd", "passwd"),
    ("/abs/path/x.mp4", "x.mp4"),
    ("a\\..\\..\\b.mp4", "b.mp4"),
    ("..", "object"),
    ("dir/", "object"),
    ("dir/..ü ñ.mp4", "ü ñ.mp4"),
    ("Ünïcödé 视频.mov", "Ünïcödé 视频.mov"),
    ("x/-leading.mp4", "-leading.mp4"),
    ("bad\x00name\x1f.mp4", "bad_name_.mp4"),
])
def test_local_name_for_key(key: str, expected: str) -> None:
    assert local_name_for_key(key) == expected


@pytest.mark.parametrize("key", ["../../../../tmp/evil.mp4", "/etc/passwd", "..", "a/../../b", "\\..\\x",
                                 "x" * 600 + ".mp4", "é" * 300 + ".mp4"])
def test_safe_local_path_stays_inside(tmp_path: Path, key: str) -> None:
    path = safe_local_path(tmp_path, key)
    assert path.parent == tmp_path.resolve()
    # room for the download's ".part" and boto3's ".<8 hex>" written before it
    assert len(path.name.encode()) <= name_max(tmp_path) - len(".part") - len(".0123abcd")
    path.with_name(path.name + ".part.0123abcd").write_bytes(b"x")  # a valid file name on this file system
    path.write_bytes(b"x")


def test_long_keys_give_readable_distinct_local_names() -> None:
    names = {local_name_for_key(f"in/{'é' * 200}{i}.mp4") for i in (1, 2)}
    assert len(names) == 2 and all(n.startswith("é" * 40) and n.endswith(".mp4") for n in names)
    assert all(len(n.encode()) <= 255 for n in names)


def test_output_keys_keep_whole_output_names() -> None:
    # output names are already unique and within NAME_MAX; cutting them to 200 bytes made
    # "<long>_sprite_1.jpg" and "<long>_sprite_2.jpg" one key, the second upload replacing the first
    names = [fit_name("é" * 120 + f"_sprite_{i}.jpg") for i in (1, 2)]
    keys = [output_key("out/", "in/clip.mp4", "in/", n) for n in names]
    assert keys == [f"out/{n}" for n in names] and keys[0] != keys[1]


def test_output_keys_stay_within_1024_bytes_and_255_per_segment() -> None:
    folders = "/".join(["d" * 200] * 4 + ["e" * 300])
    names = [fit_name("x" * 240 + f"_{i}.jpg") for i in (1, 2)]
    keys = [output_key("results/", f"in/{folders}/clip.mp4", "in/", n) for n in names]
    assert all(len(k.encode()) <= MAX_KEY_BYTES for k in keys) and keys[0] != keys[1]
    assert all(k.startswith("results/" + "d" * 200 + "/") and k.endswith("/" + n) for k, n in zip(keys, names))
    assert keys[0].rsplit("/", 1)[0] == keys[1].rsplit("/", 1)[0]  # one run's results share one folder
    segments = keys[0].split("/")
    assert ".." not in segments and "" not in segments and max(len(p.encode()) for p in segments) <= 255
    assert re.fullmatch(r"~[0-9a-f]{8}~", segments[-2])  # the folders that did not fit
    other = output_key("results/", f"in/{folders}x/clip.mp4", "in/", names[0])
    assert other != keys[0]  # another input folder, another key
    # a segment longer than 255 bytes alone is shortened (SeaweedFS refuses it: KeyTooLongError)
    long_segment = output_key("r/", "in/" + "f" * 300 + "/clip.mp4", "in/", "a.jpg")
    assert max(len(p.encode()) for p in long_segment.split("/")) <= 255 and long_segment.endswith("/a.jpg")


def test_output_key_mirrors_input_folders_and_drops_dot_segments() -> None:
    assert output_key("out", "in/2024/clip.mp4", "in/", "clip_1.jpg") == "out/2024/clip_1.jpg"
    assert output_key("out/", "clip.mp4", "", "clip_1.jpg") == "out/clip_1.jpg"
    assert output_key("", "a/../../b/clip.mp4", "", "x.jpg") == "a/b/x.jpg"
    assert output_key("r/", "v/clip.mp4", "", "../../x.jpg") == "r/v/x.jpg"


def test_content_types() -> None:
    assert content_type_for("a.mp4") == "video/mp4"
    assert content_type_for("a.WEBP") == "image/webp"
    assert content_type_for("a.vtt") == "text/vtt"
    assert content_type_for("a.gif") == "image/gif"
    assert content_type_for("a.jpg") == "image/jpeg"
    assert content_type_for("a.unknownext") == "application/octet-stream"


def test_parse_s3_url() -> None:
    loc = parse_s3_url("s3://bucket/dir/ü clip.mp4")
    assert (loc.bucket, loc.key) == ("bucket", "dir/ü clip.mp4")
    for bad in ("bucket/key", "s3://bucket", "s3:///key"):
        with pytest.raises(ValueError):
            parse_s3_url(bad)


def test_secret_is_not_in_repr() -> None:
    conn = S3Connection("x", "http://127.0.0.1:1", access_key="AK", secret_key="very-secret")
    assert "very-secret" not in repr(conn)
    assert conn.to_dict(with_secret=False)["secret_key"] == ""


# -- against the real store ------------------------------------------------------------------------

def test_connection_ok_lists_buckets(seaweed, fresh_bucket) -> None:  # type: ignore[no-untyped-def]
    diag = test_connection(seaweed.connection())
    assert diag.ok and diag.code == "OK"
    assert fresh_bucket in diag.buckets
    assert test_connection(seaweed.connection(), fresh_bucket).ok


def test_connection_wrong_secret(seaweed) -> None:  # type: ignore[no-untyped-def]
    conn = seaweed.connection()
    conn.secret_key = "wrong" + conn.secret_key
    diag = test_connection(conn)
    assert (diag.ok, diag.code) == (False, "BAD_SECRET")
    assert "secret key is wrong" in diag.message
    assert conn.secret_key not in diag.message


def test_connection_unknown_key(seaweed) -> None:  # type: ignore[no-untyped-def]
    conn = seaweed.connection()
    conn.access_key = "MFNOSUCHKEY000000000"
    diag = test_connection(conn)
    assert diag.code == "BAD_KEY"
    assert "access key" in diag.message


def test_connection_no_such_bucket(seaweed) -> None:  # type: ignore[no-untyped-def]
    diag = test_connection(seaweed.connection(), "no-such-bucket-here")
    assert diag.code == "NO_SUCH_BUCKET"
    assert "no-such-bucket-here" in diag.message


def test_connection_access_denied(seaweed, seaweed_client, fresh_bucket) -> None:  # type: ignore[no-untyped-def]
    try:
        seaweed_client.create_bucket(Bucket=READER_BUCKET)
    except ClientError:
        pass  # made by an earlier test
    reader = reader_connection(seaweed)
    assert test_connection(reader, READER_BUCKET).ok
    diag = test_connection(reader, fresh_bucket)
    assert diag.code == "ACCESS_DENIED", diag
    assert fresh_bucket in diag.message


def test_connection_refused() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert port_is_free(port)
    diag = test_connection(S3Connection("x", f"http://127.0.0.1:{port}", access_key="a", secret_key="b"))
    assert diag.code == "REFUSED", diag
    assert str(port) in diag.message


def test_connection_dns_failure() -> None:
    diag = test_connection(S3Connection("x", "http://no-such-host.invalid:9000", access_key="a", secret_key="b"))
    assert diag.code == "DNS"
    assert "no-such-host.invalid" in diag.message


def test_connection_tls_error(seaweed) -> None:  # type: ignore[no-untyped-def]
    conn = seaweed.connection()
    conn.endpoint_url = conn.endpoint_url.replace("http://", "https://")  # TLS to a plain-HTTP port
    diag = test_connection(conn, timeout=3)
    assert diag.code == "TLS", diag


def test_download_unicode_key_and_dotted_names(seaweed, seaweed_client, fresh_bucket, tmp_path) -> None:  # type: ignore[no-untyped-def]
    keys = ["clips/..ü ñ 视频.mp4", "%2e%2e/x.mp4", "-lead.mp4"]
    for i, key in enumerate(keys):
        seaweed_client.put_object(Bucket=fresh_bucket, Key=key, Body=f"data {i}".encode())
    for i, key in enumerate(keys):
        local = download_object(seaweed_client, fresh_bucket, key, tmp_path / "work")
        assert local.parent == (tmp_path / "work").resolve()
        assert local.read_bytes() == f"data {i}".encode()
    assert sorted(p.name for p in (tmp_path / "work").iterdir()) == sorted(["ü ñ 视频.mp4", "x.mp4",
                                                                          "-lead.mp4"])


def test_store_refuses_parent_segments_in_keys(seaweed_client, fresh_bucket) -> None:  # type: ignore[no-untyped-def]
    """SeaweedFS itself rejects `../` in keys: such an object can never reach the watcher from it
    (other stores may accept them; local_name_for_key covers those)."""
    with pytest.raises(ClientError):
        seaweed_client.put_object(Bucket=fresh_bucket, Key="../evil/ü.mp4", Body=b"x")


def test_upload_sets_content_type(seaweed_client, fresh_bucket, tmp_path) -> None:  # type: ignore[no-untyped-def]
    for name in ("a.vtt", "b.webp", "c.mp4"):
        path = tmp_path / name
        path.write_bytes(b"x")
        url = upload_file(seaweed_client, path, fresh_bucket, f"out/{name}", {"mediaflow-task-id": "mf-1"})
        assert url == f"s3://{fresh_bucket}/out/{name}"
        head = seaweed_client.head_object(Bucket=fresh_bucket, Key=f"out/{name}")
        assert head["ContentType"] == content_type_for(name)
        assert head["Metadata"]["mediaflow-task-id"] == "mf-1"


def test_multipart_in_progress_is_not_listed(seaweed_client, fresh_bucket) -> None:  # type: ignore[no-untyped-def]
    seaweed_client.put_object(Bucket=fresh_bucket, Key="done.mp4", Body=b"x")
    mp = seaweed_client.create_multipart_upload(Bucket=fresh_bucket, Key="big.mp4")
    part = seaweed_client.upload_part(Bucket=fresh_bucket, Key="big.mp4", UploadId=mp["UploadId"], PartNumber=1,
                                      Body=b"y" * (5 * 1024 * 1024))
    assert [o.key for o in list_objects(seaweed_client, fresh_bucket)] == ["done.mp4"]
    seaweed_client.complete_multipart_upload(
        Bucket=fresh_bucket, Key="big.mp4", UploadId=mp["UploadId"],
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    assert sorted(o.key for o in list_objects(seaweed_client, fresh_bucket)) == ["big.mp4", "done.mp4"]


def test_make_client_path_and_virtual() -> None:
    for style in ("path", "virtual"):
        client = make_client(S3Connection("x", "http://127.0.0.1:9", addressing=style, access_key="a",
                                          secret_key="b"))
        assert client.meta.config.s3["addressing_style"] == style
    conn = S3Connection("x", "http://127.0.0.1:9000", addressing="virtual")
    assert conn.http_url("b", "k ü.mp4") == "http://b.127.0.0.1:9000/k%20%C3%BC.mp4"


def test_listing_timestamps_are_read_without_dateutil_and_mean_the_same_instant() -> None:
    from botocore.utils import parse_timestamp as botocore_parse

    from mediaflow_gui.storage.s3 import parse_timestamp
    for value in ("2026-12-01T18:33:14.123Z", "2026-12-01T18:33:14Z", "2026-12-01T18:33:14.123456789Z",
                  "2026-12-01T18:33:14+08:00", "Tue, 01 Dec 2026 18:33:14 GMT", 1764614000):
        ours = parse_timestamp(value)
        assert ours.tzinfo is not None and ours.timestamp() == botocore_parse(value).timestamp(), value
    client = make_client(S3Connection("x", "http://127.0.0.1:9"))
    factory = client._endpoint._response_parser_factory  # the client's parsers use it
    assert factory._defaults.get("timestamp_parser") is parse_timestamp
