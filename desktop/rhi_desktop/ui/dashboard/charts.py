"""The dashboard's three charts (QtCharts), styled like the rest of the app.

Each chart view also carries an accessible description listing its numbers, because a chart is
only a picture to a screen reader.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, QPointF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QWidget

from rhi_core.domain.codes import DeclineReason
from rhi_desktop.services.dashboard import MonthSeries

from ..theme import ACCENT, AMBER, GREEN, INK, LINE, MUTED, SURFACE

EPISODES_COLOUR = "#8fb3e0"  # a light accent: the bulk behind the completions
COMPLETED_COLOUR = GREEN


def _nice_max(value: float) -> float:
    """A round axis maximum a little above `value` (5, 10, 20, 50, 100, 200, ...)."""
    if value <= 5:
        return 5
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _tick_count(top: float) -> int:
    """Ticks that land on whole numbers: 0-50 in 10s (6 ticks), 0-200 in 50s (5 ticks)."""
    for n in (5, 6, 3, 4):
        if (top / (n - 1)).is_integer():
            return n
    return 2


def _axis_style(axis: QValueAxis | QBarCategoryAxis, font: QFont) -> None:
    axis.setLabelsColor(QColor(MUTED))
    axis.setLabelsFont(font)
    axis.setLinePen(QPen(QColor(LINE)))
    axis.setGridLineColor(QColor(LINE))
    axis.setShadesVisible(False)


class _Chart(QChartView):
    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        self.chart_ = QChart()
        super().__init__(self.chart_, parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setAccessibleName(name)
        self.setMinimumHeight(240)
        self.setStyleSheet(f"background: {SURFACE}; border: none;")
        c = self.chart_
        c.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        c.setBackgroundBrush(QBrush(QColor(SURFACE)))
        c.setBackgroundRoundness(0)
        c.setMargins(QMargins(0, 4, 0, 0))
        c.layout().setContentsMargins(0, 0, 0, 0)
        legend = c.legend()
        legend.setAlignment(Qt.AlignmentFlag.AlignBottom)
        legend.setLabelColor(QColor(INK))
        self.small = QFont(self.font())
        self.small.setPointSizeF(max(8.0, self.font().pointSizeF() - 1))
        self.axis_font = QFont(self.small)
        self.axis_font.setPointSizeF(max(7.5, self.small.pointSizeF() - 0.5))
        legend.setFont(self.small)

    def _reset(self) -> None:
        c = self.chart_
        c.removeAllSeries()
        for axis in c.axes():
            c.removeAxis(axis)


def _month_labels(labels: Sequence[str]) -> list[str]:
    """Month names only ("Jan"; the caption gives the years): a year's 13 months leave about
    30 px each, and the axis elides anything longer. A category axis drops repeated labels, so
    a month seen again (June to June) gets an invisible zero-width space to keep its place."""
    out: list[str] = []
    for label in labels:
        short = label.split(" ")[0]
        while short in out:
            short += "\u200b"
        out.append(short)
    return out


# Short enough for the axis at a laptop's width; the accessible description uses the full labels.
SHORT_REASONS: dict[DeclineReason, str] = {
    DeclineReason.DOES_NOT_WANT_TO_TALK: "Didn't want to talk",
    DeclineReason.ALREADY_SPOKE_TO_POLICE: "Spoke to police",
    DeclineReason.PREFERS_OWN_WORKER: "Wants own worker",
    DeclineReason.NOT_MISSING_IN_OWN_VIEW: "Says not missing",
    DeclineReason.FAMILY_REFUSED: "Family refused",
    DeclineReason.MISSING_AGAIN: "Missing again",
    DeclineReason.MOVED_AWAY: "Moved away",
    DeclineReason.OTHER: "Other reason",
}


class MonthlyChart(_Chart):
    """Episodes and RHIs completed, per month (bars side by side)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Episodes and RHIs completed by month", parent)

    def show_months(self, months: MonthSeries) -> None:
        self._reset()
        series = QBarSeries()
        for name, values, colour in (
            ("Episodes", months.episodes, EPISODES_COLOUR),
            ("RHIs completed", months.rhis_completed, COMPLETED_COLOUR),
        ):
            bars = QBarSet(name)
            bars.append([float(v) for v in values])
            bars.setColor(QColor(colour))
            bars.setBorderColor(QColor(colour))
            series.append(bars)
        series.setBarWidth(0.75)
        self.chart_.addSeries(series)
        x = QBarCategoryAxis()
        x.append(_month_labels(months.labels))
        y = QValueAxis()
        top = _nice_max(max([*months.episodes, *months.rhis_completed, 1]))
        y.setRange(0, top)
        y.setLabelFormat("%d")
        y.setTickCount(_tick_count(top))
        for axis, side in ((x, Qt.AlignmentFlag.AlignBottom), (y, Qt.AlignmentFlag.AlignLeft)):
            _axis_style(axis, self.axis_font)
            self.chart_.addAxis(axis, side)
            series.attachAxis(axis)
        x.setGridLineVisible(False)
        self.setAccessibleDescription(
            "; ".join(
                f"{label}: {e} episodes, {c} RHIs completed"
                for label, e, c in zip(
                    months.labels, months.episodes, months.rhis_completed, strict=True
                )
            )
        )


