"""The signature pad: strokes in pad units from mouse input, PNG output, clear / undo / redo."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest

from rhi_desktop.services.signatures import PNG_MAGIC, blank_signature_problem
from rhi_desktop.ui.record.signature_pad import PAD_HEIGHT, PAD_WIDTH, SignaturePad


def stroke(pad: SignaturePad, points: list[tuple[float, float]]) -> None:
    """One stroke through points given as fractions of the pad's drawing area."""
    s = min(pad.width() / PAD_WIDTH, pad.height() / PAD_HEIGHT)
    at = [QPoint(int(x * PAD_WIDTH * s), int(y * PAD_HEIGHT * s)) for x, y in points]
    QTest.mousePress(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at[0])
    for p in at[1:-1]:
        QTest.mouseMove(pad, p, 2)
    QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at[-1])


def make_pad(qtbot, width_em: int = 30) -> SignaturePad:
    pad = SignaturePad()
    qtbot.addWidget(pad)
    pad.resize(pad.fontMetrics().lineSpacing() * width_em, pad.height())
    pad.show()
    qtbot.waitExposed(pad)
    return pad


def test_blank_pad(qtbot) -> None:
    pad = make_pad(qtbot)
    assert pad.is_blank() and pad.strokes() == []
    assert blank_signature_problem(pad.strokes()) is not None
    image = QImage.fromData(pad.png())
    assert (image.width(), image.height()) == (1200, 400)


def test_mouse_strokes_are_stored_in_pad_units(qtbot) -> None:
    pad = make_pad(qtbot)
    with qtbot.waitSignal(pad.changed):
        stroke(pad, [(0.1, 0.5), (0.3, 0.4), (0.5, 0.6), (0.9, 0.5)])
    strokes = pad.strokes()
    assert len(strokes) == 1 and len(strokes[0]) == 4
    xs = [p[0] for p in strokes[0]]
    assert abs(xs[0] - 60) < 3 and abs(xs[-1] - 540) < 3  # pad units, not pixels
    times = [p[2] for p in strokes[0]]
    assert times == sorted(times)
    assert blank_signature_problem(strokes) is None
    png = pad.png()
    assert png.startswith(PNG_MAGIC)
    # Ink is on the image where the stroke went.
    image = QImage.fromData(png)
    assert image.pixelColor(int(0.5 * 1200), int(0.6 * 400)).lightness() < 200


def test_same_gesture_same_units_on_a_bigger_pad(qtbot) -> None:
    small, big = make_pad(qtbot, 18), make_pad(qtbot, 30)
    for pad in (small, big):
        stroke(pad, [(0.2, 0.5), (0.8, 0.5)])
    a, b = small.strokes()[0], big.strokes()[0]
    assert abs(a[-1][0] - b[-1][0]) < 6 and abs(a[0][1] - b[0][1]) < 6


def test_undo_redo_clear(qtbot) -> None:
    pad = make_pad(qtbot)
    stroke(pad, [(0.1, 0.5), (0.4, 0.5)])
    stroke(pad, [(0.5, 0.5), (0.9, 0.5)])
    assert len(pad.strokes()) == 2
    pad.undo()
    assert len(pad.strokes()) == 1 and pad.can_redo()
    pad.redo()
    assert len(pad.strokes()) == 2
    pad.setFocus()
    QTest.keyClick(pad, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(pad.strokes()) == 1
    pad.clear()
    assert pad.is_blank() and not pad.can_redo()


def test_a_dot_is_not_a_signature(qtbot) -> None:
    pad = make_pad(qtbot)
    stroke(pad, [(0.5, 0.5), (0.505, 0.5)])
    assert not pad.is_blank()
    assert "too small" in (blank_signature_problem(pad.strokes()) or "")


def test_read_only_pad_ignores_input(qtbot) -> None:
    pad = make_pad(qtbot)
    pad.set_read_only(True)
    stroke(pad, [(0.1, 0.5), (0.9, 0.5)])
    assert pad.is_blank()
