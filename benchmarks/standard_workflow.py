"""The standard workflow through MediaFlow vs. the same work as hand-written FFmpeg commands.

    python benchmarks/standard_workflow.py [--rounds 3] [--seconds 20] [--source plain|hdr|interlaced]

Generates (once, cached) a 20 s 1080p30 H.264 + AAC clip (--source hdr: a 1080p PQ HDR10 HEVC
10-bit clip like a phone's; --source interlaced: a 1080i25 H.264 broadcast clip in MPEG-TS), then
in each round runs, one after
another in this process (every other round in the reverse order):
  A  = resources/workflows/standard.mfw.json through MediaFlow's Engine, fusion on
  A0 = the same with fusion off (every task its own FFmpeg process, in parallel under the budget)
  B  = the same tasks as separate hand-written FFmpeg commands, one after another
  C  = one hand-written fused FFmpeg command (split filter, one output per task, the time-point
       snapshots as extra seeking inputs of the same command)
and prints the median wall time of each, the ratios A/B, A/C and A0/B, and whether A's outputs
have the same properties (codec, size, duration, frame count) as A0's.
Targets: plain A/B <= 0.70, A/C <= 1.05; hdr and interlaced A/B <= 0.75 (issue 9).

B and C read their parameters from the workflow file (sizes, CRF, presets, offsets, intervals,
watermark placement), written the way a person would write them by hand. For an HDR source each
hand-written command carries the same zscale + tonemap chain MediaFlow uses (C: once, before its
split), for an interlaced one the same bwdif; every output then gets what MediaFlow's gets.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (Props, Timer, bench_dir, children_cpu, ffmpeg_exe, file_props, load_text,  # noqa: E402
                     make_clip, make_hdr_clip, make_interlaced_clip, median, run_checked)

from mediaflow_gui.engine.engine import Engine, EngineSettings  # noqa: E402
from mediaflow_gui.engine.store import TaskStore  # noqa: E402
from mediaflow_gui.media.builders.common import fit_size  # noqa: E402
from mediaflow_gui.media.probe import probe  # noqa: E402
from mediaflow_gui.model.params import (AnimatedImageParams, ImageSpriteParams, SampleSnapshotParams,  # noqa: E402
                                        SnapshotParams, TranscodeParams)
from mediaflow_gui.model.plan import compile_plan  # noqa: E402
from mediaflow_gui.model.serialization import load_workflow  # noqa: E402
from mediaflow_gui.model.values import parse_length, parse_offset  # noqa: E402
from mediaflow_gui.paths import sample_workflow_path  # noqa: E402


# -- A / A0: MediaFlow -----------------------------------------------------------------------------
def run_engine(workflow_path: Path, clip: Path, out: Path, fusion: bool, data: Path) -> tuple[float, dict]:
    shutil.rmtree(out, ignore_errors=True)
    workflow = load_workflow(workflow_path)
    store = TaskStore(data / "tasks.sqlite3")
    engine = Engine(store, settings=EngineSettings(fusion=fusion, work_dir=data / "work"))
    with Timer() as t:
        record = asyncio.run(engine.run(workflow, clip, out))
    store.close() if hasattr(store, "close") else None
    if record.result.value != "SUCCESS":
        raise RuntimeError(f"the run failed: {record.error_code} {record.message}")
    return t.seconds, {s.name: s for s in record.subtasks}


# -- B / C: by hand --------------------------------------------------------------------------------
class HandWritten:
    """The standard workflow's tasks as plain FFmpeg argv lists, parameters read from the workflow."""

    def __init__(self, workflow_path: Path, clip: Path, out: Path) -> None:
        self.ff = ffmpeg_exe()
        self.clip = str(clip)
        self.out = out
        self.info = probe(clip)
        plan = compile_plan(load_workflow(workflow_path))
        self.steps = [s for s in (plan.steps[sid] for sid in plan.order) if not s.applied_in]
        self.duration = self.info.duration or 0.0
        self.prep = self._prep_chain()
        # JPEG wants full range: after bwdif or the tone-map the frames say "limited", which FFmpeg 7+'s
        # mjpeg refuses, so a person converts them (MediaFlow's images are yuvj420p too)
        self.jpeg = ["-q:v", "2"] + (["-pix_fmt", "yuvj420p"] if self.prep else [])

    def _prep_chain(self) -> str:
        """What a person adds for this source: bwdif for interlaced, the zscale tone-map for HDR ("" if none)."""
        video = self.info.video
        parts = []
        if video is not None and video.field_order in ("tt", "tb"):
            parts.append("bwdif=mode=send_frame:parity=tff:deint=interlaced")
        if video is not None and video.color_transfer in ("smpte2084", "arib-std-b67"):
            parts.append(f"zscale=tin={video.color_transfer}:pin=bt2020:min=bt2020nc:rin=tv:t=linear:npl=100,"
                         "format=gbrpf32le,zscale=p=bt709,tonemap=tonemap=mobius:desat=0:peak=10,"
                         "zscale=t=bt709:m=bt709:r=tv,format=yuv420p")
        return ",".join(parts)

    def _with_prep(self, chain: str) -> str:
        return f"{self.prep},{chain}" if self.prep else chain

    def _size(self, width: int = 0, height: int = 0, short: int = 0) -> tuple[int, int]:
        return fit_size(self.info.width, self.info.height, width, height, short, upscale=False)

    def _seconds(self, text: str) -> float:
        return parse_offset(text).seconds(self.duration)

    def transcode_chain(self, p: TranscodeParams, src: str, logo_in: str | None, label: str) -> tuple[str, list[str]]:
        """(filter chain text ending in [label], encoder options)."""
        w, h = self._size(p.width, p.height, p.short_side)
        chain = f"{src}scale={w}:{h}"
        if p.watermarks and logo_in is not None:
            wm = p.watermarks[0]
            lw = round(parse_length(wm.width).pixels(w))
            x, y = round(parse_length(wm.x_pos).pixels(w)), round(parse_length(wm.y_pos).pixels(h))
            chain += f"[{label}v];{logo_in}scale={lw}:-1[{label}l];[{label}v][{label}l]overlay=W-w-{x}:{y}[{label}]"
        else:
            chain += f"[{label}]"
        enc = ["-c:v", "libx264", "-preset", p.encoder_preset, "-crf", str(p.crf), "-pix_fmt", "yuv420p",
               "-c:a", "aac", "-b:a", f"{p.audio_bitrate_kbps}k", "-movflags", "+faststart"]
        return chain, enc

    def sample_chain(self, p: SampleSnapshotParams, src: str, label: str) -> str:
        w, h = self._size(p.width, p.height)
        every = self._seconds(p.interval)
        return f"{src}fps=1/{every:g},scale={w}:{h}[{label}]"

    def sprite_chain(self, p: ImageSpriteParams, src: str, label: str) -> str:
        w, h = self._size(p.width, p.height)
        every = self._seconds(p.interval)
        return f"{src}fps=1/{every:g},scale={w}:{h},tile={p.columns}x{p.rows}[{label}]"

    def gif_chain(self, p: AnimatedImageParams, src: str, label: str, trim: bool) -> str:
        w, h = self._size(p.width, p.height)
        start, end = self._seconds(p.start), self._seconds(p.end)
        pre = f"trim={start:g}:{end:g},setpts=PTS-STARTPTS," if trim else ""
        return (f"{src}{pre}fps={p.fps},scale={w}:{h}:flags=lanczos,split[{label}a][{label}b];"
                f"[{label}a]palettegen[{label}p];[{label}b][{label}p]paletteuse[{label}]")

    def separate(self) -> list[list[str]]:
        """B: one command per task (per time point for snapshots), as a person runs them one by one."""
        cmds: list[list[str]] = []
        base = [self.ff, "-hide_banner", "-nostdin", "-loglevel", "error", "-y"]
        for i, s in enumerate(self.steps):
            p = s.params
            if isinstance(p, TranscodeParams):
                inputs = ["-i", self.clip]
                logo = None
                if p.watermarks:
                    inputs += ["-i", p.watermarks[0].image_path]
                    logo = "[1:v]"
                chain, enc = self.transcode_chain(p, "[0:v]" + (self.prep + "," if self.prep else ""), logo, "v")
                cmds.append(base + inputs + ["-filter_complex", chain, "-map", "[v]", "-map", "0:a", *enc,
                                             str(self.out / f"B_{p.definition}.mp4")])
            elif isinstance(p, SnapshotParams):
                w, h = self._size(p.width, p.height)
                for n, off in enumerate(p.offsets, 1):
                    t = min(self._seconds(off), self.duration - 0.1)
                    cmds.append(base + ["-ss", f"{t:.3f}", "-i", self.clip, "-frames:v", "1", "-vf",
                                        self._with_prep(f"scale={w}:{h}"), *self.jpeg,
                                        str(self.out / f"B_snap_{n}.jpg")])
            elif isinstance(p, SampleSnapshotParams):
                cmds.append(base + ["-i", self.clip, "-vf", self._with_prep(self.sample_chain(p, "", "x").rsplit("[", 1)[0]),
                                    *self.jpeg, str(self.out / "B_sample_%d.jpg")])
            elif isinstance(p, ImageSpriteParams):
                cmds.append(base + ["-i", self.clip, "-vf", self._with_prep(self.sprite_chain(p, "", "x").rsplit("[", 1)[0]),
                                    *self.jpeg, str(self.out / "B_sprite_%d.jpg")])
            elif isinstance(p, AnimatedImageParams):
                start, end = self._seconds(p.start), self._seconds(p.end)
                chain = self.gif_chain(p, "[0:v]" + (self.prep + "," if self.prep else ""), "g", trim=False)
                cmds.append(base + ["-ss", f"{start:g}", "-t", f"{end - start:g}", "-i", self.clip,
                                    "-filter_complex", chain, "-map", "[g]", str(self.out / "B_anim.gif")])
            else:
                raise SystemExit(f"no hand-written command for step {i} ({s.task_kind})")
        return cmds

    def fused(self) -> list[str]:
        """C: one command; one decode split to every full-pass task; snapshots as seeking inputs."""
        base = [self.ff, "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-i", self.clip]
        inputs: list[str] = []
        n_inputs = 1
        chains: list[str] = []
        outputs: list[str] = []
        split_labels: list[str] = []
        audio_users = 0
        snap_outputs: list[str] = []
        for s in self.steps:
            p = s.params
            if isinstance(p, SnapshotParams):
                w, h = self._size(p.width, p.height)
                for n, off in enumerate(p.offsets, 1):
                    t = min(self._seconds(off), self.duration - 0.1)
                    inputs += ["-ss", f"{t:.3f}", "-i", self.clip]
                    snap_outputs += ["-map", f"{n_inputs}:v", "-frames:v", "1", "-vf",
                                     self._with_prep(f"scale={w}:{h}"), *self.jpeg,
                                     str(self.out / f"C_snap_{n}.jpg")]
                    n_inputs += 1
                continue
            label = f"o{len(split_labels)}"
            split_labels.append(label)
            src = f"[{label}in]"
            if isinstance(p, TranscodeParams):
                logo = None
                if p.watermarks:
                    inputs += ["-i", p.watermarks[0].image_path]
                    logo = f"[{n_inputs}:v]"
                    n_inputs += 1
                chain, enc = self.transcode_chain(p, src, logo, label)
                chains.append(chain)
                outputs += ["-map", f"[{label}]", "-map", f"[a{audio_users}]", *enc,
                            str(self.out / f"C_{p.definition}.mp4")]
                audio_users += 1
            elif isinstance(p, SampleSnapshotParams):
                chains.append(self.sample_chain(p, src, label))
                outputs += ["-map", f"[{label}]", *self.jpeg, str(self.out / "C_sample_%d.jpg")]
            elif isinstance(p, ImageSpriteParams):
                chains.append(self.sprite_chain(p, src, label))
                outputs += ["-map", f"[{label}]", *self.jpeg, str(self.out / "C_sprite_%d.jpg")]
            elif isinstance(p, AnimatedImageParams):
                chains.append(self.gif_chain(p, src, label, trim=True))
                outputs += ["-map", f"[{label}]", str(self.out / "C_anim.gif")]
        graph = [f"[0:v]{self.prep + ',' if self.prep else ''}split={len(split_labels)}"
                 + "".join(f"[{lb}in]" for lb in split_labels)]
        if audio_users:
            graph.append(f"[0:a]asplit={audio_users}" + "".join(f"[a{i}]" for i in range(audio_users)))
        return base + inputs + ["-filter_complex", ";".join(graph + chains)] + outputs + snap_outputs


