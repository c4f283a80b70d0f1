"""Small test media made with FFmpeg's lavfi sources, shared by every test package.

Each helper writes one file and returns its path. Sizes and durations are kept small
because the test machine is shared (2 cores) and the whole suite must stay fast.
The ffmpeg used is the one the app would find (setting → PATH → imageio-ffmpeg).
"""

from __future__ import annotations

import subprocess
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=1)
def ffmpeg_exe() -> str:
    """The ffmpeg binary the tests use (the app's own lookup, so both agree)."""
    from mediaflow_gui.media.ffmpeg_locate import find_ffmpeg

    return str(find_ffmpeg().path)


def run_ffmpeg(args: list[str]) -> None:
    """Run ffmpeg with `args` (without the binary); raise with FFmpeg's last lines on failure."""
    proc = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *args],
        capture_output=True, text=True, timeout=120,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"ffmpeg failed ({proc.returncode}): {proc.stderr[-2000:]}")


def make_video(path: Path, *, width: int = 320, height: int = 240, fps: int = 25, seconds: float = 4.0,
               audio: bool = True, vcodec: str = "libx264", rotation: int = 0) -> Path:
    """An H.264 (+AAC) clip of testsrc2 (+ a 440 Hz sine); mp4/mov/mkv by the suffix.

    `rotation` writes a display matrix (the way phones store portrait video): the coded
    frames stay width×height and players turn them.
    """
    path = Path(path)
    args = ["-f", "lavfi", "-i", f"testsrc2=size={width}x{height}:rate={fps}:duration={seconds}"]
    if audio:
        args += ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=44100:duration={seconds}"]
    args += ["-map", "0:v"] + (["-map", "1:a"] if audio else [])
    args += ["-c:v", vcodec, "-pix_fmt", "yuv420p"]
    if vcodec == "libx264":
        args += ["-preset", "ultrafast", "-g", str(fps)]
    if audio:
        args += ["-c:a", "aac", "-b:a", "64k"]
    args += ["-shortest", str(path)]
    if rotation:
        tmp = path.with_name(path.stem + ".unrotated" + path.suffix)
        args[-1] = str(tmp)
        run_ffmpeg(args)
        run_ffmpeg(["-display_rotation", str(rotation), "-i", str(tmp), "-c", "copy", str(path)])
        tmp.unlink()
    else:
        run_ffmpeg(args)
    return path


def make_audio(path: Path, *, seconds: float = 3.0, codec: str = "aac") -> Path:
    """An audio-only file (m4a/AAC by default) of a 440 Hz sine."""
    path = Path(path)
    run_ffmpeg(["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=44100:duration={seconds}",
                "-c:a", codec, "-b:a", "64k", str(path)])
    return path


def make_png(path: Path, *, width: int = 64, height: int = 32, color: str = "red@1.0") -> Path:
    """A solid PNG with an alpha channel (an image watermark)."""
    path = Path(path)
    run_ffmpeg(["-f", "lavfi", "-i", f"color=c={color}:size={width}x{height}:duration=1",
                "-frames:v", "1", "-pix_fmt", "rgba", str(path)])
    return path


def make_corrupt(path: Path, size: int = 4096) -> Path:
    """A file with a media extension and random-looking bytes (not media)."""
    path = Path(path)
    data = bytes((i * 131 + 7) % 251 for i in range(size))
    path.write_bytes(data)
    return path


def make_truncated(source: Path, path: Path, keep: float = 0.3) -> Path:
    """The first `keep` fraction of a real mp4 (moov at the end is lost, like a broken upload)."""
    data = Path(source).read_bytes()
    path = Path(path)
    path.write_bytes(data[: max(1, int(len(data) * keep))])
    return path
