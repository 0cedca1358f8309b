"""``rhi-desktop enrol`` and ``rhi-desktop sync``: the headless face of the sync service."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from rhi_desktop.cli_common import default_profile_dir, friendly, profile_option, read_passphrase


@click.command()
@profile_option
@click.option(
    "--server", "server_url", required=True, help="The central store, https://host[:port]."
)
@click.option("--code", required=True, help="The one-time code from your administrator.")
@click.option("--device-name", default=None, help="How this laptop is listed centrally.")
@friendly
def enrol(profile_dir: Path | None, server_url: str, code: str, device_name: str | None) -> None:
    """Enrol this laptop with the central store (device token and signing certificate)."""
    from rhi_desktop.services.profiles import open_profile
    from rhi_desktop.services.sync_service import enrol as enrol_profile

    profile = open_profile(profile_dir or default_profile_dir(), read_passphrase())
    try:
        result = enrol_profile(profile, server_url, code, device_name=device_name)
    finally:
        profile.close()
    click.echo(
        f"Enrolled with {result.council_name} as device {result.device_id} for "
        f"{result.worker}; new PDFs are signed with your organisation's certificate."
    )


# Some interview was refused, is in conflict or was put off by central (each is named).
EXIT_NEEDS_ATTENTION = 3


@click.command()
@profile_option
@click.option(
    "--retry",
    is_flag=True,
    help="Send refused and conflicting interviews again (after their cause is put right).",
)
@friendly
def sync(profile_dir: Path | None, retry: bool) -> None:
    """One sync pass: send completed interviews, then fetch forms, assignments and feedback.

    Exit code 0: central holds every completed interview; 3: some interview was refused, is in
    conflict or was put off by central (each is named, with what to do); 1: no sync happened.
    """
    from rhi_desktop.services.profiles import open_profile
    from rhi_desktop.services.sync_issues import retry_command
    from rhi_desktop.services.sync_service import retry_refused, sync_once

    profile = open_profile(profile_dir or default_profile_dir(), read_passphrase())
    try:
        if retry:
            queued = retry_refused(profile)
            click.echo(f"{queued} refused or conflicting interviews queued again")
        summary = sync_once(profile)
    finally:
        profile.close()  # idempotent: a wipe has already closed it
    for line in summary.lines():
        click.echo(line)
    for line in summary.issue_lines(retry_command(str(profile_dir) if profile_dir else None)):
        click.echo(line)
    if summary.needs_attention:
        sys.exit(EXIT_NEEDS_ATTENTION)


def mount(group: click.Group) -> None:
    """Add ``enrol`` and ``sync`` to the main command group."""
    group.add_command(enrol)
    group.add_command(sync)
