"""How the RHI screens write dates, flags and codes (one place, so every screen agrees)."""

from __future__ import annotations

from datetime import date, datetime


def when(value: datetime | None) -> str:
    return value.astimezone().strftime("%d/%m/%Y %H:%M") if value else "—"


def day(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "—"


def yes_no(value: bool | None) -> str:
    return "Yes" if value else ("No" if value is False else "Not said")


def flag(value: bool | None, pending: str = "Not yet — the window is still open") -> str:
    """A computed 72-hour flag as a sentence: never typed, so never "unknown" once decided."""
    if value is None:
        return pending
    return "Yes" if value else "No — later than 72 hours"