def outputs_props(subtasks: dict) -> dict[str, Props]:
    found: dict[str, Props] = {}
    for name, sub in subtasks.items():
        for o in sub.outputs:
            path = Path(o["path"])
            if path.suffix.lower() in (".vtt",):
                continue
            found[f"{name}: {path.name}"] = file_props(path)
    return found


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--bench-dir", default=None)
    ap.add_argument("--workflow", default=str(sample_workflow_path("standard.mfw.json")))
    ap.add_argument("--only", default="A,A0,B,C", help="comma-separated subset of A,A0,B,C")
    ap.add_argument("--source", choices=("plain", "hdr", "interlaced"), default="plain")
    args = ap.parse_args(argv)
    which = [w.strip() for w in args.only.split(",") if w.strip()]

    root = bench_dir(args.bench_dir)
    if args.source == "hdr":
        clip = make_hdr_clip(root / f"hdr_pq_1080p30_{args.seconds:g}s.mp4", width=1920, height=1080, fps=30,
                             seconds=args.seconds)
    elif args.source == "interlaced":
        clip = make_interlaced_clip(root / f"interlaced_1080i25_{args.seconds:g}s.ts", width=1920, height=1080,
                                    fields=50, seconds=args.seconds)
    else:
        clip = make_clip(root / f"clip_1080p30_{args.seconds:g}s.mp4", width=1920, height=1080, fps=30,
                         seconds=args.seconds)
    a_b_target = 0.70 if args.source == "plain" else 0.75
    work = root / "standard"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    wf_path = Path(args.workflow)
    hand = HandWritten(wf_path, clip, work / "hand")
    print(f"clip: {clip.name} ({probe(clip).width}x{probe(clip).height}, {probe(clip).duration:.1f}s); "
          f"{load_text()}")

    times: dict[str, list[float]] = {w: [] for w in which}
    cpu: dict[str, list[float]] = {w: [] for w in which}
    props_a: dict[str, Props] = {}
    props_a0: dict[str, Props] = {}
    for r in range(1, args.rounds + 1):
        # odd rounds A, A0, B, C; even rounds the reverse: no variant always runs first (on this VM
        # the first run after a pause was often the slowest) or always right after the heaviest one
        for w in (which if r % 2 else list(reversed(which))):
            c0 = children_cpu()
            if w in ("A", "A0"):
                seconds, subtasks = run_engine(wf_path, clip, work / w, fusion=(w == "A"), data=work / f"data-{w}")
                if r == 1:
                    (props_a if w == "A" else props_a0).update(outputs_props(subtasks))
            else:
                out = hand.out
                shutil.rmtree(out, ignore_errors=True)
                out.mkdir(parents=True)
                with Timer() as t:
                    for cmd in (hand.separate() if w == "B" else [hand.fused()]):
                        run_checked(cmd)
                seconds = t.seconds
            times[w].append(seconds)
            cpu[w].append(children_cpu() - c0)
            print(f"round {r} {w:>2}: {seconds:6.2f} s wall, {cpu[w][-1]:6.2f} s FFmpeg CPU   ({load_text()})",
                  flush=True)

    print()
    for w in which:
        print(f"{w:>2}: median {median(times[w]):6.2f} s  (rounds: {', '.join(f'{x:.2f}' for x in times[w])}; "
              f"median FFmpeg CPU {median(cpu[w]):.2f} s)")
    ratios = []
    if "A" in which and "B" in which:
        ratios.append(("A/B", median(times["A"]) / median(times["B"]), a_b_target))
    if "A" in which and "C" in which:
        ratios.append(("A/C", median(times["A"]) / median(times["C"]), 1.05))
    if "A0" in which and "B" in which:
        ratios.append(("A0/B", median(times["A0"]) / median(times["B"]), None))
    for name, value, target in ratios:
        verdict = "" if target is None else ("  (target <= %.2f: %s)" % (target, "met" if value <= target else "MISSED"))
        num, den = name.split("/")
        paired = median([a / b for a, b in zip(times[num], times[den])])
        print(f"{name} = {value:.3f}{verdict}; median of the per-round ratios {paired:.3f}; FFmpeg CPU ratio "
              f"{median(cpu[num]) / median(cpu[den]):.3f}")

    ok = True
    if props_a and props_a0:
        print()
        keys = sorted(set(props_a) | set(props_a0))
        same = [k for k in keys if props_a.get(k) == props_a0.get(k)]
        print(f"A vs A0 outputs: {len(same)} of {len(keys)} files have the same codec, size, duration and "
              "frame count")
        for k in keys:
            if props_a.get(k) != props_a0.get(k):
                ok = False
                print(f"  DIFFERENT {k}: fused {props_a.get(k)} / apart {props_a0.get(k)}")
        for k in keys[:3] + [k for k in keys if ".mp4" in k or ".gif" in k]:
            print(f"  {k}: {props_a.get(k)}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
