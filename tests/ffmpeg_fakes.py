"""A shell script that answers like an old FFmpeg (4.2, few encoders), for tests of the FFmpeg choice.

It prints FFmpeg 4.2's banner and list formats for `-encoders`, `-decoders`, `-filters`, `-muxers`
and `-h long`, and appends each invocation's arguments to `<script>.calls` so a test can count
how often it was probed. It cannot run anything: it is only ever probed.
"""

from __future__ import annotations

from pathlib import Path

_SCRIPT = r"""#!/bin/sh
PATH=/usr/bin:/bin  # for cat: tests run it with PATH set to its own folder
echo "$*" >> "$0.calls"
banner=1
for a in "$@"; do [ "$a" = "-hide_banner" ] && banner=0; done
[ $banner = 1 ] && echo "ffmpeg version 4.2.7-0ubuntu0.1 Copyright (c) 2000-2022 the FFmpeg developers" >&2
case "$*" in
*-encoders*) cat <<'EOF'
Encoders:
 V..... = Video
 A..... = Audio
 ------
 V..... mjpeg                MJPEG (Motion JPEG)
 V..... png                  PNG (Portable Network Graphics) image
 V..... gif                  GIF (Graphics Interchange Format)
 A..... aac                  AAC (Advanced Audio Coding)
EOF
;;
*-decoders*) cat <<'EOF'
Decoders:
 V..... = Video
 ------
 VFS..D h264                 H.264 / AVC / MPEG-4 AVC / MPEG-4 part 10
 A....D aac                  AAC (Advanced Audio Coding)
EOF
;;
*-filters*) cat <<'EOF'
Filters:
  T.. = Timeline support
  .S. = Slice threading
  ..C = Command support
  A = Audio input/output
  V = Video input/output
  N = Dynamic number and/or type of input/output
  | = Source or sink filter
 ... asplit            A->N       Pass on the audio input to N audio outputs.
 ... format            V->V       Convert the input video to one of the specified pixel formats.
 ... fps               V->V       Force constant framerate.
 T.. metadata          V->V       Manipulate video frame metadata.
 ..C scale             V->V       Scale the input video size and/or convert the image format.
 ... select            V->N       Select video frames to pass in output.
 ... setpts            V->V       Set PTS for the output video frame.
 ... setsar            V->V       Set the pixel sample aspect ratio.
 ... split             V->N       Pass on the input to N video outputs.
 ... tile              V->V       Tile several successive frames together.
 ... trim              V->V       Pick one continuous section from the input, drop the rest.
EOF
;;
*-muxers*) cat <<'EOF'
File formats:
 D. = Demuxing supported
 .E = Muxing supported
 --
  E gif             GIF Animation
  E image2          image2 sequence
  E mp4             MP4 (MPEG-4 Part 14)
EOF
;;
*-h*) cat <<'EOF'
Hyper fast Audio and Video encoder
usage: ffmpeg [options] [[infile options] -i infile]... {[outfile options] outfile}...

Global options (affect whole program instead of just one file):
-loglevel loglevel  set logging level
-y                  overwrite output files
-filter_threads     number of non-complex filter threads
-vsync              video sync method
EOF
;;
*) echo "unrecognized arguments: $*" >&2; exit 1 ;;
esac
"""


def make_old_ffmpeg(folder: Path, name: str = "ffmpeg") -> Path:
    """Write the fake FFmpeg 4.2 as `folder/name` (executable) and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(_SCRIPT, encoding="utf-8")
    path.chmod(0o755)
    return path


def calls(script: Path) -> list[str]:
    """The argument lines the fake was started with so far."""
    log = Path(str(script) + ".calls")
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []
