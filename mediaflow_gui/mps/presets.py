"""The service's preset templates as data, in the SDK's template shapes (`Type: "Preset"`).

Sources: the public docs as summarised in shared/MPS.md.
- Transcode 100010 … 100080: short side (ResolutionAdaptive "open", Height = short side, Width 0 =
  follow), H.264 ("libx264"), 25 fps, AAC ("libfdk_aac") 44.1 kHz stereo. MPS.md gives the audio
  bitrate for 100010 (64), 100030 (128) and 100070 (160); 100020, 100040 and 100080 take the value of
  the line before them (64, 128, 160) — an assumption, stated here.
- The HLS variants 100210 … 100280 are the same ladder with Container "hls" (100210 ↔ 100010, …).
- Time-point snapshot preset 10 and sampled snapshot preset 10: JPG at the source size (Width/Height 0),
  FillType "stretch"; sampled: SampleType Percent, SampleInterval 10.
- Animated-graphics and image-sprite presets: the public docs searched (console "screenshot template"
  page, SDK docs) list no verifiable animated-graphics preset and the sprite preset table was not
  readable, so none is listed here; their Definitions resolve only to templates made in the store.
"""

from __future__ import annotations

import copy
from typing import Any

PRESET_TIME = "2019-01-01T00:00:00Z"  # presets have no real creation time; a fixed one keeps output stable

# (Definition, short side, video kbps, audio kbps, name)
_LADDER = (
    (100010, 360, 400, 64, "MP4-LD-360P"),
    (100020, 540, 1000, 64, "MP4-SD-540P"),
    (100030, 720, 1800, 128, "MP4-HD-720P"),
    (100040, 1080, 2500, 128, "MP4-FHD-1080P"),
    (100070, 1440, 3000, 160, "MP4-2K-1440P"),
    (100080, 2160, 6000, 160, "MP4-4K-2160P"),
)


def _transcode(definition: int, short: int, vkbps: int, akbps: int, name: str, container: str) -> dict[str, Any]:
    return {
        "Definition": definition, "Container": container, "Name": name, "Comment": "", "Type": "Preset",
        "RemoveVideo": 0, "RemoveAudio": 0,
        "VideoTemplate": {"Codec": "libx264", "Fps": 25, "Bitrate": vkbps, "ResolutionAdaptive": "open",
                          "Width": 0, "Height": short, "FillType": "black"},
        "AudioTemplate": {"Codec": "libfdk_aac", "Bitrate": akbps, "SampleRate": 44100, "AudioChannel": 2},
        "CreateTime": PRESET_TIME, "UpdateTime": PRESET_TIME,
    }


PRESETS: dict[str, dict[int, dict[str, Any]]] = {
    "Transcode": {
        **{d: _transcode(d, s, v, a, n, "mp4") for d, s, v, a, n in _LADDER},
        **{d + 200: _transcode(d + 200, s, v, a, n.replace("MP4", "HLS"), "hls") for d, s, v, a, n in _LADDER},
    },
    "SnapshotByTimeOffset": {10: {
        "Definition": 10, "Type": "Preset", "Name": "JPG-source-size", "Comment": "", "Width": 0, "Height": 0,
        "ResolutionAdaptive": "open", "Format": "jpg", "FillType": "stretch",
        "CreateTime": PRESET_TIME, "UpdateTime": PRESET_TIME}},
    "SampleSnapshot": {10: {
        "Definition": 10, "Type": "Preset", "Name": "JPG-10-percent", "Comment": "", "Width": 0, "Height": 0,
        "ResolutionAdaptive": "open", "Format": "jpg", "SampleType": "Percent", "SampleInterval": 10,
        "FillType": "stretch", "CreateTime": PRESET_TIME, "UpdateTime": PRESET_TIME}},
    "AnimatedGraphics": {},
    "ImageSprite": {},
    "Watermark": {},
}


def preset(kind: str, definition: int) -> dict[str, Any] | None:
    """A copy of the preset template `definition` of `kind`, or None when there is none."""
    found = PRESETS.get(kind, {}).get(int(definition))
    return copy.deepcopy(found) if found is not None else None


def presets(kind: str) -> list[dict[str, Any]]:
    """Copies of every preset of `kind`, by Definition."""
    return [copy.deepcopy(t) for _, t in sorted(PRESETS.get(kind, {}).items())]
