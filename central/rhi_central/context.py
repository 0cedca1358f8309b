"""What a request needs from the running server: settings and the database."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request

from rhi_central import forms as forms_mod
from rhi_central.db import Database
from rhi_central.service_settings import ServiceSettings
from rhi_central.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class Central:
    settings: Settings
    db: Database
    # Published forms by (id, version) -> the engine's parsed definition (None: published
    # before the engine grew stricter, accepted structurally). A version never changes once
    # published, so entries never go stale; intake asks the database only for a version it
    # has not seen. Parsing YAML per push would be intake's most expensive step.
    forms: dict[tuple[str, str], Any] = field(default_factory=dict)
    _forms_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def remember_form(self, form_id: str, version: str, yaml_text: str) -> Any:
        """Parse a published form once per process and keep it (called on publish, too)."""
        key = (form_id, version)
        if key in self.forms:
            return self.forms[key]
        try:
            definition = forms_mod.parse(yaml_text)
        except forms_mod.FormProblem:
            log.warning("published form %s %s no longer parses; accepted structurally", *key)
            definition = None
        with self._forms_lock:
            self.forms[key] = definition
        return definition

    # The console, single sign-on, e-mail and scheduled work (rhi_central.service_settings).
    service: ServiceSettings = field(default_factory=ServiceSettings)


def get_central(request: Request) -> Central:
    central: Central = request.app.state.central
    return central
