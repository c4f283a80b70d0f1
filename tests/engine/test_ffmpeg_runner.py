"""The FFmpeg runner: progress parsing, error capture, stderr draining and cancellation (real FFmpeg)."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path

import pytest

from mediaflow_gui.engine import ffmpeg_runner
from mediaflow_gui.engine.ffmpeg_runner import FFmpegError, meaningful_error_lines, run_ffmpeg
from mediaflow_gui.media.base import FFmpegJob
from tests.engine.helpers import ffmpeg_children
from tests.media_factory import ffmpeg_exe


WATCHERS = ["pidfd", "asyncio"] if ffmpeg_runner._can_use_pidfd() else ["asyncio"]


@pytest.fixture(autouse=True, params=WATCHERS)
def watcher(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every runner test runs with both ways of watching a process (pidfd readers, asyncio streams)."""
    monkeypatch.setattr(ffmpeg_runner, "USE_PIDFD", request.param == "pidfd")
    return request.param


@pytest.mark.slow  # FFmpeg at real-time speed (-re)
def test_progress_is_parsed_into_rising_percent_ending_at_100(tmp_path: Path) -> None:
    out = tmp_path / "out.mp4"
    # -stats_period makes FFmpeg write a progress block every 0.1 s of wall time; -re paces the input
    job = FFmpegJob([ffmpeg_exe(), "-stats_period", "0.1", "-re", "-f", "lavfi", "-i",
                     "testsrc2=size=160x120:rate=10:duration=1.5", "-c:v", "libx264", "-preset", "ultrafast",
                     str(out)], duration=1.5)
    seen: list[tuple[float, float | None]] = []
    state = asyncio.run(run_ffmpeg(job, lambda p, s: seen.append((p, s)), min_interval=0.0))
    percents = [p for p, _ in seen]
    assert len(percents) >= 3, seen  # intermediate blocks, not just the end
    assert percents == sorted(percents)
    assert all(0.0 <= p <= 100.0 for p in percents)
    assert percents[-1] == 100.0 and percents[-2] < 100.0
    assert state.ended and state.out_time > 1.0
    assert any(s is not None and s > 0 for _, s in seen)
    assert out.stat().st_size > 0


@pytest.mark.slow  # FFmpeg at real-time speed
def test_throttle_limits_callbacks(tmp_path: Path) -> None:
    job = FFmpegJob([ffmpeg_exe(), "-stats_period", "0.05", "-re", "-f", "lavfi", "-i",
                     "testsrc2=size=160x120:rate=10:duration=1", "-f", "null", "-"], duration=1.0)
    unthrottled: list[float] = []
    throttled: list[float] = []
    asyncio.run(run_ffmpeg(job, lambda p, s: unthrottled.append(p), min_interval=0.0))
    asyncio.run(run_ffmpeg(job, lambda p, s: throttled.append(p), min_interval=10.0))
    assert len(unthrottled) > 3
    assert throttled[-1] == 100.0
    assert len(throttled) == 2  # the first value, then only the forced final one


def test_failure_raises_with_exit_code_last_error_lines_and_command(tmp_path: Path) -> None:
    missing = tmp_path / "does not exist.mp4"
    job = FFmpegJob([ffmpeg_exe(), "-i", str(missing), "-f", "null", "-"], duration=None)
    with pytest.raises(FFmpegError) as info:
        asyncio.run(run_ffmpeg(job))
    err = info.value
    assert err.exit_code != 0
    assert err.command == job.args  # the job's own argv, without the inserted progress flags
    assert any("No such file" in line for line in err.error_lines)
    assert not any(line.startswith("configuration:") for line in err.error_lines)
    assert "No such file" in str(err)


def test_loud_stderr_does_not_block(tmp_path: Path) -> None:
    # -loglevel debug writes far more than a pipe buffer; the runner must drain it while FFmpeg runs
    job = FFmpegJob([ffmpeg_exe(), "-loglevel", "debug", "-f", "lavfi", "-i",
                     "testsrc2=size=160x120:rate=25:duration=2", "-f", "null", "-"], duration=2.0)
    percents: list[float] = []
    # bounded: a runner that stopped draining stderr would leave FFmpeg blocked on a full pipe
    state = asyncio.run(asyncio.wait_for(run_ffmpeg(job, lambda p, s: percents.append(p), min_interval=0.0), 60))
    # the whole 2 s went through and progress kept being read to the end
    assert state.ended and state.out_time == pytest.approx(2.0, abs=0.1)
    assert percents and percents[-1] == 100.0


