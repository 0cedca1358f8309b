"""Painting for the caseload: pill badges, coloured deadlines and status chips."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from rhi_core.domain.deadlines import Urgency

from . import theme
from .caseload_model import BADGES_ROLE, URGENCY_ROLE, Column

_Index = QModelIndex | QPersistentModelIndex


def _pill(painter: QPainter, rect: QRect, text: str, fg: str, bg: str, font: QFont) -> int:
    metrics = QFontMetrics(font)
    pad = metrics.height() // 2
    width = metrics.horizontalAdvance(text) + 2 * pad
    height = metrics.height() + 6
    box = QRectF(rect.x(), rect.center().y() - height / 2, width, height)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(bg))
    painter.drawRoundedRect(box, height / 2, height / 2)
    painter.setPen(QPen(QColor(fg)))
    painter.setFont(font)
    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
    return int(width)


class CaseloadDelegate(QStyledItemDelegate):
    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        col = index.column()
        if col not in (Column.BADGES, Column.TIME_LEFT, Column.STATUS, Column.CHILD):
            super().paint(painter, option, index)
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(option.rect, QColor(theme.BLUE_BG))
        rect = option.rect.adjusted(8, 0, -4, 0)
        small = QFont(option.font)
        small.setPointSizeF(max(7.5, option.font.pointSizeF() - 1))
        small.setWeight(QFont.Weight.DemiBold)
        if col == Column.CHILD:
            name, _, local_id = (index.data() or "").partition("\n")
            bold = QFont(option.font)
            bold.setWeight(QFont.Weight.DemiBold)
            metrics = QFontMetrics(bold)
            top = rect.center().y() - metrics.height()
            painter.setFont(bold)
            painter.setPen(QColor(theme.INK))
            # A name too long for the column ends in "…" (never cut mid-letter).
            shown = metrics.elidedText(name, Qt.TextElideMode.ElideRight, rect.width())
            painter.drawText(QRect(rect.x(), top, rect.width(), metrics.height()), 0, shown)
            painter.setFont(small)
            painter.setPen(QColor(theme.MUTED))
            painter.drawText(
                QRect(rect.x(), top + metrics.height() + 1, rect.width(), metrics.height()),
                0,
                local_id,
            )
        elif col == Column.BADGES:
            x = rect.x()
            # Pills that do not fit the column are left out, not cut (all are in the panel).
            right = rect.right()
            labels = list(index.data(BADGES_ROLE) or [])
            for n, label in enumerate(labels):
                width = QFontMetrics(small).horizontalAdvance(label) + QFontMetrics(small).height()
                if x + width > right:
                    painter.setFont(small)
                    painter.setPen(QColor(theme.MUTED))
                    more = QRect(x, rect.y(), max(0, right - x), rect.height())
                    painter.drawText(more, Qt.AlignmentFlag.AlignVCenter, f"+{len(labels) - n}")
                    break
                fg, bg = theme.BADGE_COLOURS.get(label, (theme.MUTED, theme.GREY_BG))
                x += (
                    _pill(
                        painter,
                        QRect(x, rect.y(), rect.width(), rect.height()),
                        label,
                        fg,
                        bg,
                        small,
                    )
                    + 6
                )
        elif col == Column.STATUS:
            status = index.data(Qt.ItemDataRole.UserRole + 1).rhi_status  # the row's status
            fg, bg = theme.STATUS_COLOURS.get(str(status), (theme.MUTED, theme.GREY_BG))
            _pill(painter, rect, index.data() or "", fg, bg, small)
        else:  # TIME_LEFT
            urgency = index.data(URGENCY_ROLE)
            font = QFont(option.font)
            colour = theme.MUTED
            if urgency == Urgency.OVERDUE:
                _pill(painter, rect, index.data(), "white", theme.RED, small)
                painter.restore()
                return
            if urgency == Urgency.AMBER:
                _pill(painter, rect, index.data(), theme.AMBER, theme.AMBER_BG, small)
                painter.restore()
                return
            if urgency == Urgency.OK:
                colour = theme.INK
                font.setWeight(QFont.Weight.DemiBold)
            painter.setFont(font)
            painter.setPen(QColor(colour))
            painter.drawText(rect, Qt.AlignmentFlag.AlignVCenter, index.data() or "")
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        size = super().sizeHint(option, index)
        metrics = QFontMetrics(option.font)
        if index.column() == Column.BADGES:
            labels: Any = index.data(BADGES_ROLE) or []
            width = sum(metrics.horizontalAdvance(b) + metrics.height() + 6 for b in labels)
            size.setWidth(max(size.width(), width + 12))
        size.setHeight(max(size.height(), metrics.height() * 2 + 14))
        return size
