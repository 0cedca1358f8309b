"""The one date field: what is typed is what is meant (DD/MM/YYYY [HH:MM]), empty stays empty."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt

from rhi_desktop.ui.date_field import DateField
from rhi_desktop.ui.dates import DateTextError, format_date_text, parse_date_text


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("03/12/2026", date(2026, 12, 3)),
        ("03122026", date(2026, 12, 3)),  # the example: not 03/01/1900
        ("3/12/26", date(2026, 12, 3)),
        ("3.12.2026", date(2026, 12, 3)),
        ("14/05/2013", date(2013, 5, 14)),  # not 02/05/2013
        ("  ", None),
    ],
)
def test_typed_dates(typed: str, meant: date | None) -> None:
    assert parse_date_text(typed) == meant


def test_typed_date_and_time() -> None:
    assert parse_date_text("24/11/2026 18:00", with_time=True) == datetime(2026, 11, 24, 18, 0)
    assert parse_date_text("241120261800", with_time=True) == datetime(2026, 11, 24, 18, 0)
    with pytest.raises(DateTextError, match="Add the time"):
        parse_date_text("24/11/2026", with_time=True)
    with pytest.raises(DateTextError, match="There is no date 31/02/2026"):
        parse_date_text("31/02/2026")
    with pytest.raises(DateTextError, match="DD/MM/YYYY"):
        parse_date_text("next Tuesday")


moments = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2099, 12, 31))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(when=moments, with_time=st.booleans(), digits_only=st.booleans())
def test_any_valid_date_typed_reads_back_as_typed(
    qtbot, when: datetime, with_time: bool, digits_only: bool
) -> None:
    field = DateField("When", with_time=with_time)
    qtbot.addWidget(field)
    field.show()  # a hidden field gets no focus, so Tab would not leave it
    when = when.replace(second=0, microsecond=0)
    text = format_date_text(when if with_time else when.date(), with_time=with_time)
    if digits_only:
        text = text.replace("/", "").replace(":", "")
    field.edit.setFocus()
    qtbot.keyClicks(field.edit, text)
    qtbot.keyClick(field.edit, Qt.Key.Key_Return)  # Enter commits, as leaving the field does
    assert field.value() == (when if with_time else when.date())
    assert field.problem() is None
    assert field.edit.text() == format_date_text(field.value(), with_time=with_time)


def test_empty_stays_empty_and_says_nothing(qtbot) -> None:
    field = DateField("By when")
    qtbot.addWidget(field)
    field.show()
    changes: list[object] = []
    field.value_changed.connect(changes.append)
    field.edit.setFocus()
    qtbot.keyClick(field.edit, Qt.Key.Key_Return)
    assert field.value() is None and field.edit.text() == "" and changes == []
