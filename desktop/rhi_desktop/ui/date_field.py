"""The one date (and date-and-time) input of the app.

Typed as DD/MM/YYYY [HH:MM] (``03122026`` works too), or picked from a calendar that opens at
the date shown, or today. Empty stays empty: there is no sentinel date that could be saved by
mistake (the old pickers showed 01/01/1900 and opened their calendar there). A value is
*committed* (``value_changed``) when the worker presses Enter, leaves the field or picks a day;
text that is not a date says why under the field and is never saved.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCalendarWidget,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from .dates import (
    DATE_HINT,
    DATETIME_HINT,
    MONTH_HINT,
    YEAR_HINT,
    DateTextError,
    format_date_text,
    parse_date_text,
    parse_month_text,
)
from .widgets import error_label, show_error

Today = Callable[[], date]


class _DateLine(QLineEdit):
    """Alt+Down or F4 opens the calendar, as on a drop-down."""

    calendar_requested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() == Qt.Key.Key_F4 or (
            event.key() == Qt.Key.Key_Down and event.modifiers() & Qt.KeyboardModifier.AltModifier
        ):
            self.calendar_requested.emit()
            return
        super().keyPressEvent(event)


class CalendarPopup(QFrame):
    """A month calendar in a popup; ``picked`` carries the chosen day."""

    picked = Signal(object)  # datetime.date

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setObjectName("calendarPopup")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.calendar = QCalendarWidget()
        self.calendar.setAccessibleName("Calendar")
        self.calendar.setGridVisible(False)
        self.calendar.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        self.calendar.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        self.calendar.activated.connect(self._picked)
        self.calendar.clicked.connect(self._picked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.calendar)

    def open_at(self, day: date, under: QWidget) -> None:
        self.calendar.setSelectedDate(QDate(day.year, day.month, day.day))
        self.calendar.setCurrentPage(day.year, day.month)
        self.adjustSize()
        self.move(under.mapToGlobal(under.rect().bottomLeft()))
        self.show()
        self.calendar.setFocus(Qt.FocusReason.PopupFocusReason)

    def _picked(self, day: QDate) -> None:
        self.hide()
        self.picked.emit(day.toPython())


class DateField(QWidget):
    """``value()`` is a date, a naive local datetime (``with_time``), or None when empty.

    ``precision`` "month" or "year" (XLSForm's month-year and year appearances) reads MM/YYYY
    or YYYY and gives the first day of it; ``calendar=False`` (no-calendar) has no picker."""

    value_changed = Signal(object)  # the committed value (None = cleared)

    def __init__(
        self,
        name: str = "",
        *,
        with_time: bool = False,
        today: Today = date.today,
        precision: str = "day",
        calendar: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.with_time = with_time
        self.precision = "day" if with_time else precision
        self.name = name
        self._today = today
        self._committed: date | datetime | None = None
        self.edit = _DateLine()
        hints = {"day": DATE_HINT, "month": MONTH_HINT, "year": YEAR_HINT}
        self.edit.setPlaceholderText(DATETIME_HINT if with_time else hints[self.precision])
        digits = self.edit.fontMetrics().horizontalAdvance("0")
        self.edit.setMinimumWidth(digits * (20 if with_time else 14))
        self.edit.setMaximumWidth(digits * (24 if with_time else 18))
        self.edit.editingFinished.connect(self.commit)
        self.edit.calendar_requested.connect(self.open_calendar)
        self.edit.textEdited.connect(self._typing)
        self.pick = QToolButton()
        self.pick.setText("Calendar")
        self.pick.setObjectName("calendarButton")
        self.pick.setToolTip("Choose from a calendar (Alt+Down)")
        self.pick.clicked.connect(self.open_calendar)
        self.popup: CalendarPopup | None = None
        self.message = error_label()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        row.addWidget(self.edit)
        row.addWidget(self.pick)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.message)
        self.setFocusProxy(self.edit)
        if not (calendar and self.precision == "day"):
            self.pick.hide()  # a calendar is for days: a month or a year is typed
        if name:
            self.set_accessible(name)

    # --- the value ---------------------------------------------------------------------
    def set_accessible(self, name: str) -> None:
        """Name the field for assistive technology: the text box carries the name (the
        wrapper stays unnamed, so a screen reader announces the field once)."""
        self.name = name
        self.edit.setAccessibleName(name)
        self.pick.setAccessibleName(f"{name}: choose from a calendar")
        self.message.setAccessibleName(f"{name}: problem")

    def _parse(self, text: str) -> date | datetime | None:
        if self.precision == "day":
            return parse_date_text(text, with_time=self.with_time)
        return parse_month_text(text, year_only=self.precision == "year")

    def _format(self, value: date | datetime | None) -> str:
        return format_date_text(value, with_time=self.with_time, precision=self.precision)

    def value(self) -> date | datetime | None:
        """What the field says now (typed text included); None if empty or not a date."""
        try:
            return self._parse(self.edit.text())
        except DateTextError:
            return None

    def problem(self) -> str | None:
        """The sentence to show when the text typed is not a date (None when it is, or empty)."""
        try:
            self._parse(self.edit.text())
        except DateTextError as exc:
            return str(exc)
        return None

    def set_value(self, value: date | datetime | None) -> None:
        """Show a stored value (no ``value_changed``: nothing was edited)."""
        self._committed = value
        self.edit.setText(self._format(value))
        show_error(self.message, None)

    def clear(self) -> None:
        self.set_value(None)

    def is_empty(self) -> bool:
        return not self.edit.text().strip()

    def commit(self) -> None:
        """Read the text; tidy it to DD/MM/YYYY and announce it if it changed."""
        try:
            value = self._parse(self.edit.text())
        except DateTextError as exc:
            show_error(self.message, str(exc))
            return
        show_error(self.message, None)
        self.edit.setText(self._format(value))
        if value != self._committed:
            self._committed = value
            self.value_changed.emit(value)

    def set_and_commit(self, value: date | datetime | None) -> None:
        """Put a value in as if typed (e.g. today's date when a referral is ticked)."""
        self.edit.setText(self._format(value))
        self.commit()

    def _typing(self, _text: str) -> None:
        if not self.message.isHidden() and self.problem() is None:
            show_error(self.message, None)  # the mistake is mended: stop saying it

    # --- the calendar --------------------------------------------------------------------
    def open_calendar(self) -> None:
        if not self.edit.isEnabled() or self.edit.isReadOnly() or self.pick.isHidden():
            return
        if self.popup is None:
            self.popup = CalendarPopup(self)
            self.popup.picked.connect(self._picked)
        current = self.value()
        day = current.date() if isinstance(current, datetime) else current
        self.popup.open_at(day or self._today(), self.edit)

    def _picked(self, day: date) -> None:
        if self.with_time:
            current = self.value()
            if isinstance(current, datetime):
                hour, minute = current.hour, current.minute
            else:
                now = datetime.now()
                hour, minute = now.hour, now.minute
            self.set_and_commit(datetime(day.year, day.month, day.day, hour, minute))
        else:
            self.set_and_commit(day)
        self.edit.setFocus(Qt.FocusReason.OtherFocusReason)
