"""A signature pad for mouse, pen (tablet events) and touch.

Points are kept in *pad units*: a fixed 600 × 200 box whatever the widget's size, so a
signature drawn on a small laptop and on a large tablet is stored the same way (the services
check a signature's extent in these units). Each point is ``[x, y, t]`` with ``t`` in ms since
the pad's first touch. ``png()`` draws the strokes on white at 2× the pad size.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QElapsedTimer,
    QEvent,
    QIODevice,
    QPointF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QImage,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QTabletEvent,
    QTouchEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

PAD_WIDTH = 600.0
PAD_HEIGHT = 200.0
INK = QColor("#14213d")
Point = list[float]
Stroke = list[Point]


class SignaturePad(QWidget):
    changed = Signal()  # strokes were added, undone, redone or cleared

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signaturePad")
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, True)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        # The pad keeps the 3:1 shape of its units, sized from the font (larger text, larger pad).
        line = self.fontMetrics().lineSpacing()
        self.setFixedHeight(line * 10)
        self.setMaximumWidth(line * 30)
        self._strokes: list[Stroke] = []
        self._undone: list[Stroke] = []
        self._current: Stroke | None = None
        self._clock = QElapsedTimer()
        self._read_only = False

    # --- the public API --------------------------------------------------------------------
    def strokes(self) -> list[Stroke]:
        return [[list(p) for p in s] for s in self._strokes]

    def set_strokes(self, strokes: list[Stroke] | tuple | None) -> None:
        """Show stored strokes (a saved signature)."""
        self._strokes = [[[float(v) for v in p] for p in s] for s in (strokes or [])]
        self._undone = []
        self._current = None
        self.update()
        self.changed.emit()

    def is_blank(self) -> bool:
        return not any(self._strokes)

    def clear(self) -> None:
        if self._strokes or self._current:
            self._strokes, self._undone, self._current = [], [], None
            self.update()
            self.changed.emit()

    def undo(self) -> None:
        if self._strokes and not self._read_only:
            self._undone.append(self._strokes.pop())
            self.update()
            self.changed.emit()

    def redo(self) -> None:
        if self._undone and not self._read_only:
            self._strokes.append(self._undone.pop())
            self.update()
            self.changed.emit()

    def can_undo(self) -> bool:
        return bool(self._strokes)

    def can_redo(self) -> bool:
        return bool(self._undone)

    def set_read_only(self, on: bool) -> None:
        self._read_only = on
        self.setCursor(Qt.CursorShape.ArrowCursor if on else Qt.CursorShape.CrossCursor)

    def png(self) -> bytes:
        """The strokes as a PNG (white background, 1200 × 400)."""
        scale = 2.0
        image = QImage(int(PAD_WIDTH * scale), int(PAD_HEIGHT * scale), QImage.Format.Format_RGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.scale(scale, scale)
        self._draw(painter)
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        buffer.close()
        return bytes(data.data())

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        # Undo and redo strokes from the keyboard while the pad has focus.
        if event.matches(QKeySequence.StandardKey.Undo):
            self.undo()
        elif event.matches(QKeySequence.StandardKey.Redo):
            self.redo()
        else:
            super().keyPressEvent(event)

    # --- geometry --------------------------------------------------------------------------
    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        line = self.fontMetrics().lineSpacing()
        return QSize(line * 30, line * 10)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        line = self.fontMetrics().lineSpacing()
        return QSize(line * 15, line * 10)

    def _scale(self) -> float:
        return min(self.width() / PAD_WIDTH, self.height() / PAD_HEIGHT) or 1.0

    def _to_pad(self, pos: QPointF) -> Point:
        s = self._scale()
        x = min(max(pos.x() / s, 0.0), PAD_WIDTH)
        y = min(max(pos.y() / s, 0.0), PAD_HEIGHT)
        if not self._clock.isValid():
            self._clock.start()
        return [round(x, 2), round(y, 2), float(self._clock.elapsed())]

    # --- input: one path for mouse, pen and touch ----------------------------------------
    def _begin(self, pos: QPointF) -> None:
        if self._read_only:
            return
        self._current = [self._to_pad(pos)]
        self._strokes.append(self._current)
        self._undone = []
        self.update()

    def _extend(self, pos: QPointF) -> None:
        if self._current is not None:
            point = self._to_pad(pos)
            if point[:2] != self._current[-1][:2]:
                self._current.append(point)
                self.update()

    def _end(self, pos: QPointF | None) -> None:
        if self._current is not None:
            if pos is not None:
                self._extend(pos)
            self._current = None
            self.changed.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        # Touch and pen also arrive as synthesised mouse events: handled once, at the source.
        if event.source() != Qt.MouseEventSource.MouseEventNotSynthesized:
            event.ignore()
            return
        if event.button() == Qt.MouseButton.LeftButton:
            self.setFocus(Qt.FocusReason.MouseFocusReason)
            self._begin(event.position())
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.source() == Qt.MouseEventSource.MouseEventNotSynthesized:
            self._extend(event.position())
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.source() == Qt.MouseEventSource.MouseEventNotSynthesized:
            self._end(event.position())
        event.accept()

    def tabletEvent(self, event: QTabletEvent) -> None:  # noqa: N802 - Qt override
        kind = event.type()
        if kind == QEvent.Type.TabletPress:
            self._begin(event.position())
        elif kind == QEvent.Type.TabletMove:
            self._extend(event.position())
        elif kind == QEvent.Type.TabletRelease:
            self._end(event.position())
        event.accept()

    def event(self, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate, QEvent.Type.TouchEnd):
            assert isinstance(event, QTouchEvent)
            points = event.points()
            if points:
                pos = points[0].position()
                if kind == QEvent.Type.TouchBegin:
                    self._begin(pos)
                elif kind == QEvent.Type.TouchUpdate:
                    self._extend(pos)
                else:
                    self._end(pos)
            event.accept()
            return True
        if kind == QEvent.Type.TouchCancel:
            self._end(None)
            event.accept()
            return True
        return super().event(event)

    # --- drawing ---------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("white"))
        s = self._scale()
        # The line to sign on, as on paper.
        guide = QPen(QColor("#c5ccd6"), 1, Qt.PenStyle.DashLine)
        painter.setPen(guide)
        base = PAD_HEIGHT * 0.75 * s
        painter.drawLine(QPointF(12, base), QPointF(PAD_WIDTH * s - 12, base))
        if self.is_blank() and not self._read_only:
            painter.setPen(QColor("#8a94a3"))
            painter.drawText(
                self.rect().adjusted(0, 0, 0, -int(PAD_HEIGHT * 0.3 * s)),
                Qt.AlignmentFlag.AlignCenter,
                "Sign here with a mouse, pen or finger",
            )
        painter.scale(s, s)
        self._draw(painter)
        painter.end()

    def _draw(self, painter: QPainter) -> None:
        pen = QPen(
            INK, 2.4, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin
        )
        painter.setPen(pen)
        for stroke in self._strokes:
            if len(stroke) == 1:
                painter.drawPoint(QPointF(stroke[0][0], stroke[0][1]))
                continue
            path = QPainterPath(QPointF(stroke[0][0], stroke[0][1]))
            for x, y, _t in stroke[1:]:
                path.lineTo(x, y)
            painter.drawPath(path)
