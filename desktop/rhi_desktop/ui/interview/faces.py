"""Pictorial faces for 1-5 scales, drawn rather than taken from an emoji font, so they look the
same on every laptop (many council builds have no colour emoji font)."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

_FILL = {1: "#f4a3a3", 2: "#f7c58f", 3: "#f3e08a", 4: "#bfe3a0", 5: "#93d6a8"}


def face_pixmap(point: int, size: int = 44, ratio: float = 2.0) -> QPixmap:
    """A round face for scale point 1 (very sad) .. 5 (very happy)."""
    px = QPixmap(int(size * ratio), int(size * ratio))
    px.setDevicePixelRatio(ratio)
    px.fill(Qt.GlobalColor.transparent)
    p = QPainter(px)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    ink = QColor("#3b3b3b")
    p.setPen(QPen(ink, size / 22))
    p.setBrush(QColor(_FILL.get(point, "#dddddd")))
    m = size * 0.06
    p.drawEllipse(QRectF(m, m, size - 2 * m, size - 2 * m))
    p.setBrush(ink)
    eye = size * 0.07
    p.drawEllipse(QPointF(size * 0.36, size * 0.40), eye, eye)
    p.drawEllipse(QPointF(size * 0.64, size * 0.40), eye, eye)
    curve = (point - 3) / 2  # -1 .. 1
    p.setBrush(Qt.BrushStyle.NoBrush)
    path = QPainterPath(QPointF(size * 0.32, size * 0.66))
    path.quadTo(
        QPointF(size * 0.5, size * (0.66 + 0.16 * curve)), QPointF(size * 0.68, size * 0.66)
    )
    p.drawPath(path)
    p.end()
    return px


def face_icon(point: int, size: int = 44) -> QIcon:
    return QIcon(face_pixmap(point, size))
