"""Settings: the output-name placeholders' help is readable (one placeholder a line, wrapped, nothing
behind a horizontal scroll bar) and the templates show their underscores.

Why underscores vanished: a QLineEdit clips its text to one line's height inside its frame and
padding; squeezed below its size hint by a few pixels (a QFormLayout in a dialog shorter than its
content), the lowest ink of the line — the "_" of {inputName}_{definition} — is cut off while the
letters stay. The first test shows that mechanism on pixels; the others that the dialog never
squeezes a template and that the underscore is drawn."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QLineEdit, QScrollArea

from mediaflow_gui.ui import theme
from mediaflow_gui.ui.settings_dialog import PLACEHOLDER_MEANINGS, SettingsDialog


def ink(edit: QLineEdit) -> int:
    """Pixels clearly unlike the edit's background, inside its frame."""
    image = edit.grab().toImage()
    background = image.pixelColor(3, image.height() // 2).lightness()
    return sum(1 for y in range(image.height()) for x in range(8, image.width() - 8)
               if abs(image.pixelColor(x, y).lightness() - background) > 60)


def _edit(qtbot, text: str, squeeze: int = 0) -> QLineEdit:  # noqa: ANN001
    edit = QLineEdit(text)
    edit.setStyleSheet(theme.STYLE_SHEET)  # as in the app (its frame and padding)
    qtbot.addWidget(edit)
    edit.resize(220, edit.sizeHint().height() - squeeze)
    edit.show()
    return edit


def test_a_squeezed_line_edit_loses_its_underscores_first(qtbot) -> None:  # noqa: ANN001
    assert ink(_edit(qtbot, "_____")) > 0 and ink(_edit(qtbot, "ABCDE")) > 0
    assert ink(_edit(qtbot, "_____", squeeze=4)) == 0  # the underscores are gone …
    assert ink(_edit(qtbot, "ABCDE", squeeze=4)) == ink(_edit(qtbot, "ABCDE"))  # … the letters are not


def test_templates_keep_their_height_and_draw_their_underscores(window, qtbot) -> None:  # noqa: ANN001
    dialog = SettingsDialog(window.settings, window)
    qtbot.addWidget(dialog)
    dialog.resize(760, 320)  # far shorter than its content
    dialog.show()
    qtbot.waitExposed(dialog)
    for kind, edit in dialog.templates.items():
        assert edit.height() >= edit.sizeHint().height(), kind
    edit = dialog.templates["transcode"]
    assert edit.placeholderText() == "{inputName}_{definition}.{ext}"
    edit.setText("{inputName}_{definition}.{ext}")
    with_underscore = ink(edit)
    edit.setText("{inputName} {definition}.{ext}")
    assert with_underscore > ink(edit)  # the "_" is drawn
    edit.clear()


def test_the_placeholder_help_lists_each_placeholder_and_fits(window, qtbot) -> None:  # noqa: ANN001
    dialog = SettingsDialog(window.settings, window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    help_label = dialog.findChild(QLabel, "placeholder_help")
    assert help_label.textFormat() == help_label.textFormat().RichText and help_label.wordWrap()
    text = help_label.text()
    for name, meaning in PLACEHOLDER_MEANINGS:
        assert name in text
    assert help_label.height() >= help_label.heightForWidth(help_label.width())  # every line, not half
    scroll = help_label.parent()
    while not isinstance(scroll, QScrollArea):  # the page's own scroll area
        scroll = scroll.parent()
    assert scroll.isVisible() and scroll.horizontalScrollBar().maximum() == 0  # nothing hides to the right
    assert help_label.geometry().right() <= scroll.viewport().width()
