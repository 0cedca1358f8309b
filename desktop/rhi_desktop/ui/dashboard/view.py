"""The dashboard screen: a period, the figure tiles, three charts and "Export CSV…".

Figures are computed off the GUI thread (``run_in_background``); a newer request supersedes an
older one still running, so quickly changing the period never shows stale figures.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from PySide6.QtCore import QDate, Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
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

from ..operations import run_in_background
from ..theme import LINE, MUTED, SURFACE
from ..widgets import Card
from .charts import DeclinesChart, MonthlyChart, RatesChart
from .tiles import FigureTile

Clock = Callable[[], datetime]
PathChooser = Callable[[QWidget, str], str | None]

CUSTOM = "custom"
TILE_COLUMNS = 6

STYLE = f"""
QFrame#figureTile {{ background: {SURFACE}; border: 1px solid {LINE}; border-radius: 10px; }}
QFrame#figureTile:focus {{ border: 2px solid #1f5fae; }}
QLabel#tileTitle {{ color: {MUTED}; font-weight: 600; }}
QLabel#tileValue {{ font-size: 20pt; font-weight: 600; }}
QLabel#tileDetail {{ color: {MUTED}; }}
QComboBox::drop-down, QDateEdit::drop-down {{ border: none; width: 22px; }}
"""


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(qdate: QDate) -> date:
    return date(qdate.year(), qdate.month(), qdate.day())


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
        self.date_from = QDateEdit()
        self.date_to = QDateEdit()
        start, end = dashboard.preset_period(Preset.LAST_12_MONTHS, today)
        for edit, value, name in (
            (self.date_from, start, "From date"),
            (self.date_to, end, "To date"),
        ):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd/MM/yyyy")
            edit.setDate(_qdate(value))
            edit.setAccessibleName(name)
            edit.setEnabled(False)
        self.export_button = QPushButton(self.tr("Export CSV…"))
        self.export_button.setAccessibleName("Export the figures as CSV")
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(lambda: self.export_csv())
        self.status = QLabel()
        self.status.setObjectName("muted")

        header = QHBoxLayout()
        heading = QVBoxLayout()
        heading.setSpacing(0)
        heading.addWidget(title)
        heading.addWidget(self.caption)
        header.addLayout(heading)
        header.addStretch(1)
        header.addWidget(self.status)
        for widget in (
            QLabel(self.tr("Period")),
            self.period,
            self.date_from,
            QLabel("–"),
            self.date_to,
            self.export_button,
        ):
            header.addWidget(widget)

        # --- tiles ---------------------------------------------------------------------
        self.tiles: dict[str, FigureTile] = {}
        grid = QGridLayout()
        grid.setSpacing(10)
        for n, key in enumerate(dashboard.TILE_ORDER):
            tile = FigureTile(key, FIGURE_DEFINITIONS[key].title)
            self.tiles[key] = tile
            grid.addWidget(tile, n // TILE_COLUMNS, n % TILE_COLUMNS)
        for c in range(TILE_COLUMNS):
            grid.setColumnStretch(c, 1)

        # --- charts --------------------------------------------------------------------
        self.monthly = MonthlyChart()
        self.rates = RatesChart()
        self.declines = DeclinesChart()
        charts = QHBoxLayout()
        charts.setSpacing(10)
        for chart, heading_text, stretch in (
            (self.monthly, self.tr("Episodes and RHIs completed by month"), 11),
            (self.rates, self.tr("Offered, completed and within 72 hours, by month"), 11),
            (self.declines, self.tr("Why RHIs were declined"), 7),
        ):
            card = Card(heading_text)
            card.body.addWidget(chart, 1)
            charts.addWidget(card, stretch)

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
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        self.period.currentIndexChanged.connect(self._on_period)
        self.date_from.dateChanged.connect(self._on_custom_dates)
        self.date_to.dateChanged.connect(self._on_custom_dates)

    # --- the period ---------------------------------------------------------------------
    def current_period(self) -> tuple[date, date]:
        return _pydate(self.date_from.date()), _pydate(self.date_to.date())

    def set_preset(self, preset: Preset | str) -> None:
        self.period.setCurrentIndex(self.period.findData(str(preset)))

    def set_custom_period(self, date_from: date, date_to: date) -> None:
        self.period.setCurrentIndex(self.period.findData(CUSTOM))
        self._set_dates(date_from, date_to)
        self.reload()

    def _set_dates(self, date_from: date, date_to: date) -> None:
        for edit, value in ((self.date_from, date_from), (self.date_to, date_to)):
            edit.blockSignals(True)
            edit.setDate(_qdate(value))
            edit.blockSignals(False)

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
