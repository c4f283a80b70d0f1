"""Build MediaFlow's desktop bundle and its Debian package: `python3 quickstart.py package` runs this.

Steps, each timed and printed:
  1. translations: every resources/i18n/*.ts compiled with `pyside6-lrelease` (PySide6 wheel) into
     build/i18n/, which the spec packs as `<resources dir>/i18n/*.qm` (where the app's loader looks);
  2. PyInstaller with packaging/mediaflow.spec → dist/mediaflow/ (one folder, two executables);
  3. strip: debug symbols and symbol tables out of every ELF file but the two executables (their
     bootloader carries the archive appended; stripping would cut it off);
  4. checks of the bundle (packaging/checks.py: validate, a real run, the GUI offscreen);
  5. the .deb (Linux only): /opt/mediaflow, /usr/bin links, .desktop entry, hicolor icons (the PNG
     sizes rendered from resources/icons/app.svg with Qt's QSvgRenderer) → dist/mediaflow_<v>_amd64.deb.

Assumes it runs in the project's .venv with the `package` extra installed (quickstart does that).
Writes only build/ and dist/ of the checkout (both in .gitignore).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import sysconfig
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BUILD = ROOT / "build"
DIST = ROOT / "dist"
BUNDLE = DIST / "mediaflow"
EXECUTABLES = ("mediaflow-gui", "mediaflow")
ZSTD_LEVEL = 9  # measured: -z9 63 s → 196 MB; -z19 had not finished after 8 min on 2 shared cores


@dataclass
class Report:
    """Times and sizes of one build, printed at the end."""

    times: dict[str, float] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)

    def timed(self, name: str, started: float) -> None:
        self.times[name] = time.monotonic() - started
        print(f"  {name}: {self.times[name]:.1f} s", flush=True)

    def print(self) -> None:
        print("\nMediaFlow package built:")
        for name, size in self.sizes.items():
            print(f"  {name:<34} {size / 1e6:8.1f} MB")
        print("  times: " + ", ".join(f"{k} {v:.1f} s" for k, v in self.times.items()))


def version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def tree_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def compile_translations() -> list[Path]:
    """resources/i18n/*.ts → build/i18n/*.qm with pyside6-lrelease; [] when there is no .ts yet."""
    out = BUILD / "i18n"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    sources = sorted((ROOT / "resources" / "i18n").glob("*.ts"))
    if not sources:
        return []
    lrelease = Path(sysconfig.get_path("scripts")) / "pyside6-lrelease"
    if not lrelease.exists():
        lrelease = Path(shutil.which("pyside6-lrelease") or "pyside6-lrelease")
    done = []
    for ts in sources:
        qm = out / (ts.stem + ".qm")
        subprocess.run([str(lrelease), "-silent", str(ts), "-qm", str(qm)], check=True)
        done.append(qm)
    return done


def run_pyinstaller() -> None:
    shutil.rmtree(BUNDLE, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
                    "--distpath", str(DIST), "--workpath", str(BUILD / "pyinstaller"),
                    str(HERE / "mediaflow.spec")], cwd=ROOT, check=True)


def is_elf(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(4) == b"\x7fELF"
    except OSError:
        return False


def strip_bundle(bundle: Path) -> int:
    """Strip every ELF file of the bundle except the executables; returns how many were stripped."""
    strip = shutil.which("strip")
    if not strip:
        print("  strip not found: the bundle keeps its symbols (install binutils)")
        return 0
    count = 0
    for path in sorted(bundle.rglob("*")):
        if path.is_symlink() or not path.is_file() or path.parent == bundle or not is_elf(path):
            continue
        # shared libraries keep what the dynamic linker needs; executables (weed, ffmpeg) lose all symbols
        flag = "--strip-unneeded" if ".so" in path.name else "--strip-all"
        mode = path.stat().st_mode
        path.chmod(mode | 0o200)  # some wheels ship read-only libraries
        if subprocess.run([strip, flag, str(path)], capture_output=True).returncode == 0:
            count += 1
        path.chmod(mode)
    return count


def drop_bundled_ffmpeg(bundle: Path) -> int:
    """Remove imageio-ffmpeg's FFmpeg binary from the bundle; the bytes removed.

    Why: it is 173 MB of a 570 MB bundle, and the app already prefers a capable ffmpeg on PATH (the
    FFmpeg policy, media/ffmpeg_choice.py) — Debian 12's 5.1 does every job (issue 9's tests), so a
    .deb depends on it instead of carrying a second FFmpeg. Without either, the app says "FFmpeg was
    not found: install FFmpeg or set its path in Settings" (media/ffmpeg_locate.py)."""
    removed = 0
    for binary in bundle.glob("_internal/imageio_ffmpeg/binaries/ffmpeg-*"):
        removed += binary.stat().st_size
        binary.unlink()
    return removed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="quickstart.py package", description=__doc__.split("\n")[0])
    parser.add_argument("--no-deb", action="store_true", help="the folder bundle only")
    parser.add_argument("--no-checks", action="store_true", help="skip running the built bundle")
    parser.add_argument("--zstd-level", type=int, default=ZSTD_LEVEL, help="dpkg-deb's zstd level (default 9)")
    parser.add_argument("--with-ffmpeg", action="store_true",
                        help="keep imageio-ffmpeg's FFmpeg in the bundle (+173 MB): for machines without a "
                             "capable ffmpeg on PATH; by default the bundle uses the system's and the .deb "
                             "depends on Debian's ffmpeg")
    args = parser.parse_args(argv)
    report = Report()
    BUILD.mkdir(exist_ok=True)

    started = time.monotonic()
    qms = compile_translations()
    print(f"  compiled {len(qms)} translation(s): {', '.join(p.name for p in qms) or 'none found'}")
    report.timed("translations", started)

    started = time.monotonic()
    run_pyinstaller()
    report.timed("pyinstaller", started)
    report.sizes["bundle before strip"] = tree_size(BUNDLE)

    if not args.with_ffmpeg:
        removed = drop_bundled_ffmpeg(BUNDLE)
        print(f"  left out the bundled FFmpeg ({removed / 1e6:.0f} MB): the system's ffmpeg is used "
              "(--with-ffmpeg keeps it)")

    started = time.monotonic()
    print(f"  stripped {strip_bundle(BUNDLE)} binaries")
    report.timed("strip", started)
    report.sizes["bundle dist/mediaflow/"] = tree_size(BUNDLE)

    if not args.no_checks:
        from checks import run_all  # packaging/checks.py (this folder is on sys.path)
        started = time.monotonic()
        failures = run_all(BUNDLE)
        report.timed("bundle checks", started)
        if failures:
            print("bundle checks FAILED:\n  " + "\n  ".join(failures))
            return 1

    if not args.no_deb and platform.system() == "Linux":
        from deb import build_deb  # packaging/deb.py
        started = time.monotonic()
        deb = build_deb(BUNDLE, version(), DIST, BUILD / "deb", zstd_level=args.zstd_level,
                        system_ffmpeg=not args.with_ffmpeg)
        report.timed("deb", started)
        report.sizes[f"deb dist/{deb.name}"] = deb.stat().st_size
    report.print()
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    sys.exit(main())
