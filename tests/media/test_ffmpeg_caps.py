"""The FFmpeg capability probe: what the bundled FFmpeg 9 and Debian's 5.1 report, the cache
(keyed by mtime, shared by threads, kept on disk 0600), and binaries that are not ffmpeg."""

from __future__ import annotations

import dataclasses
import os
import stat
import threading
from pathlib import Path

import imageio_ffmpeg
import pytest

from mediaflow_gui.media import ffmpeg_caps
from mediaflow_gui.media.ffmpeg_caps import FFmpegCaps, capabilities
from mediaflow_gui.media.ffmpeg_locate import FFmpegNotFoundError, ffmpeg_version
from mediaflow_gui.media.ffmpeg_requirements import REQUIREMENTS, assess
from tests.ffmpeg_fakes import calls, make_old_ffmpeg

DEBIAN_FFMPEG = Path("/usr/bin/ffmpeg")
needs_debian = pytest.mark.skipif(not DEBIAN_FFMPEG.is_file(),
                                  reason="/usr/bin/ffmpeg is missing (CI installs Debian's FFmpeg 5.1 with apt)")


def test_bundled_ffmpeg_has_everything() -> None:
    caps = capabilities(imageio_ffmpeg.get_ffmpeg_exe())
    assert caps.path == Path(imageio_ffmpeg.get_ffmpeg_exe()).resolve()
    assert caps.version >= (6, 1) and caps.version_text.startswith(".".join(map(str, caps.version[:2])))
    assert caps.has_encoder("libx264") and caps.has_filter("zscale") and caps.has_muxer("mp4")
    assert caps.has_option("stats_enc_pre") and caps.has_option("-fps_mode") and caps.has_option("filter_threads")
    assert caps.has_decoder("h264")
    assert not caps.has_encoder("no-such-encoder") and not caps.has_option("no_such_option")
    assert caps.first_encoder("no-such-encoder", "libaom-av1", "libx264") == "libaom-av1"
    assert caps.first_encoder("no-such-encoder") is None
    assert ffmpeg_version(caps.path) == caps.version
    # everything MediaFlow relies on is there (the table names real FFmpeg names, not typos)
    assert [f.requirement.name for f in assess(caps).findings if not f.present] == []


@needs_debian
def test_debian_ffmpeg_answers_by_its_version() -> None:
    caps = capabilities(DEBIAN_FFMPEG)
    assert caps.version >= (4,), caps.version_text
    assert caps.has_encoder("libx264") and caps.has_filter("split") and caps.has_muxer("mp4")
    # -stats_enc_pre appeared in FFmpeg 6.1; Debian 12 ships 5.1
    assert caps.has_option("stats_enc_pre") == (caps.version >= (6, 1))
    if caps.version[:2] == (5, 1):
        assert not caps.has_option("stats_enc_pre") and caps.has_option("fps_mode") and caps.has_option("vsync")


def test_old_ffmpeg_lists_are_parsed(tmp_path: Path) -> None:
    """FFmpeg 4.x prints no separator above its filters; the 'A->V' column still tells entries apart."""
    caps = capabilities(make_old_ffmpeg(tmp_path))
    assert caps.version == (4, 2, 7) and caps.version_text == "4.2.7"
    assert caps.encoders == {"mjpeg", "png", "gif", "aac"}
    assert {"split", "asplit", "select", "metadata"} <= caps.filters and "T.." not in caps.filters
    assert caps.muxers == {"gif", "image2", "mp4"}
    assert caps.has_option("vsync") and not caps.has_option("fps_mode")


def test_cache_is_keyed_by_mtime(tmp_path: Path, _private_data_dir: Path) -> None:
    fake = make_old_ffmpeg(tmp_path)
    first = capabilities(fake)
    assert capabilities(fake) is first
    probes = len(calls(fake))
    assert probes == 5  # -encoders, -decoders, -filters, -muxers, -h long: once
    cache = _private_data_dir / ffmpeg_caps.CACHE_FILE
    assert cache.is_file() and stat.S_IMODE(cache.stat().st_mode) == 0o600
    ffmpeg_caps.forget()  # a new process: the answer comes from the data dir, FFmpeg is not started
    assert capabilities(fake) == first and len(calls(fake)) == probes
    st = fake.stat()
    os.utime(fake, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))  # "upgraded": probed again
    assert capabilities(fake) == first
    assert len(calls(fake)) == 2 * probes


def test_threads_asking_at_once_probe_once(tmp_path: Path) -> None:
    fake = make_old_ffmpeg(tmp_path)
    results: list[FFmpegCaps] = []
    threads = [threading.Thread(target=lambda: results.append(capabilities(fake, use_disk=False)))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(results) == 4 and all(r is results[0] for r in results)
    assert len(calls(fake)) == 5


def test_a_binary_that_is_not_ffmpeg(tmp_path: Path) -> None:
    script = tmp_path / "not-ffmpeg"
    script.write_text("#!/bin/sh\necho hello\n")
    script.chmod(0o755)
    with pytest.raises(FFmpegNotFoundError, match="does not answer like ffmpeg"):
        capabilities(script)
    with pytest.raises(FFmpegNotFoundError, match="missing-ffmpeg"):
        capabilities(tmp_path / "missing-ffmpeg")


def test_the_cache_file_round_trips(tmp_path: Path) -> None:
    caps = capabilities(make_old_ffmpeg(tmp_path))
    assert FFmpegCaps.from_dict(caps.to_dict()) == caps
    assert dataclasses.replace(caps, options=frozenset()) != caps


def test_requirement_table_is_consistent() -> None:
    kinds = {"encoder", "filter", "muxer", "option"}
    names = {(r.kind, r.name) for r in REQUIREMENTS}
    assert len(names) == len(REQUIREMENTS)  # no row twice
    for r in REQUIREMENTS:
        assert r.kind in kinds and r.used_for and r.without, r
        assert bool(r.fallback) == bool(r.instead), r  # a fallback says what MediaFlow does with it
        assert not r.backs_up or ("option", r.backs_up) in names or ("filter", r.backs_up) in names, r
