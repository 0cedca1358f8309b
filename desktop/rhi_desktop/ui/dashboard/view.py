"""The dashboard screen: a period, the figure tiles, three charts and "Export CSV…".

Figures are computed off the GUI thread (``run_in_background``); a newer request supersedes an
older one still running, so quickly changing the period never shows stale figures.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from rhi_core.reports.definitions import FIGURE_DEFINITIONS
from rhi_core.reports.period import uk_date
from rhi_desktop.services import dashboard
from rhi_desktop.services.dashboard import DashboardData, Preset
from rhi_desktop.services.profiles import Profile

from ..date_field import DateField
from ..operations import run_in_background
from ..theme import LINE, MUTED, SURFACE
from ..widgets import Card
from .charts import DeclinesChart, MonthlyChart, RatesChart
from .tiles import FigureTile

Clock = Callable[[], datetime]
PathChooser = Callable[[QWidget, str], str | None]

CUSTOM = "custom"
TILE_COLUMNS = 6  # on a wide screen; fewer when narrow (the tiles reflow, nothing scrolls sideways)
TILE_EM = 17  # a tile's comfortable width, in font widths

STYLE = f"""
QFrame#figureTile {{ background: {SURFACE}; border: 1px solid {LINE}; border-radius: 10px; }}
QFrame#figureTile:focus {{ border: 2px solid #1f5fae; }}
QLabel#tileTitle {{ color: {MUTED}; font-weight: 600; }}
QLabel#tileValue {{ font-size: 20pt; font-weight: 600; }}
QLabel#tileDetail {{ color: {MUTED}; }}
QComboBox::drop-down {{ border: none; width: 22px; }}
"""


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _ask_path(parent: QWidget, suggested: str) -> str | None:
    path, _ = QFileDialog.getSaveFileName(
        parent, parent.tr("Export figures"), suggested, parent.tr("CSV files (*.csv)")
    )
    return path or None


def _long(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


class DashboardView(QWidget):
    loaded = Signal()
    error_occurred = Signal(str)
    exported = Signal(str)  # the path written

    def __init__(
        self,
        profile: Profile,
        clock: Clock = _utcnow,
        parent: QWidget | None = None,
        *,
        choose_path: PathChooser = _ask_path,
    ) -> None:
        super().__init__(parent)
        self._profile = profile
        self._clock = clock
        self._choose_path = choose_path
        self._request = 0
        self.data: DashboardData | None = None
        self.setStyleSheet(STYLE)

        # --- header: title, period, export ----------------------------------------------
        title = QLabel(self.tr("My figures"))
        title.setObjectName("pageTitle")
        self.caption = QLabel()
        self.caption.setObjectName("muted")
        self.period = QComboBox()
        self.period.setAccessibleName("Period")
        for preset in Preset:
            self.period.addItem(preset.label, preset.value)
        self.period.addItem(self.tr("Custom dates"), CUSTOM)
        self.period.setCurrentIndex(self.period.findData(Preset.LAST_12_MONTHS.value))
        today = uk_date(self._clock())
        self.date_from = DateField("From date")
        self.date_to = DateField("To date")
        start, end = dashboard.preset_period(Preset.LAST_12_MONTHS, today)
        for edit, value in ((self.date_from, start), (self.date_to, end)):
            edit.set_value(value)
            edit.setEnabled(False)
        self.export_button = QPushButton(self.tr("Export CSV…"))
        self.export_button.setAccessibleName("Export the figures as CSV")
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(lambda: self.export_csv())
        self.status = QLabel()
        self.status.setObjectName("muted")

        # Title and caption, then the controls on their own row (one row was wider than a
        # laptop at large text).
        header = QVBoxLayout()
        header.setSpacing(4)
        header.addWidget(title)
        self.caption.setWordWrap(True)
        header.addWidget(self.caption)
        controls = QHBoxLayout()
        for widget in (
            QLabel(self.tr("Period")),
            self.period,
            self.date_from,
            QLabel("–"),
            self.date_to,
        ):
            controls.addWidget(widget)
        controls.addStretch(1)
        controls.addWidget(self.status)
        controls.addWidget(self.export_button)
        header.addLayout(controls)

        # --- tiles ---------------------------------------------------------------------
        self.tiles: dict[str, FigureTile] = {}
        self.grid = grid = QGridLayout()
        grid.setSpacing(10)
        for key in dashboard.TILE_ORDER:
            self.tiles[key] = FigureTile(key, FIGURE_DEFINITIONS[key].title)
        self._columns = 0

        # --- charts --------------------------------------------------------------------
        self.monthly = MonthlyChart()
        self.rates = RatesChart()
        self.declines = DeclinesChart()
        self.charts = charts = QGridLayout()
        charts.setSpacing(10)
        self.chart_cards: list[tuple[Card, int]] = []
        for chart, heading_text, stretch in (
            (self.monthly, self.tr("Episodes and RHIs completed by month"), 11),
            (self.rates, self.tr("Offered, completed and within 72 hours, by month"), 11),
            (self.declines, self.tr("Why RHIs were declined"), 7),
        ):
            card = Card(heading_text)
            card.body.addWidget(chart, 1)
            self.chart_cards.append((card, stretch))

        content = QWidget()
        content.setObjectName("dashboardContent")
        layout = QVBoxLayout(content)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(12)
        layout.addLayout(header)
        layout.addLayout(grid)
        layout.addLayout(charts, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(content)
        self.scroll = scroll
        scroll.viewport().installEventFilter(self)
        self._reflow(scroll.viewport().width())
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        self.period.currentIndexChanged.connect(self._on_period)
        self.date_from.value_changed.connect(self._on_custom_dates)
        self.date_to.value_changed.connect(self._on_custom_dates)

    # --- fitting the width --------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.scroll.viewport() and event.type() == QEvent.Type.Resize:
            self._reflow(self.scroll.viewport().width())
        return super().eventFilter(watched, event)

    def _reflow(self, width: int) -> None:
        """As many tile columns as fit (2 to 6); the charts side by side only when wide."""
        em = self.fontMetrics().horizontalAdvance("m")
        columns = max(2, min(TILE_COLUMNS, width // (em * TILE_EM)))
        if columns == self._columns:
            return
        self._columns = columns
        for n, key in enumerate(dashboard.TILE_ORDER):
            self.grid.addWidget(self.tiles[key], n // columns, n % columns)
        for c in range(TILE_COLUMNS):
            self.grid.setColumnStretch(c, 1 if c < columns else 0)
        wide = columns >= 5
        for n, (card, stretch) in enumerate(self.chart_cards):
            if wide:
                self.charts.addWidget(card, 0, n)
                self.charts.setColumnStretch(n, stretch)
            else:
                self.charts.addWidget(card, n // 2, n % 2)
        if not wide:
            for c in range(3):
                self.charts.setColumnStretch(c, 1 if c < 2 else 0)

    # --- the period ---------------------------------------------------------------------
    def current_period(self) -> tuple[date, date]:
        start, end = self.date_from.value(), self.date_to.value()
        today = uk_date(self._clock())
        return (
            start if isinstance(start, date) else today,
            end if isinstance(end, date) else today,
        )

    def set_preset(self, preset: Preset | str) -> None:
        self.period.setCurrentIndex(self.period.findData(str(preset)))

    def set_custom_period(self, date_from: date, date_to: date) -> None:
        self.period.setCurrentIndex(self.period.findData(CUSTOM))
        self._set_dates(date_from, date_to)
        self.reload()

    def _set_dates(self, date_from: date, date_to: date) -> None:
        for edit, value in ((self.date_from, date_from), (self.date_to, date_to)):
            edit.set_value(value)  # showing a value does not announce a change

    @Slot(int)
    def _on_period(self, _index: int) -> None:
        choice = self.period.currentData()
        custom = choice == CUSTOM
        self.date_from.setEnabled(custom)
        self.date_to.setEnabled(custom)
        if not custom:
            self._set_dates(*dashboard.preset_period(choice, uk_date(self._clock())))
        self.reload()

    @Slot()
    def _on_custom_dates(self) -> None:
        if self.period.currentData() == CUSTOM:
            self.reload()

    # --- loading ------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        if self._request == 0:  # first shown: load the default period
            self.reload()

    def reload(self) -> None:
        date_from, date_to = self.current_period()
        if date_to < date_from:
            self.status.setText(self.tr("The end date is before the start date."))
            return
        self._request += 1
        request, profile, now = self._request, self._profile, self._clock()
        self.status.setText(self.tr("Updating…"))

        def work() -> tuple[int, DashboardData]:
            with profile.sessions() as s:
                return request, dashboard.dashboard_figures(s, date_from, date_to, now)

        run_in_background(self, work, self._on_loaded, self._on_error)

    def _on_loaded(self, result: tuple[int, DashboardData]) -> None:
        request, data = result
        if request != self._request:
            return  # a newer period was asked for meanwhile
        self.data = data
        for key, tile in self.tiles.items():
            tile.show_value(data.figure(key))
        self.monthly.show_months(data.months)
        self.rates.show_months(data.months)
        self.declines.show_reasons(data.declines_by_reason)
        self.caption.setText(
            self.tr("Your caseload, {start} to {end}. Hover over a figure for its definition.")
            .replace("{start}", _long(data.date_from))
            .replace("{end}", _long(data.date_to))
        )
        self.status.setText("")
        self.export_button.setEnabled(True)
        self.loaded.emit()

    def _on_error(self, exc: Exception) -> None:
        self.status.setText(self.tr("The figures could not be loaded."))
        self.error_occurred.emit(str(exc))

    # --- export -------------------------------------------------------------------------
    def export_csv(self, path: str | Path | None = None) -> Path | None:
        """Write the shown figures as CSV (UTF-8 with a BOM, so spreadsheets read it right)."""
        if self.data is None:
            return None
        if path is None:
            suggested = f"rhi-figures-{self.data.date_from}-to-{self.data.date_to}.csv"
            chosen = self._choose_path(self, suggested)
            if not chosen:
                return None
            path = chosen
        target = Path(path)
        try:
            with target.open("w", encoding="utf-8-sig", newline="") as fh:
                fh.write(dashboard.to_csv(self.data))
        except OSError as exc:
            self.status.setText(self.tr("The file could not be written."))
            self.error_occurred.emit(str(exc))
            return None
        self.status.setText(self.tr("Saved {name}").replace("{name}", target.name))
        self.exported.emit(str(target))
        return target


def show_for_screenshot(view: DashboardView, timeout_ms: int = 10_000) -> None:
    """Load the figures and wait for them (for the screenshot tool and tests)."""
    from PySide6.QtCore import QCoreApplication

    from ..operations import wait_for_background

    view.reload()
    wait_for_background(timeout_ms)
    QCoreApplication.processEvents()
    QCoreApplication.processEvents()
