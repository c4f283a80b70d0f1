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


# --- Real-world-like inputs (issue 9: HDR, interlaced and camera files) ---------------------------
# Each maker below states what the file holds; tests/media/test_media_factory.py reads every one
# back (PyAV, FFmpeg's idet) to prove it. The picture is testsrc2 scrolled sideways by 1 % of the
# width per frame: still testsrc2 has fine details that FFmpeg's idet takes for combing (it calls a
# plain progressive testsrc2 clip mostly "TFF"), the scrolled one it calls progressive, and once
# woven every field differs from its neighbour, so interlacing shows as combing everywhere.
#
# Interlaced makers also draw a *marker*: the top MARKER_BAND of the picture is black with a white
# bar MARKER_BAR of the width wide that moves MARKER_STEP of the width per field, wrapping at the
# right edge (x = n·step mod (1 − bar)). Because a field moves it further than its own width, any
# output that still mixes two fields (woven, or merely scaled) shows two half-grey bars and no solid
# one, while a deinterlaced frame shows one solid bar whose position tells which field it came
# from. tests/media/avcheck.py's marker_track reads it.
MARKER_BAND = 1 / 6
MARKER_BAR = 1 / 24
MARKER_STEP = 1 / 15

# HDR10 static metadata written by make_hdr_video for PQ (a P3-D65 1000-nit mastering display)
HDR_MASTER_DISPLAY = "G(13250,34500)B(7500,3000)R(34000,16000)WP(15635,16450)L(10000000,1)"
HDR_MAX_CLL = (1000, 400)  # MaxCLL, MaxFALL in nits
HDR_TRANSFERS = {"pq": "smpte2084", "hlg": "arib-std-b67"}
# make_multitrack: the language, tone and default flag of each audio track, in stream order
MULTITRACK_AUDIO = (("fra", 440, False), ("eng", 1000, True))
MULTITRACK_SUBTITLES = ((0.0, 0.9, "Hello"), (1.0, 1.9, "World"))


def _pattern(width: int, height: int, rate: str | int, seconds: float) -> list[str]:
    """lavfi input args of the test pattern: testsrc2 scrolling 1 % of the width per frame."""
    spec = f"testsrc2=size={width}x{height}:rate={rate}:duration={seconds},scroll=horizontal=0.01"
    return ["-f", "lavfi", "-i", spec]