class RatesChart(_Chart):
    """Offer, completion and within-72-hours rates per month, 0-100%."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Rates by month", parent)

    def show_months(self, months: MonthSeries) -> None:
        self._reset()
        x = QBarCategoryAxis()
        x.append(_month_labels(months.labels))
        y = QValueAxis()
        y.setRange(0, 100)
        y.setTickCount(6)
        y.setLabelFormat("%d%%")
        _axis_style(x, self.axis_font)
        _axis_style(y, self.axis_font)
        x.setGridLineVisible(False)
        self.chart_.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        self.chart_.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        lines = (
            ("Offered", months.offer_rate, ACCENT),
            ("Completed", months.completion_rate, GREEN),
            ("Within 72 h", months.within_72h_rate, AMBER),
        )
        for name, values, colour in lines:
            series = QLineSeries()
            series.setName(name)
            series.append([QPointF(i, v) for i, v in enumerate(values)])
            pen = QPen(QColor(colour))
            pen.setWidthF(2.5)
            series.setPen(pen)
            series.setPointsVisible(len(values) <= 13)
            self.chart_.addSeries(series)
            series.attachAxis(x)
            series.attachAxis(y)
        self.setAccessibleDescription(
            "; ".join(
                f"{label}: offered {o:.1f}%, completed {c:.1f}%, within 72 hours {w:.1f}%"
                for label, o, c, w in zip(
                    months.labels,
                    months.offer_rate,
                    months.completion_rate,
                    months.within_72h_rate,
                    strict=True,
                )
            )
        )


class DeclinesChart(_Chart):
    """RHIs declined in the period, by the reason of the decline that stood."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Declines by reason", parent)

    def show_reasons(self, reasons: Sequence[tuple[DeclineReason, int]]) -> None:
        self._reset()
        # Largest at the top: a horizontal bar chart draws its first category at the bottom.
        shown = list(reversed(reasons))
        bars = QBarSet("RHIs declined")
        bars.append([float(n) for _, n in shown])
        bars.setColor(QColor(MUTED))
        bars.setBorderColor(QColor(MUTED))
        series = QHorizontalBarSeries()
        series.append(bars)
        series.setBarWidth(0.7)
        series.setLabelsVisible(True)
        series.setLabelsPosition(QHorizontalBarSeries.LabelsPosition.LabelsOutsideEnd)
        series.setLabelsFormat("@value")
        bars.setLabelColor(QColor(INK))
        bars.setLabelFont(self.small)
        self.chart_.addSeries(series)
        y = QBarCategoryAxis()
        y.append([SHORT_REASONS.get(reason, reason.label) for reason, _ in shown])
        x = QValueAxis()
        top = _nice_max(max([n for _, n in reasons] + [1]) * 1.15)
        x.setRange(0, top)
        x.setLabelFormat("%d")
        x.setTickCount(_tick_count(top))
        for axis, side in ((y, Qt.AlignmentFlag.AlignLeft), (x, Qt.AlignmentFlag.AlignBottom)):
            _axis_style(axis, self.small)
            self.chart_.addAxis(axis, side)
            series.attachAxis(axis)
        y.setGridLineVisible(False)
        self.chart_.legend().setVisible(False)
        self.setAccessibleDescription("; ".join(f"{r.label}: {n}" for r, n in reasons))
