"""Sending e-mail over SMTP (settings from the environment: rhi_central.service_settings)."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage

from rhi_central.service_settings import SmtpSettings


class MailFailed(RuntimeError):
    """The SMTP server could not be reached or refused the message."""


def send(settings: SmtpSettings, to: Sequence[str], subject: str, body: str) -> None:
    """One message to each address (Bcc: recipients do not see each other)."""
    if not to:
        return
    message = EmailMessage()
    message["From"] = settings.from_address
    message["To"] = settings.from_address
    message["Subject"] = subject
    message.set_content(body)
    try:
        if settings.security == "tls":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=settings.timeout_s,
                context=ssl.create_default_context(),
            )  # fmt: skip
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_s)
        with client:
            if settings.security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if settings.username and settings.password:
                client.login(settings.username, settings.password)
            client.send_message(message, to_addrs=list(to))
    except (OSError, smtplib.SMTPException) as exc:
        raise MailFailed(f"{type(exc).__name__}: {exc}") from exc
