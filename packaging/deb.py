"""The Debian package of a built bundle: packaging/linux/ holds the recipe (control template, .desktop
entry, maintainer scripts); this module lays out the package tree and calls dpkg-deb.

Layout: /opt/mediaflow/ (the PyInstaller folder as is), /usr/bin/mediaflow-gui and /usr/bin/mediaflow
(symlinks: the bootloader resolves its own path through them), /usr/share/applications/mediaflow.desktop,
/usr/share/icons/hicolor/{scalable,NxN}/apps/mediaflow.{svg,png}. Files are root-owned in the package
(--root-owner-group) whatever user builds it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
LINUX = HERE / "linux"
APP_SVG = ROOT / "resources" / "icons" / "app.svg"
ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


def render_icons(svg: Path, hicolor: Path, sizes: tuple[int, ...] = ICON_SIZES) -> list[Path]:
    """The app icon into a hicolor tree: the SVG as is, and one PNG per size drawn by QSvgRenderer."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841  (QPainter needs one)
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"packaging: {svg} is not an SVG Qt can draw")
    written = []
    scalable = hicolor / "scalable" / "apps" / "mediaflow.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(svg, scalable)
    written.append(scalable)
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        png = hicolor / f"{size}x{size}" / "apps" / "mediaflow.png"
        png.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(png), "PNG"):
            raise SystemExit(f"packaging: could not write {png}")
        written.append(png)
    return written


def installed_size_kib(tree: Path) -> int:
    return sum(p.lstat().st_size for p in tree.rglob("*") if not p.is_dir()) // 1024 + 1


def build_deb(bundle: Path, version: str, dist: Path, stage: Path, *, zstd_level: int = 9,
              system_ffmpeg: bool = True) -> Path:
    """Lay out `stage` from `bundle` and the recipe, validate the .desktop file, build the .deb in `dist`."""
    shutil.rmtree(stage, ignore_errors=True)
    opt = stage / "opt" / "mediaflow"
    shutil.copytree(bundle, opt, symlinks=True)
    usr_bin = stage / "usr" / "bin"
    usr_bin.mkdir(parents=True)
    for exe in ("mediaflow-gui", "mediaflow"):
        (usr_bin / exe).symlink_to(f"/opt/mediaflow/{exe}")
    apps = stage / "usr" / "share" / "applications"
    apps.mkdir(parents=True)
    desktop = apps / "mediaflow.desktop"
    shutil.copyfile(LINUX / "mediaflow.desktop", desktop)
    validator = shutil.which("desktop-file-validate")
    if validator:  # desktop-file-utils: not needed to build, but a broken entry must not ship
        result = subprocess.run([validator, str(desktop)], capture_output=True, text=True)
        if result.returncode != 0 or result.stdout.strip():
            raise SystemExit(f"packaging: {LINUX / 'mediaflow.desktop'} fails desktop-file-validate:\n{result.stdout}")
    render_icons(APP_SVG, stage / "usr" / "share" / "icons" / "hicolor")
    debian = stage / "DEBIAN"
    debian.mkdir()
    control = (LINUX / "control.in").read_text().format(
        version=version, installed_size=installed_size_kib(stage),
        # the bundle left its FFmpeg out: Debian's (5.1 in bookworm) does every job
        ffmpeg=", ffmpeg (>= 7:5.1)" if system_ffmpeg else "",
        ffmpeg_note="FFmpeg is the system's (the ffmpeg package)" if system_ffmpeg else "so is FFmpeg")
    (debian / "control").write_text(control)
    for script in ("postinst", "postrm"):
        target = debian / script
        shutil.copyfile(LINUX / script, target)
        target.chmod(0o755)
    for path in stage.rglob("*"):  # dpkg-deb refuses group/other-writable control files; keep all sane
        if not path.is_symlink():
            path.chmod(path.stat().st_mode & ~0o022)
    deb = dist / f"mediaflow_{version}_amd64.deb"
    deb.unlink(missing_ok=True)
    subprocess.run(["dpkg-deb", "--root-owner-group", "-Zzstd", f"-z{zstd_level}", "--threads-max=2",
                    "--build", str(stage), str(deb)], check=True, stdout=subprocess.DEVNULL)
    return deb