def _fields_source(width: int, height: int, fields_per_second: int | str, seconds: float) -> list[str]:
    """lavfi input args of the pattern at the field rate with the marker band and bar drawn on top."""
    band = max(2, round(height * MARKER_BAND) // 2 * 2)
    bar, step = max(2, round(width * MARKER_BAR)), max(1, round(width * MARKER_STEP))
    graph = (f"testsrc2=size={width}x{height}:rate={fields_per_second}:duration={seconds},scroll=horizontal=0.01,"
             f"drawbox=x=0:y=0:w=iw:h={band}:color=black:t=fill[bg];"
             f"color=white:size={bar}x{band}:rate={fields_per_second}[bar];"
             f"[bg][bar]overlay=x='mod(n*{step},{width - bar})':y=0:shortest=1")
    return ["-f", "lavfi", "-i", graph]


def _tone(frequency: int, seconds: float, rate: int = 48000) -> list[str]:
    return ["-f", "lavfi", "-i", f"sine=frequency={frequency}:sample_rate={rate}:duration={seconds}"]


# the SDR picture both make_sdr_reference and make_hdr_video start from: 8-bit BT.709 limited range
_SDR_TAGS = "format=yuv420p,setparams=color_primaries=bt709:color_trc=bt709:colorspace=bt709:range=tv"


def make_sdr_reference(path: Path, *, seconds: float = 2.0, width: int = 640, height: int = 360,
                       fps: int = 25) -> Path:
    """The SDR original of make_hdr_video (same size, rate and frames): H.264 yuv420p in mp4 (or by
    suffix), tagged BT.709 primaries/transfer/matrix, limited (tv) range in stream and container; no audio.
    """
    path = Path(path)
    run_ffmpeg([*_pattern(width, height, fps, seconds), "-vf", _SDR_TAGS,
                "-c:v", "libx264", "-preset", "ultrafast", "-crf", "16", "-g", str(fps),
                "-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "bt709", "-color_range", "tv",
                str(path)])
    return path


def make_hdr_video(path: Path, transfer: str = "pq", *, seconds: float = 2.0, width: int = 640,
                   height: int = 360, fps: int = 25, white_nits: float = 100.0, rotation: int = 0,
                   audio: bool = True, sdr_reference: Path | None = None) -> Path:
    """An HDR clip: HEVC Main 10 (libx265, yuv420p10le) in mp4 with tag hvc1 (+ AAC 440 Hz when `audio`).

    Colour, in the HEVC VUI *and* the mp4 `colr` box: BT.2020 primaries, bt2020nc matrix, limited
    (tv) range, transfer smpte2084 (`transfer="pq"`) or arib-std-b67 (`"hlg"`). PQ also carries the
    HDR10 static metadata HDR_MASTER_DISPLAY / HDR_MAX_CLL both as SEI in the bitstream and as the
    mp4 `mdcv`/`clli` boxes; HLG carries none (as phones write it).

    The picture is make_sdr_reference's BT.709 pattern really converted (zscale): to linear light
    with SDR white = `white_nits` nits (zscale npl), to BT.2020 primaries, then to PQ/HLG. So
    `zscale=t=linear:npl=<white_nits>` + BT.709 back (or any sound tone-map) gives the SDR picture
    again, while the HDR code values read as SDR look grey and flat: with the default 100 nits, SDR
    white (Y 940 of 1023 in 10-bit terms) becomes Y 509 in PQ and Y 616 in HLG (63 % signal;
    BT.2408's HLG reference white is 75 %, i.e. white_nits≈203). The PQ metadata says 1000 nits
    while the content peaks at `white_nits`, like real grades whose diffuse white sits far below
    the mastering peak: a tone-mapper that scales by MaxCLL (FFmpeg's `tonemap` without `peak`)
    darkens this picture.

    `rotation` writes a display matrix (phone portrait: 90 → shown height×width).
    `sdr_reference`, when given, also writes the matching SDR original there (make_sdr_reference).
    Two passes: a lossless HEVC first, then the final encode from it, because FFmpeg writes
    `mdcv`/`clli` only from side data on the frames it encodes (the decoded SEI).
    """
    if transfer not in HDR_TRANSFERS:
        raise ValueError(f"transfer must be one of {sorted(HDR_TRANSFERS)}, not {transfer!r}")
    path = Path(path)
    trc = HDR_TRANSFERS[transfer]
    to_hdr = (f"{_SDR_TAGS},zscale=t=linear:npl={white_nits},format=gbrpf32le,zscale=p=bt2020,"
              f"zscale=t={trc}:m=bt2020nc:r=limited:npl={white_nits},format=yuv420p10le")
    x265 = ["log-level=error", "colorprim=bt2020", f"transfer={trc}", "colormatrix=bt2020nc", "range=limited"]
    if transfer == "pq":
        x265 += [f"master-display={HDR_MASTER_DISPLAY}", "max-cll={},{}".format(*HDR_MAX_CLL), "hdr10=1"]
    tags = ["-color_primaries", "bt2020", "-color_trc", trc, "-colorspace", "bt2020nc", "-color_range", "tv"]
    first = path.with_name(path.stem + ".pass1.mkv")
    args = [*_pattern(width, height, fps, seconds)] + (_tone(440, seconds) if audio else [])
    args += ["-map", "0:v"] + (["-map", "1:a", "-c:a", "aac", "-b:a", "64k"] if audio else [])
    args += ["-vf", to_hdr, "-c:v", "libx265", "-preset", "ultrafast",
             "-x265-params", ":".join([*x265, "lossless=1"]), *tags, "-shortest", str(first)]
    run_ffmpeg(args)
    try:
        head = ["-noautorotate", "-display_rotation", str(rotation)] if rotation else []
        run_ffmpeg([*head, "-i", str(first), "-map", "0", "-c:a", "copy",
                    "-c:v", "libx265", "-preset", "ultrafast", "-crf", "18", "-tag:v", "hvc1",
                    "-x265-params", ":".join([*x265, "repeat-headers=1"]), *tags, str(path)])
    finally:
        first.unlink(missing_ok=True)
    if sdr_reference is not None:
        make_sdr_reference(sdr_reference, seconds=seconds, width=width, height=height, fps=fps)
    return path


def _audio_codec_for(path: Path) -> list[str]:
    # MPEG program streams (DVD-like) carry MPEG audio; the other containers take AAC
    return ["-c:a", "mp2", "-b:a", "128k"] if path.suffix.lower() in (".mpg", ".mpeg", ".vob") else \
        ["-c:a", "aac", "-b:a", "64k"]


def make_interlaced(path: Path, *, width: int = 720, height: int = 576, fields_per_second: int | str = 50,
                    seconds: float = 2.0, codec: str = "h264", tff: bool = True, flag: bool = True,
                    audio: bool = True, container_order: str = "") -> Path:
    """Truly interlaced video: the scrolling testsrc2 with the marker (see MARKER_BAND) rendered at
    `fields_per_second` progressive frames, woven two by two into frames at half that rate
    (tinterlace interleave_top, or interleave_bottom when `tff` is False, so the first field in time
    is the top or the bottom one).

    `codec` "h264" (libx264 with +ildct+ilme and tff=1/bff=1) or "mpeg2video" (+ildct+ilme);
    container by suffix (.ts MPEG-TS, .mpg MPEG-PS, .mkv …); audio: AAC 440 Hz (MP2 in .mpg).
    With `flag` (default) the stream is coded interlaced and its field order reads tt (TFF) or bb
    (BFF). With flag=False the same woven frames are coded as progressive, so the stream says
    "progressive" while every frame combs (a capture or container that lies); idet still sees the
    fields. `fields_per_second` may be "60000/1001" for NTSC rates.

    MKV/MOV/MP4 store a field order of their own, and an FFmpeg encode writes "tb"/"bt" there for
    interlaced frames; this maker rewrites it (stream-copy remux) to tt/bb like the bitstream, or to
    `container_order` ("tb"/"bt" to get what FFmpeg-made files say). FFmpeg treats tb as top first
    and bt as bottom first. TS/PS have no such field: there the bitstream's order is what reads back.
    """
    if codec not in ("h264", "mpeg2video"):
        raise ValueError(f"codec must be 'h264' or 'mpeg2video', not {codec!r}")
    path = Path(path)
    own_order = path.suffix.lower() in (".mkv", ".mov", ".mp4", ".m4v")
    if container_order and not (own_order and flag):
        raise ValueError(f"container_order needs a flagged interlaced .mkv/.mov/.mp4, not {path.name}")
    weave = "interleave_top" if tff else "interleave_bottom"
    field = ("tff" if tff else "bff") if flag else "prog"
    args = _fields_source(width, height, fields_per_second, seconds) + (_tone(440, seconds) if audio else [])
    args += ["-map", "0:v"] + (["-map", "1:a", *_audio_codec_for(path)] if audio else [])
    args += ["-vf", f"tinterlace=mode={weave},setfield={field}", "-pix_fmt", "yuv420p"]
    if codec == "h264":
        args += ["-c:v", "libx264", "-preset", "ultrafast", "-crf", "20"]
        if flag:
            args += ["-flags", "+ildct+ilme", "-x264-params", "tff=1" if tff else "bff=1"]
    else:
        args += ["-c:v", "mpeg2video", "-q:v", "3", "-g", "12", "-bufsize", "1835k", "-maxrate", "9800k"]
        if flag:
            args += ["-flags", "+ildct+ilme"]
    if not (own_order and flag):
        run_ffmpeg([*args, "-shortest", str(path)])
        return path
    encoded = path.with_name(path.stem + ".encoded" + path.suffix)
    run_ffmpeg([*args, "-shortest", str(encoded)])
    try:
        run_ffmpeg(["-i", str(encoded), "-map", "0", "-c", "copy",
                    "-field_order", container_order or ("tt" if tff else "bb"), str(path)])
    finally:
        encoded.unlink(missing_ok=True)
    return path


def make_dv(path: Path, *, seconds: float = 2.0) -> Path:
    """A PAL DV25 camcorder file: dvvideo 720x576 yuv420p, 25 fps, SAR 16:15 (4:3), interlaced bottom
    field first (woven like make_interlaced with tff=False, marker included, coded with +ildct),
    + PCM s16le 48 kHz stereo (440 Hz). `.dv` gives a raw DV stream (FFmpeg's `dv` muxer), `.avi`
    a type-2 DV AVI (dvsd).

    The DV stream has no field-order field: PyAV/ffprobe report the stream's field order "unknown";
    the decoded frames say interlaced, bottom first (showinfo `i:B`), and idet finds BFF.
    """
    path = Path(path)
    args = _fields_source(720, 576, 50, seconds) + _tone(440, seconds)
    args += ["-map", "0:v", "-map", "1:a",
             "-vf", "tinterlace=mode=interleave_bottom,setfield=bff,setparams=chroma_location=topleft",
             "-c:v", "dvvideo", "-pix_fmt", "yuv420p", "-flags", "+ildct", "-aspect", "4:3",
             "-c:a", "pcm_s16le", "-ar", "48000", "-ac", "2", "-shortest"]
    args += ["-f", "dv"] if path.suffix.lower() == ".dv" else []
    run_ffmpeg([*args, str(path)])
    return path


def make_prores(path: Path, *, seconds: float = 1.0, width: int = 640, height: int = 360, fps: int = 25) -> Path:
    """An editing-camera/NLE master: ProRes 422 HQ (prores_ks profile 3, tag apch, vendor apl0),
    yuv422p10le, progressive, in .mov, + PCM s16le 48 kHz stereo (440 Hz).
    """
    path = Path(path)
    run_ffmpeg([*_pattern(width, height, fps, seconds), *_tone(440, seconds), "-map", "0:v", "-map", "1:a",
                "-c:v", "prores_ks", "-profile:v", "3", "-vendor", "apl0", "-pix_fmt", "yuv422p10le",
                "-c:a", "pcm_s16le", "-ac", "2", "-shortest", str(path)])
    return path


def make_mjpeg_avi(path: Path, *, seconds: float = 2.0, width: int = 640, height: int = 480, fps: int = 30,
                   chroma: str = "420") -> Path:
    """A webcam recording: Motion-JPEG (tag MJPG) in AVI, full-range YUV (stream reads yuvj420p, or
    yuvj422p with chroma="422", colour range pc), + PCM s16le 48 kHz mono (440 Hz).
    """
    if chroma not in ("420", "422"):
        raise ValueError(f"chroma must be '420' or '422', not {chroma!r}")
    path = Path(path)
    # yuv4xxp + range pc is what FFmpeg now means by the deprecated yuvj4xxp; the decoder reports yuvj
    run_ffmpeg([*_pattern(width, height, fps, seconds), *_tone(440, seconds), "-map", "0:v", "-map", "1:a",
                "-c:v", "mjpeg", "-q:v", "4", "-pix_fmt", f"yuv{chroma}p", "-color_range", "pc",
                "-c:a", "pcm_s16le", "-ac", "1", "-shortest", str(path)])
    return path


def make_anamorphic(path: Path, *, seconds: float = 2.0, fps: str | int = "30000/1001") -> Path:
    """DVD-style anamorphic widescreen: H.264 (yuv420p) coded 720x480 with SAR 32:27 (in the VUI and
    the mp4 `pasp` box), so it displays 16:9 at 853x480; + AAC 440 Hz. The picture is testsrc2 drawn
    at 854x480 and squeezed to 720 wide, so shown at 16:9 its circle is round again.
    """
    path = Path(path)
    run_ffmpeg([*_pattern(854, 480, fps, seconds), *_tone(440, seconds), "-map", "0:v", "-map", "1:a",
                "-vf", "scale=720:480,setsar=32/27", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "20",
                "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "64k", "-shortest", str(path)])
    return path


def write_srt(path: Path, cues: tuple[tuple[float, float, str], ...] = MULTITRACK_SUBTITLES) -> Path:
    """A SubRip file of (start s, end s, text) cues."""

    def stamp(t: float) -> str:
        ms = int(round(t * 1000))
        return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"

    path = Path(path)
    path.write_text("".join(f"{i}\n{stamp(a)} --> {stamp(b)}\n{text}\n\n" for i, (a, b, text) in enumerate(cues, 1)),
                    encoding="utf-8")
    return path


def make_multitrack(path: Path, *, seconds: float = 2.0, width: int = 320, height: int = 240) -> Path:
    """A film-like file with a choice of tracks: stream 0 H.264 320x240 25 fps (default); streams 1–2
    AAC mono 48 kHz as MULTITRACK_AUDIO says — 1: "fra" 440 Hz *not* default, 2: "eng" 1000 Hz
    default (so "the first audio track" and "the default audio track" differ; FFmpeg's own choice
    without -map is the default one); stream 3 one subtitle track, language "eng", not default,
    from the SubRip cues MULTITRACK_SUBTITLES (written next to `path` as <stem>.srt, kept there).

    .mkv: the subtitle is SubRip text (subrip). .mp4: it is mov_text, and the mp4 muxer marks the
    first track of each kind enabled, so there the subtitle reads as default too.
    """
    path = Path(path)
    srt = write_srt(path.with_name(path.stem + ".srt"))
    (lang0, tone0, default0), (lang1, tone1, default1) = MULTITRACK_AUDIO
    sub_codec = "mov_text" if path.suffix.lower() in (".mp4", ".m4v", ".mov") else "srt"
    run_ffmpeg([*_pattern(width, height, 25, seconds), *_tone(tone0, seconds), *_tone(tone1, seconds),
                "-i", str(srt), "-map", "0:v", "-map", "1:a", "-map", "2:a", "-map", "3:s",
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-b:a", "64k", "-c:s", sub_codec,
                "-metadata:s:a:0", f"language={lang0}", "-metadata:s:a:1", f"language={lang1}",
                "-metadata:s:s:0", "language=eng",
                "-disposition:v:0", "default",
                "-disposition:a:0", "default" if default0 else "0",
                "-disposition:a:1", "default" if default1 else "0",
                "-disposition:s:0", "0", "-t", str(seconds), str(path)])
    return path
