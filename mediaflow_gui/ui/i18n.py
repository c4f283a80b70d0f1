"""The GUI's languages: which translation to load at start, and where its compiled .qm comes from.

Source strings are English. An English UI still loads `mediaflow_en.ts`, which holds only the numerus
(plural) forms of the messages with a count — Qt's way to turn `tr("%n node(s)", "", n)` into "1 node" /
"11 nodes" (ENGLISH). A language `xx_YY` is `resources/i18n/mediaflow_xx_YY.ts`; every .ts is compiled by
`pyside6-lrelease` to `mediaflow_xx_YY.qm`:
- a bundle / install has it compiled at build time in `<resources dir>/i18n/` (packaging/): looked at first;
- a development run (the venv) compiles it on demand into `<data dir>/i18n-cache/` when the .ts is newer
  than the cached .qm — never into the source tree (.qm files are not committed).
Qt's own `qtbase_xx_YY.qm` from the PySide6 wheel translates the standard dialogs (file, colour, message box)
when it is there. The language is read once at start (Settings ▸ Language applies at the next start).

`translate` is QCoreApplication.translate under a short name that pyside6-lupdate still recognises;
modules outside QObject subclasses use it with a context per table (e.g. "InspectorSpecs").
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QLibraryInfo, QLocale, QTranslator

from ..paths import data_dir, resources_dir

log = logging.getLogger(__name__)

translate = QCoreApplication.translate

LANGUAGES = ("system", "en", "zh_CN")  # the choices of Settings ▸ Language (AppSettings.language)
AVAILABLE = ("zh_CN",)  # languages with a full translation (.ts) in resources/i18n
ENGLISH = "en"  # mediaflow_en.ts: the English plural forms only, loaded when pick_language says English


def pick_language(setting: str, system_name: str | None = None) -> str | None:
    """The translation to load for a Language setting, or None for English (the source strings, with the
    plural forms of ENGLISH, which install_translators loads then).

    "system" maps the system locale (e.g. zh_CN, zh_Hans_CN, zh_SG) to the closest available language.
    """
    if setting == "en":
        return None
    if setting in AVAILABLE:
        return setting
    name = system_name if system_name is not None else QLocale.system().name()
    if name.startswith("zh") and not any(t in name for t in ("TW", "HK", "MO", "Hant")):
        return "zh_CN"
    return name if name in AVAILABLE else None


def _lrelease() -> str | None:
    """pyside6-lrelease next to this Python (the venv), else on PATH."""
    beside = Path(sys.executable).with_name("pyside6-lrelease")
    return str(beside) if beside.exists() else shutil.which("pyside6-lrelease")


def compiled_translation(language: str, *, cache_dir: Path | None = None,
                         i18n_dir: Path | None = None) -> Path | None:
    """The .qm of `language`: the bundle's compiled one, else one compiled on demand from the .ts.

    `i18n_dir` (default `<resources dir>/i18n`) and `cache_dir` (default `<data dir>/i18n-cache`) are
    for tests. Returns None (with a log line) when neither exists or lrelease fails: the UI stays English.
    """
    i18n = i18n_dir if i18n_dir is not None else resources_dir() / "i18n"
    shipped = i18n / f"mediaflow_{language}.qm"
    if shipped.exists():
        return shipped
    source = i18n / f"mediaflow_{language}.ts"
    if not source.exists():
        log.info("no translation for %s (%s missing)", language, source)
        return None
    cache = cache_dir if cache_dir is not None else data_dir() / "i18n-cache"
    cached = cache / f"mediaflow_{language}.qm"
    if cached.exists() and cached.stat().st_mtime >= source.stat().st_mtime:
        return cached
    tool = _lrelease()
    if tool is None:
        log.warning("cannot compile %s: pyside6-lrelease not found; the UI stays English", source)
        return None
    cache.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([tool, "-silent", str(source), "-qm", str(cached)], capture_output=True, text=True)
    if done.returncode != 0 or not cached.exists():
        log.warning("pyside6-lrelease failed on %s: %s", source, (done.stderr or done.stdout).strip())
        return None
    return cached


def install_translators(app: QCoreApplication, settings: object | None = None, *,
                        language: str | None = None) -> list[QTranslator]:
    """Install MediaFlow's translation and Qt's qtbase one for the chosen language on `app`.

    `settings` is an AppSettings (its `language`); `language` overrides it (tests, the screenshots tool).
    An English UI gets the English plural forms (ENGLISH) and no qtbase file (Qt's own texts are English).
    Returns the installed translators; the caller keeps them alive (a QTranslator must outlive its use).
    """
    choice = language if language is not None else getattr(settings, "language", "system")
    picked = pick_language(choice)
    installed: list[QTranslator] = []
    qm = compiled_translation(picked or ENGLISH)
    if qm is not None:
        translator = QTranslator(app)
        if translator.load(str(qm)):
            app.installTranslator(translator)
            installed.append(translator)
        else:
            log.warning("could not load the translation %s", qm)
    if picked is None:
        return installed
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    qtbase = QTranslator(app)
    if qtbase.load(f"qtbase_{picked}", qt_dir):
        app.installTranslator(qtbase)
        installed.append(qtbase)
    return installed


# the model's English names of task kinds (model/kinds.py TaskKind.title), for pyside6-lupdate; the
# model stays Qt-free and the UI translates at its edge with kind_title()
_KIND_TITLES = (QT_TRANSLATE_NOOP("Vocabulary", "Transcode"), QT_TRANSLATE_NOOP("Vocabulary", "Time-point snapshots"),
                QT_TRANSLATE_NOOP("Vocabulary", "Sampled snapshots"), QT_TRANSLATE_NOOP("Vocabulary", "Animated image"),
                QT_TRANSLATE_NOOP("Vocabulary", "Image sprite"), QT_TRANSLATE_NOOP("Vocabulary", "Watermark"),
                QT_TRANSLATE_NOOP("Vocabulary", "Start"), QT_TRANSLATE_NOOP("Vocabulary", "Split"),
                QT_TRANSLATE_NOOP("Vocabulary", "Join"), QT_TRANSLATE_NOOP("Vocabulary", "End"))


def kind_title(kind_id: str | None, fallback: str = "") -> str:
    """The title of a task kind (or a node kind: start, split, join, end) in the UI's language."""
    from ..model.kinds import TASK_KINDS
    kind = TASK_KINDS.get(kind_id or "")
    english = kind.title if kind else (fallback or (kind_id or "").capitalize())
    return translate("Vocabulary", english)


def status_label(status: str) -> str:
    """A run or subtask status word (theme.STATUS_LABELS, context "Status") in the UI's language."""
    from .theme import STATUS_LABELS
    return translate("Status", STATUS_LABELS.get(status, status.capitalize()))