def test_meaningful_error_lines_skip_banner() -> None:
    lines = ["ffmpeg version 9", "  configuration: --enable-gpl --enable-error-thing", "Input #0, mov, from 'x':",
             "[h264 @ 0x1] Invalid NAL unit size", "Conversion failed!"]
    assert meaningful_error_lines(lines) == ["[h264 @ 0x1] Invalid NAL unit size", "Conversion failed!"]


def test_cancel_kills_the_process_and_reraises(tmp_path: Path) -> None:
    out = tmp_path / "long.mp4"
    job = FFmpegJob([ffmpeg_exe(), "-re", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=10:duration=60",
                     "-c:v", "libx264", "-preset", "ultrafast", str(out)], duration=60.0)

    async def scenario() -> None:
        started = asyncio.Event()
        task = asyncio.create_task(run_ffmpeg(job, lambda p, s: started.set(), min_interval=0.0))
        await asyncio.wait_for(started.wait(), 60)
        assert ffmpeg_children(), "FFmpeg should be running"
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(scenario())
    assert ffmpeg_children() == []


@pytest.mark.slow  # real-time FFmpeg runs
def test_encoder_log_keeps_progress_moving_while_a_sprite_output_holds_back_progress(tmp_path: Path) -> None:
    # a tile output starts only when its sheet is full (here: at the end), and FFmpeg's -progress
    # stays silent until every output has started; the encoder's per-frame log must fill the gap
    stats = tmp_path / "stats.txt"
    args = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-re", "-f", "lavfi", "-i",
            "testsrc2=d=2.5:s=160x120:r=10", "-filter_complex", "[0:v]split=2[a][b];[b]tile=5x5[t]",
            "-map", "[a]", "-c:v", "mjpeg", "-stats_enc_pre:v:0", str(stats), "-stats_enc_pre_fmt:v:0", "{t}",
            str(tmp_path / "a.avi"), "-map", "[t]", str(tmp_path / "sheet_%d.jpg")]
    seen: list[float] = []
    speeds: list[float | None] = []

    def progress(pct: float, speed: float | None) -> None:
        seen.append(pct)
        speeds.append(speed)

    asyncio.run(run_ffmpeg(FFmpegJob(args, duration=2.5, stats_file=str(stats)), progress, min_interval=0.1))
    during = [p for p in seen if 0 < p < 90]
    assert len(during) >= 3, seen  # without the log: nothing between the start and ~96 %
    assert seen == sorted(seen) and seen[-1] == 100.0
    # the speed comes from the log too while -progress is silent (-re: real time after a half-second
    # initial burst, so 1–2×)
    logged = [v for p, v in zip(seen, speeds) if 30 < p < 90]
    assert logged and all(v is not None and 0.3 < v < 3 for v in logged), list(zip(seen, speeds))


def test_a_missing_binary_raises_oserror(tmp_path: Path) -> None:
    job = FFmpegJob([str(tmp_path / "no-ffmpeg-here"), "-version"], duration=None)
    with pytest.raises(OSError):
        asyncio.run(run_ffmpeg(job))


def test_output_split_across_chunks_is_parsed_whole() -> None:
    seen: list[float] = []
    parser = ffmpeg_runner._OutputParser(ffmpeg_runner._Throttle(lambda p, s: seen.append(p), 0.0), 10.0, 5)
    for piece in (b"out_time_us=50", b"00000\nspeed=2.0x\nprog", b"ress=continue\n", b"progress=end"):
        parser.feed_stdout(piece)
    parser.feed_stderr(b"[h264] first\r[h264] sec")
    parser.feed_stderr(b"ond line\n\nlast without newline")
    parser.close()
    assert seen == [50.0]
    assert parser.state.speed == 2.0 and parser.state.ended
    assert list(parser.tail) == ["[h264] first", "[h264] second line", "last without newline"]


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to count open files")
def test_no_file_descriptor_is_left_open(tmp_path: Path) -> None:
    ok = FFmpegJob([ffmpeg_exe(), "-f", "lavfi", "-i", "testsrc2=d=0.2:s=64x48", "-f", "null", "-"], duration=0.2)
    bad = FFmpegJob([ffmpeg_exe(), "-i", str(tmp_path / "missing.mp4"), "-f", "null", "-"], duration=None)

    async def scenario() -> None:
        await run_ffmpeg(ok)
        with pytest.raises(FFmpegError):
            await run_ffmpeg(bad)

    asyncio.run(scenario())  # the first loop opens its own selector fds once
    # garbage of earlier tests (an event loop never closed) would close its fds whenever the collector
    # runs, in the middle of the count: collect it first, so only this test's fds are counted
    gc.collect()
    before = len(list(Path("/proc/self/fd").iterdir()))
    for _ in range(3):
        asyncio.run(scenario())
    assert len(list(Path("/proc/self/fd").iterdir())) == before
