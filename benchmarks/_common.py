"""Helpers the benchmark scripts share: the ffmpeg binary, cached lavfi media, file properties, load.

Benchmarks are run by hand (`python benchmarks/<name>.py`), never in CI. They print plain text.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(REPO))


def ffmpeg_exe() -> str:
    from mediaflow_gui.media.ffmpeg_locate import find_ffmpeg

    return str(find_ffmpeg().path)


def bench_dir(path: str | None = None) -> Path:
    """Where generated media are cached between runs (default: <tmp>/mediaflow-bench)."""
    d = Path(path) if path else Path(tempfile.gettempdir()) / "mediaflow-bench"
    d.mkdir(parents=True, exist_ok=True)
    return d


def make_clip(path: Path, *, width: int, height: int, fps: int, seconds: float, audio: bool = True,
              preset: str = "veryfast", gop: int | None = None) -> Path:
    """An H.264 (+AAC) testsrc2 clip, made once and reused (the name should carry the parameters)."""
    if path.is_file() and path.stat().st_size > 0:
        return path
    tmp = path.with_name(path.stem + ".part" + path.suffix)
    args = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", f"testsrc2=size={width}x{height}:rate={fps}:duration={seconds}"]
    if audio:
        args += ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}"]
    args += ["-map", "0:v"] + (["-map", "1:a"] if audio else [])
    args += ["-c:v", "libx264", "-preset", preset, "-crf", "20", "-g", str(gop or fps * 2), "-pix_fmt", "yuv420p"]
    if audio:
        args += ["-c:a", "aac", "-b:a", "128k"]
    args += ["-shortest", "-f", "mp4", str(tmp)]
    subprocess.run(args, check=True)
    tmp.rename(path)
    return path


def make_hdr_clip(path: Path, *, width: int, height: int, fps: int, seconds: float) -> Path:
    """A PQ HDR10 clip like a phone's: HEVC Main 10 (x265, yuv420p10le) tagged BT.2020 / smpte2084 with
    mastering metadata, + AAC; the picture is testsrc2 really converted to PQ (SDR white at 203 nits,
    BT.2408). Made once and reused."""
    if path.is_file() and path.stat().st_size > 0:
        return path
    tmp = path.with_name(path.stem + ".part" + path.suffix)
    to_pq = ("format=yuv420p,setparams=color_primaries=bt709:color_trc=bt709:colorspace=bt709:range=tv,"
             "zscale=t=linear:npl=203,format=gbrpf32le,zscale=p=bt2020,"
             "zscale=t=smpte2084:m=bt2020nc:r=limited:npl=203,format=yuv420p10le")
    x265 = ("log-level=error:colorprim=bt2020:transfer=smpte2084:colormatrix=bt2020nc:hdr10=1:"
            "master-display=G(13250,34500)B(7500,3000)R(34000,16000)WP(15635,16450)L(10000000,1):max-cll=1000,400")
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
                    "-f", "lavfi", "-i", f"testsrc2=size={width}x{height}:rate={fps}:duration={seconds}",
                    "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}",
                    "-map", "0:v", "-map", "1:a", "-vf", to_pq, "-c:v", "libx265", "-preset", "veryfast",
                    "-crf", "20", "-x265-params", x265, "-tag:v", "hvc1", "-color_primaries", "bt2020",
                    "-color_trc", "smpte2084", "-colorspace", "bt2020nc", "-color_range", "tv",
                    "-c:a", "aac", "-b:a", "128k", "-shortest", "-f", "mp4", str(tmp)], check=True)
    tmp.rename(path)
    return path


def make_interlaced_clip(path: Path, *, width: int, height: int, fields: int, seconds: float) -> Path:
    """A broadcast-style interlaced clip: testsrc2 at the field rate woven top field first
    (tinterlace), H.264 coded interlaced (+ildct+ilme, tff) in MPEG-TS, + AAC. Made once and reused."""
    if path.is_file() and path.stat().st_size > 0:
        return path
    tmp = path.with_name(path.stem + ".part" + path.suffix)
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
                    "-f", "lavfi", "-i", f"testsrc2=size={width}x{height}:rate={fields}:duration={seconds}",
                    "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}",
                    "-map", "0:v", "-map", "1:a", "-vf", "tinterlace=mode=interleave_top,setfield=tff",
                    "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-flags", "+ildct+ilme",
                    "-x264-params", "tff=1", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k",
                    "-shortest", "-f", "mpegts", str(tmp)], check=True)
    tmp.rename(path)
    return path


@dataclass(frozen=True)
class Props:
    """What must match between two runs' outputs."""

    codec: str
    width: int
    height: int
    duration: float  # rounded to 0.1 s
    frames: int  # video packets (= frames for these codecs), 1 for still images

    def __str__(self) -> str:
        return f"{self.codec} {self.width}x{self.height} {self.duration:.1f}s {self.frames}f"


def file_props(path: Path) -> Props:
    import av

    with av.open(str(path)) as c:
        if not c.streams.video:
            a = c.streams.audio[0]
            return Props(a.codec_context.codec.name, 0, 0, round((c.duration or 0) / av.time_base, 1), 0)
        v = c.streams.video[0]
        codec, w, h = v.codec_context.codec.name, v.codec_context.width, v.codec_context.height
        duration = round((c.duration or 0) / av.time_base, 1)
        frames = sum(1 for p in c.demux(v) if p.size)
    return Props(codec, w, h, duration, frames)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def load_text() -> str:
    la = os.getloadavg()
    return f"load average {la[0]:.2f} {la[1]:.2f} {la[2]:.2f} on {os.cpu_count()} cores"


class Timer:
    def __enter__(self) -> "Timer":
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.start


def children_cpu() -> float:
    """CPU seconds (user + system) of this process's finished children so far."""
    import resource

    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_checked(argv: list[str]) -> None:
    proc = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"FFmpeg failed ({proc.returncode}): {' '.join(argv)}\n{proc.stderr[-2000:]}")
