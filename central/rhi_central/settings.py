"""Central settings: where the database and the data dir are, the council's name, retention.

Environment first (12-factor: the same image runs anywhere), then explicit arguments from tests
and the CLI, then defaults that make a one-command demo work on a laptop.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from rhi_central.ratelimit import IpNetwork, parse_networks

ENV_DATABASE_URL = "RHI_CENTRAL_DATABASE_URL"
ENV_DATA_DIR = "RHI_CENTRAL_DATA_DIR"
ENV_COUNCIL_NAME = "RHI_CENTRAL_COUNCIL_NAME"
ENV_RETENTION_DAYS = "RHI_CENTRAL_RETENTION_DAYS"
ENV_CA_PASSPHRASE = "RHI_CENTRAL_CA_KEY_PASSPHRASE"
ENV_TRUSTED_PROXIES = "RHI_CENTRAL_TRUSTED_PROXIES"

DEFAULT_COUNCIL_NAME = "London Borough of Demoford"
DEFAULT_RETENTION_DAYS = 30
ENROL_CODE_HOURS = 24
CERT_VALIDITY_DAYS = 730


class SettingsError(ValueError):
    """A setting has a value central cannot use; the message is one sentence for a human."""


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    data_dir: Path
    council_name: str = DEFAULT_COUNCIL_NAME
    retention_days: int = DEFAULT_RETENTION_DAYS
    # Reverse proxies whose X-Forwarded-For names the real client (rate limits, audit).
    trusted_proxies: tuple[IpNetwork, ...] = ()

    @classmethod
    def load(
        cls,
        database_url: str | None = None,
        *,
        data_dir: str | Path | None = None,
        council_name: str | None = None,
        retention_days: int | None = None,
        trusted_proxies: str | None = None,
    ) -> Settings:
        """Settings from arguments, else the environment, else defaults."""
        folder = Path(
            data_dir or os.environ.get(ENV_DATA_DIR) or platformdirs.user_data_dir("rhi-central")
        )
        url = database_url or os.environ.get(ENV_DATABASE_URL)
        if not url:
            url = f"sqlite:///{folder / 'central.db'}"
        if retention_days is None:
            raw = os.environ.get(ENV_RETENTION_DAYS, str(DEFAULT_RETENTION_DAYS))
            try:
                retention_days = int(raw)
            except ValueError:
                raise SettingsError(
                    f"{ENV_RETENTION_DAYS} must be a whole number of days."
                ) from None
        if retention_days < 0:
            raise SettingsError("The retention period cannot be negative.")
        name = council_name or os.environ.get(ENV_COUNCIL_NAME) or DEFAULT_COUNCIL_NAME
        proxies_text = (
            trusted_proxies
            if trusted_proxies is not None
            else os.environ.get(ENV_TRUSTED_PROXIES, "")
        )
        try:
            proxies = parse_networks(proxies_text)
        except ValueError as exc:
            raise SettingsError(f"{ENV_TRUSTED_PROXIES}: {exc}.") from None
        return cls(url, folder, name, retention_days, proxies)
