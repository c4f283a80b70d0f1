"""Checks of a built bundle, run as a person would run it: the bundled CLI validates and runs the
standard workflow on a generated clip, and the bundled GUI runs offscreen for 10 s with its
embedded store, then exits cleanly on SIGTERM leaving no `weed` behind.

Used by packaging/build.py after every build and by tests/packaging/test_bundle.py (on a bundle the
package command built). Each check returns a list of failures (empty = passed) and prints one line.
Every process gets a private MEDIAFLOW_DATA_DIR in a temporary folder, so the user's data is untouched.
Assumes psutil (a runtime dependency of MediaFlow) in the Python that runs this.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import psutil

GUI_SECONDS = 10.0
EXIT_SECONDS = 30.0


def bundle_ffmpeg(bundle: Path) -> Path:
    """The FFmpeg the bundle's runs use: imageio-ffmpeg's binary inside it (a --with-ffmpeg build), else
    the system's on PATH (the default build leaves its own out: packaging/build.py drop_bundled_ffmpeg)."""
    import shutil
    found = sorted((bundle / "_internal" / "imageio_ffmpeg" / "binaries").glob("ffmpeg-*"))
    if found:
        return found[0]
    on_path = shutil.which("ffmpeg")
    if on_path is None:
        raise FileNotFoundError(f"no FFmpeg in {bundle}/_internal/imageio_ffmpeg/binaries and none on PATH "
                                "(build with --with-ffmpeg, or install ffmpeg)")
    return Path(on_path)


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "MEDIAFLOW_FFMPEG"}  # the bundle finds its own
    env["MEDIAFLOW_DATA_DIR"] = str(data_dir)
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def _report(name: str, failures: list[str], started: float) -> list[str]:
    print(f"  check {name}: {'ok' if not failures else 'FAILED'} ({time.monotonic() - started:.1f} s)", flush=True)
    return failures


def check_validate(bundle: Path, work: Path) -> list[str]:
    started = time.monotonic()
    workflow = bundle / "_internal" / "resources" / "workflows" / "standard.mfw.json"
    result = subprocess.run([str(bundle / "mediaflow"), "validate", str(workflow)], env=_env(work / "data-validate"),
                            capture_output=True, text=True, timeout=120)
    failures = [] if result.returncode == 0 else [
        f"`mediaflow validate {workflow}` exited {result.returncode}: {(result.stderr or result.stdout)[-800:]}"]
    return _report("validate", failures, started)


def check_run(bundle: Path, work: Path) -> list[str]:
    """The standard workflow on a 2 s lavfi clip made by the bundle's own FFmpeg."""
    started = time.monotonic()
    clip = work / "clip.mp4"
    subprocess.run([str(bundle_ffmpeg(bundle)), "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
                    "-f", "lavfi", "-i", "sine=frequency=440", "-t", "2", "-c:v", "libx264", "-pix_fmt", "yuv420p",
                    "-c:a", "aac", "-shortest", str(clip)], check=True, timeout=120)
    out = work / "out"
    workflow = bundle / "_internal" / "resources" / "workflows" / "standard.mfw.json"
    result = subprocess.run([str(bundle / "mediaflow"), "run", str(workflow), str(clip), "--out", str(out)],
                            env=_env(work / "data-run"), capture_output=True, text=True, timeout=600)
    failures = []
    outputs = [p for p in out.rglob("*") if p.is_file()] if out.exists() else []
    if result.returncode != 0:
        failures.append(f"`mediaflow run` exited {result.returncode}: {(result.stderr or result.stdout)[-800:]}")
    elif not outputs:
        failures.append(f"`mediaflow run` wrote nothing into {out}")
    return _report(f"run ({len(outputs)} outputs)", failures, started)


def _weeds_of(data_dir: Path) -> list[psutil.Process]:
    """weed processes whose command line names this data dir (only the ones this check started)."""
    found = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        try:
            cmdline = " ".join(proc.info["cmdline"] or [])
        except (psutil.Error, TypeError):
            continue
        if proc.info["name"] == "weed" and str(data_dir) in cmdline:
            found.append(proc)
    return found


def check_gui(bundle: Path, work: Path, seconds: float = GUI_SECONDS) -> list[str]:
    """The bundled GUI offscreen: alive after `seconds` with its store's weed running, then SIGTERM."""
    started = time.monotonic()
    data = work / "data-gui"
    log = (work / "gui.log").open("w")
    proc = subprocess.Popen([str(bundle / "mediaflow-gui")], env=_env(data), stdout=log, stderr=subprocess.STDOUT)
    failures: list[str] = []
    weeds: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and proc.poll() is None:
            weeds = weeds or _weeds_of(data)
            time.sleep(0.25)
        if proc.poll() is not None:
            failures.append(f"the GUI exited by itself with {proc.returncode} within {seconds:.0f} s")
        if not weeds:
            failures.append(f"the GUI's embedded store never started (no weed with {data} in its command line)")
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                code = proc.wait(EXIT_SECONDS)
                if code != 0:
                    failures.append(f"the GUI exited {code} on SIGTERM, not 0")
            except subprocess.TimeoutExpired:
                failures.append(f"the GUI did not exit within {EXIT_SECONDS:.0f} s of SIGTERM")
        left = [w for w in weeds if w.is_running() and w.status() != psutil.STATUS_ZOMBIE] + [
            w for w in _weeds_of(data) if w not in weeds]
        if left:
            failures.append(f"weed left running after the GUI exited: pids {[w.pid for w in left]}")
    finally:
        if proc.poll() is None:  # only what this check started
            proc.kill()
            proc.wait()
        for w in _weeds_of(data):
            w.kill()
        log.close()
    if failures:
        failures.append("GUI log tail: " + (work / "gui.log").read_text(errors="replace")[-1500:])
    return _report("gui offscreen", failures, started)


def run_all(bundle: Path) -> list[str]:
    """Every check on `bundle` (dist/mediaflow); the failures, each naming what failed."""
    with tempfile.TemporaryDirectory(prefix="mediaflow-bundle-check-") as tmp:
        work = Path(tmp)
        return check_validate(bundle, work) + check_run(bundle, work) + check_gui(bundle, work)


if __name__ == "__main__":
    import sys

    failed = run_all(Path(sys.argv[1] if len(sys.argv) > 1 else "dist/mediaflow").resolve())
    print(json.dumps(failed, indent=1) if failed else "all bundle checks passed")
    sys.exit(1 if failed else 0)
