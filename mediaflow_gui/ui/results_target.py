"""ResultsTarget: the "Results to: [▾]" choice in the tool bar, next to Process files.

Where a batch's results go is chosen where batches start, once, and then holds for every batch
however it starts (Process files…, Process folder…, files or folders dropped on the window, files
handed over by a second start) — no dialog in the way of a drop. The choices:
  - the workflow's own default folder (Settings ▸ Results ▸ Output folder; `~/MediaFlow results`),
  - next to each input,
  - the folder chosen last (shown by its name, when there is one),
  - Choose folder… (a folder dialog; the folder becomes "the folder chosen last").
The choice is stored in the settings at once (AppSettings.results_to / last_results_folder), so
it is remembered across starts; EngineAdapter.submit reads it through AppSettings.results_folder().
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QFileDialog, QHBoxLayout, QLabel, QWidget

from .settings import RESULTS_BESIDE, RESULTS_DEFAULT, RESULTS_LAST, AppSettings

CHOOSE = "choose"  # the combo's last item: ask for a folder
_TOOLTIP = Qt.ItemDataRole.ToolTipRole  # the full path on hover


class ResultsTarget(QWidget):
    def __init__(self, settings: AppSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.label = QLabel(self.tr("Results to:"))
        self.combo = QComboBox()
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.combo.setMinimumContentsLength(12)
        self.combo.setToolTip(self.tr("Where the results of the next files you process go"))
        self.label.setBuddy(self.combo)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 0, 6, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.combo)
        self.combo.activated.connect(self._on_activated)
        self.refresh()

    # -- what it shows ---------------------------------------------------------------------------
    def refresh(self) -> None:
        """Fill the list from the settings (again after Settings changed the default folder)."""
        s = self.settings
        self.combo.blockSignals(True)
        self.combo.clear()
        default = s.output_dir
        self.combo.addItem(Path(default).name or default, RESULTS_DEFAULT)
        self.combo.setItemData(0, self.tr("The default results folder: {0}").format(default), _TOOLTIP)
        self.combo.addItem(self.tr("Next to each input"), RESULTS_BESIDE)
        self.combo.setItemData(1, self.tr("In the folder of each input file"), _TOOLTIP)
        last = s.last_results_folder
        if last and Path(last) != Path(default):
            self.combo.addItem(Path(last).name or last, RESULTS_LAST)
            self.combo.setItemData(2, self.tr("The folder chosen last: {0}").format(last), _TOOLTIP)
        self.combo.insertSeparator(self.combo.count())
        self.combo.addItem(self.tr("Choose folder…"), CHOOSE)
        self._select(s.results_to)
        self.combo.blockSignals(False)

    def _select(self, choice: str) -> None:
        index = self.combo.findData(choice)
        if index < 0:  # "last" with no folder (or the default one): the default
            index = self.combo.findData(RESULTS_DEFAULT)
        self.combo.setCurrentIndex(index)
        self.combo.setToolTip(self.combo.itemData(index, _TOOLTIP) or "")

    def folder(self) -> str:
        """The results folder of the current choice ("" = next to each input)."""
        return self.settings.results_folder()

    def describe(self) -> str:
        """A few words for the status bar: where the next batch's results go."""
        folder = self.folder()
        return self.tr("results in {0}").format(folder) if folder else self.tr("results next to each input")

    # -- choosing ---------------------------------------------------------------------------------
    def choose(self, choice: str, folder: str = "") -> None:
        """Make `choice` the current one (remembered); RESULTS_LAST with `folder` sets that folder."""
        if choice == RESULTS_LAST and folder:
            if Path(folder) == Path(self.settings.output_dir):
                choice = RESULTS_DEFAULT  # the default folder picked by hand is the default choice
            else:
                self.settings.last_results_folder = folder
        self.settings.results_to = choice
        self.settings.sync()
        self.refresh()

    def ask_folder(self) -> str:  # a dialog (tests replace it)
        start = self.settings.results_folder() or self.settings.output_dir
        return QFileDialog.getExistingDirectory(self, "Put the results in this folder", start)

    def _on_activated(self, index: int) -> None:
        choice = self.combo.itemData(index)
        if choice == CHOOSE:
            folder = self.ask_folder()
            if folder:
                self.choose(RESULTS_LAST, folder)
            else:  # cancelled: the choice stays as it was
                self._select(self.settings.results_to)
            return
        self.choose(choice)

