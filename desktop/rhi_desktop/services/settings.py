"""Typed profile settings, kept in the encrypted database (never QSettings: see STYLE.md)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from rhi_desktop.security import audit
from rhi_desktop.store.models import ProfileSetting

IDLE_MINUTES = "lock.idle_minutes"
EXPORT_FOLDER = "export.last_folder"  # where the last PDF was saved (a path may name a child)
DEFAULTS: dict[str, Any] = {IDLE_MINUTES: 5.0, EXPORT_FOLDER: None}


def get_setting(session: Session, key: str) -> Any:
    row = session.get(ProfileSetting, key)
    return DEFAULTS.get(key) if row is None else row.value


def set_setting(session: Session, key: str, value: Any, *, actor: str) -> None:
    row = session.get(ProfileSetting, key)
    if row is None:
        session.add(ProfileSetting(key=key, value=value))
    else:
        row.value = value
    audit.record(session, actor=actor, action="settings.change", detail={"key": key})
