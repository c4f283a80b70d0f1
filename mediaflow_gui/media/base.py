"""The contract between task builders (media/) and the engine.

A builder turns (probe of the input, the step's parameters, input path, staging dir)
into one or more FFmpeg jobs plus a `finalize` callback that, once the jobs succeeded,
lists the files produced (and may write side files such as a sprite's WebVTT).

Fusion (media/fusion) needs builders at the stream level: a fusable builder also
exposes `output_streams(ctx, source)`, taking its video/audio from a StreamSource so
that several builders can share one decode through a split filter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Protocol

from ..model.params import TaskParams


class TaskInputError(ValueError):
    """The input cannot feed this task (no video stream, too short, …). The message names the file."""


class MissingCapabilityError(RuntimeError):
    """The FFmpeg in use lacks what a task needs (an encoder, a filter). The message names the task,
    what is missing, the FFmpeg and the fix; raised before FFmpeg starts."""


@dataclass
class StreamInfo:
    index: int
    kind: str  # video | audio | subtitle | data
    codec: str
    width: int = 0
    height: int = 0
    fps: float = 0.0
    bitrate: int = 0
    sample_rate: int = 0
    channels: int = 0
    frames: int = 0
    # video: the picture's format and colour as the stream declares them, in FFmpeg's names
    # ("" when the stream does not say): see media/colour.py for what they imply
    pix_fmt: str = ""
    bit_depth: int = 0
    color_primaries: str = ""  # bt709, bt2020, smpte170m, …
    color_transfer: str = ""  # bt709, smpte2084 (PQ), arib-std-b67 (HLG), …
    color_space: str = ""  # the matrix: bt709, bt2020nc, smpte170m, …
    color_range: str = ""  # tv (limited) | pc (full); yuvj* formats are full range
    field_order: str = ""  # progressive | tt | bb | tb | bt | "" (unknown)
    sar: str = ""  # sample aspect ratio "32:27"; "" for square pixels or unknown
    # every kind: what a person picks a track by
    language: str = ""  # ISO 639-2 as tagged ("eng"), "" when untagged
    default: bool = False  # the container marks it as the default track
    title: str = ""


@dataclass(frozen=True)
class HdrMetadata:
    """Static HDR metadata of a PQ stream (SMPTE ST 2086 mastering display, CTA-861.3 light levels).

    Chromaticities are CIE 1931 x/y, luminances in cd/m² (nits); 0 where the stream does not say.
    """

    max_cll: int = 0  # brightest pixel of the content
    max_fall: int = 0  # brightest frame average
    master_max_luminance: float = 0.0
    master_min_luminance: float = 0.0
    primaries: tuple[tuple[float, float], ...] = ()  # (R, G, B) x/y of the mastering display
    white_point: tuple[float, float] = (0.0, 0.0)

    @property
    def peak_nits(self) -> float:
        """The brightest level the content reaches, as best known (MaxCLL, else the mastering display's)."""
        return float(self.max_cll or self.master_max_luminance or 0.0)


@dataclass
class MediaInfo:
    """What PyAV tells about an input (the service's MetaData, plus fps and rotation)."""

    path: Path
    container: str = ""
    duration: float | None = None  # seconds
    size: int = 0  # bytes
    bitrate: int = 0  # bits per second
    width: int = 0  # display width (rotation applied)
    height: int = 0  # display height (rotation applied)
    fps: float = 0.0
    rotation: int = 0  # degrees
    video_streams: list[StreamInfo] = field(default_factory=list)
    audio_streams: list[StreamInfo] = field(default_factory=list)
    subtitle_streams: list[StreamInfo] = field(default_factory=list)
    data_streams: int = 0  # timecode, GPS, chapters-as-streams …: never copied to outputs
    hdr: HdrMetadata | None = None  # read only for PQ/HLG sources
    # the field order FFmpeg's idet filter measured (tff | bff | progressive), filled by the engine
    # when the stream's own flag is missing and the container is one that often lies (media/interlace.py)
    detected_field_order: str = ""

    @property
    def video(self) -> StreamInfo | None:
        """The video stream tasks read (the first one: FFmpeg's `v:0`)."""
        return self.video_streams[0] if self.video_streams else None

    @property
    def has_video(self) -> bool:
        return bool(self.video_streams)

    @property
    def has_audio(self) -> bool:
        return bool(self.audio_streams)


@dataclass
class OutputFile:
    path: Path
    kind: str  # video | audio | image | animation | subtitle (vtt)
    size: int = 0
    width: int = 0
    height: int = 0
    duration: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class BuildContext:
    step_id: str
    step_name: str  # {taskName}
    task_kind: str
    params: TaskParams
    input_path: Path  # the file this step reads (source or a previous step's primary output)
    probe: MediaInfo  # of input_path
    source_name: str  # stem of the run's original input, for {inputName}
    staging_dir: Path  # write outputs here; the engine moves them to the output dir on success
    ffmpeg: str  # the ffmpeg binary to run
    threads: int = 0  # FFmpeg threads for this step (0: FFmpeg decides)
    name_templates: dict[str, str] = field(default_factory=dict)  # settings' overrides of naming.DEFAULT_TEMPLATES


@dataclass
class StreamSource:
    """Where a fusable builder takes its streams from (ffmpeg-python stream nodes).

    `start` is the input time the streams begin at (non-zero when the input was opened
    with a seek), so a builder that needs a time window can tell whether it must still trim.
    """

    video: Any
    audio: Any = None
    start: float = 0.0
    # the input's text subtitle streams (selector nodes), for a transcode asked to keep them
    subtitles: tuple[Any, ...] = ()


@dataclass
class FFmpegJob:
    args: list[str]  # complete argv, args[0] is the ffmpeg binary; never a shell string
    duration: float | None  # seconds of media this job processes, to turn out_time into percent
    weight: float = 1.0  # share of the step's progress this job carries
    label: str = ""
    # a file FFmpeg appends one encoder timestamp (seconds) per frame to (-stats_enc_pre); read as
    # progress when -progress stays silent, which it does until every output has started (a fused
    # sprite sheet starts only at its 25th cell)
    stats_file: str | None = None
    # the stats file is a `metadata=mode=print` tap (FFmpeg without -stats_enc_pre): its `pts_time:` lines
    # are the only progress; -progress's out_time is then the furthest of all outputs (FFmpeg 5.1 lets
    # the audio run ahead) and says nothing about the video's pace
    stats_only: bool = False


@dataclass
class BuildResult:
    jobs: list[FFmpegJob]
    # called after every job succeeded; returns the produced files, primary output first
    finalize: Callable[[], list[OutputFile]]
    # what the step did differently from what was asked, in words (an approximation the FFmpeg in
    # use forced, a track that was not found …); the engine reports them with the step's outcome
    notes: list[str] = field(default_factory=list)


class TaskBuilder(Protocol):
    kind: str

    def build(self, ctx: BuildContext) -> BuildResult: ...
