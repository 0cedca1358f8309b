"""What a request needs from the running server: settings and the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import Request

from rhi_central.db import Database
from rhi_central.ratelimit import FailureLimiter
from rhi_central.service_settings import ServiceSettings
from rhi_central.settings import Settings


@dataclass
class Central:
    settings: Settings
    db: Database
    # Parsed form definitions by (id, version, sha256): parsing YAML on every push would be the
    # most expensive step of intake. Content-addressed, so it can never serve a stale form.
    form_cache: dict[tuple[str, str, str], Any] = field(default_factory=dict)
    enrol_limiter: FailureLimiter = field(default_factory=FailureLimiter)
    # The console, single sign-on, e-mail and scheduled work (rhi_central.service_settings).
    service: ServiceSettings = field(default_factory=ServiceSettings)


def get_central(request: Request) -> Central:
    central: Central = request.app.state.central
    return central
