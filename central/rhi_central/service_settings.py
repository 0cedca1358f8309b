"""Settings of the service side of central: the console, single sign-on, e-mail, scheduled work.

Read from the environment (12-factor, like ``settings.Settings``); tests pass a value directly.
Secrets (the OpenID client secret, the SMTP password) come only from the environment and are
never logged or shown.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from typing import Literal

from rhi_central.settings import SettingsError

ENV_CONSOLE_URL = "RHI_CENTRAL_CONSOLE_URL"
ENV_SESSION_IDLE_MINUTES = "RHI_CENTRAL_SESSION_IDLE_MINUTES"
ENV_OIDC_ISSUER = "RHI_CENTRAL_OIDC_ISSUER"
ENV_OIDC_CLIENT_ID = "RHI_CENTRAL_OIDC_CLIENT_ID"
ENV_OIDC_CLIENT_SECRET = "RHI_CENTRAL_OIDC_CLIENT_SECRET"
ENV_OIDC_EMAIL_CLAIM = "RHI_CENTRAL_OIDC_EMAIL_CLAIM"
ENV_OIDC_LABEL = "RHI_CENTRAL_OIDC_LABEL"
ENV_SMTP_HOST = "RHI_CENTRAL_SMTP_HOST"
ENV_SMTP_PORT = "RHI_CENTRAL_SMTP_PORT"
ENV_SMTP_USERNAME = "RHI_CENTRAL_SMTP_USERNAME"
ENV_SMTP_PASSWORD = "RHI_CENTRAL_SMTP_PASSWORD"
ENV_SMTP_FROM = "RHI_CENTRAL_SMTP_FROM"
ENV_SMTP_SECURITY = "RHI_CENTRAL_SMTP_SECURITY"
ENV_DIGEST_AT = "RHI_CENTRAL_DIGEST_AT"
ENV_JOBS_INTERVAL_S = "RHI_CENTRAL_JOBS_INTERVAL_S"

DEFAULT_CONSOLE_URL = "http://127.0.0.1:8000"
SmtpSecurity = Literal["starttls", "tls", "none"]


@dataclass(frozen=True, slots=True)
class OidcSettings:
    issuer: str  # discovery at <issuer>/.well-known/openid-configuration
    client_id: str
    client_secret: str = field(repr=False)
    email_claim: str = "email"  # Entra ID: "email" or "preferred_username"
    label: str = "Sign in with your council account"


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str
    port: int = 587
    from_address: str = "rhi-central@localhost"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    security: SmtpSecurity = "starttls"
    timeout_s: float = 20.0


@dataclass(frozen=True, slots=True)
class ServiceSettings:
    # The console's public address (behind the TLS proxy), for links in e-mails and the single
    # sign-on return address. None: the address the request came to.
    console_url: str | None = None
    session_idle_minutes: int = 30
    session_max_hours: int = 12
    lockout_after: int = 5  # failed sign-ins in a row
    lockout_minutes: int = 15
    oidc: OidcSettings | None = None
    smtp: SmtpSettings | None = None
    digest_at: time | None = None  # UK time of the daily digest; None: no digest
    jobs_interval_s: float = 60.0  # 0: no scheduled work in this process
    jobs_first_delay_s: float | None = None  # None: one interval

    @property
    def link_base(self) -> str:
        """Where links in e-mails point."""
        return self.console_url or DEFAULT_CONSOLE_URL

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ServiceSettings:
        env = os.environ if env is None else env
        oidc = None
        if env.get(ENV_OIDC_ISSUER):
            client_id = env.get(ENV_OIDC_CLIENT_ID, "")
            secret = env.get(ENV_OIDC_CLIENT_SECRET, "")
            if not client_id or not secret:
                raise SettingsError(
                    f"Single sign-on needs {ENV_OIDC_CLIENT_ID} and {ENV_OIDC_CLIENT_SECRET} "
                    f"as well as {ENV_OIDC_ISSUER}."
                )
            oidc = OidcSettings(
                issuer=env[ENV_OIDC_ISSUER].rstrip("/"),
                client_id=client_id,
                client_secret=secret,
                email_claim=env.get(ENV_OIDC_EMAIL_CLAIM) or "email",
                label=env.get(ENV_OIDC_LABEL) or OidcSettings.label,
            )
        smtp = None
        if env.get(ENV_SMTP_HOST):
            security = env.get(ENV_SMTP_SECURITY, "starttls")
            if security not in ("starttls", "tls", "none"):
                raise SettingsError(f"{ENV_SMTP_SECURITY} must be starttls, tls or none.")
            smtp = SmtpSettings(
                host=env[ENV_SMTP_HOST],
                port=_int(env, ENV_SMTP_PORT, 587, 1, 65535),
                from_address=env.get(ENV_SMTP_FROM) or SmtpSettings.from_address,
                username=env.get(ENV_SMTP_USERNAME) or None,
                password=env.get(ENV_SMTP_PASSWORD) or None,
                security=security,  # type: ignore[arg-type]
            )
        return cls(
            console_url=(env.get(ENV_CONSOLE_URL) or "").rstrip("/") or None,
            session_idle_minutes=_int(env, ENV_SESSION_IDLE_MINUTES, 30, 1, 24 * 60),
            oidc=oidc,
            smtp=smtp,
            digest_at=parse_time_of_day(env.get(ENV_DIGEST_AT), ENV_DIGEST_AT),
            jobs_interval_s=float(_int(env, ENV_JOBS_INTERVAL_S, 60, 0, 24 * 3600)),
        )


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number.") from None
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low} and {high}.")
    return value


def parse_time_of_day(raw: str | None, name: str) -> time | None:
    if not raw:
        return None
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", raw.strip())
    if not match:
        raise SettingsError(f"{name} must be a time of day such as 07:30.")
    return time(int(match.group(1)), int(match.group(2)))
