"""`rhi-desktop audit …` and `rhi-desktop backup …`: checks a DPO or support can run."""

from __future__ import annotations

from pathlib import Path

import click

from rhi_desktop.cli_common import default_profile_dir, friendly, profile_option, read_passphrase


@click.group()
def audit() -> None:
    """The profile's tamper-evident audit trail."""


@audit.command("verify")
@profile_option
@friendly
def audit_verify(profile_dir: Path | None) -> None:
    """Check the hash chain: exit 0 if intact, 1 if any event was edited, removed or reordered."""
    from sqlalchemy import select

    from rhi_desktop.security.audit import verify_chain
    from rhi_desktop.services.profiles import open_profile
    from rhi_desktop.store.models import AuditEvent

    profile = open_profile(profile_dir or default_profile_dir(), read_passphrase())
    try:
        with profile.sessions() as s:
            events = list(s.scalars(select(AuditEvent).order_by(AuditEvent.seq)))
            problems = verify_chain(events)
    finally:
        profile.close()
    if problems:
        for p in problems:
            click.echo(p.message, err=True)
        click.echo(f"Audit trail TAMPERED: {len(problems)} problem(s) in {len(events)} events.")
        raise SystemExit(1)
    click.echo(f"Audit trail intact: {len(events)} events, hash chain verified.")


@click.group()
def backup() -> None:
    """Encrypted backups of the profile."""


@backup.command("create")
@profile_option
@friendly
def backup_create(profile_dir: Path | None) -> None:
    """Take an encrypted backup now."""
    from rhi_desktop.services.backups import create_backup
    from rhi_desktop.services.profiles import open_profile

    profile = open_profile(profile_dir or default_profile_dir(), read_passphrase())
    try:
        made = create_backup(profile)
    finally:
        profile.close()
    click.echo(f"Backup written: {made.path}")


@backup.command("list")
@profile_option
@friendly
def backup_list(profile_dir: Path | None) -> None:
    """List the backups that can be restored, newest first (each is opened with the profile's
    key and fully checked; damaged, empty or unfinished files are not offered)."""
    from rhi_desktop.services.backups import list_backups, unlock_key

    root = profile_dir or default_profile_dir()
    listing = list_backups(root, unlock_key(root, read_passphrase()))
    for b in listing.usable:
        click.echo(
            f"{b.taken_at:%Y-%m-%d %H:%M} UTC  {b.reason:<24} {b.size:>10,} bytes  {b.path.name}"
        )
    click.echo(f"{len(listing.usable)} backups", err=True)
    if listing.unusable:
        names = ", ".join(p.name for p in listing.unusable)
        click.echo(
            f"{len(listing.unusable)} other files in the backups folder are not usable "
            f"backups (damaged, empty or not this profile's) and are not offered: {names}",
            err=True,
        )


@backup.command("restore")
@profile_option
@click.option(
    "--file",
    "file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A backup to restore (default: the newest undamaged one).",
)
@friendly
def backup_restore(profile_dir: Path | None, file: Path | None) -> None:
    """Replace the database with a backup; the current one is kept, renamed, never deleted."""
    from rhi_desktop.services.backups import restore_backup

    root = profile_dir or default_profile_dir()
    chosen = restore_backup(root, read_passphrase(), file)
    click.echo(
        f"Restored the backup taken {chosen.taken_at:%Y-%m-%d %H:%M} UTC; "
        "the replaced database was kept beside it."
    )


@click.group()
def settings() -> None:
    """Profile settings."""


@settings.command("lock-minutes")
@profile_option
@click.argument("minutes", type=click.FloatRange(0.5, 60))
@friendly
def settings_lock_minutes(profile_dir: Path | None, minutes: float) -> None:
    """Lock the window after MINUTES without input (0.5 to 60; default 5)."""
    from rhi_desktop.services.profiles import open_profile
    from rhi_desktop.services.settings import IDLE_MINUTES, set_setting

    profile = open_profile(profile_dir or default_profile_dir(), read_passphrase())
    try:
        with profile.transaction() as s:
            set_setting(s, IDLE_MINUTES, minutes, actor=profile.worker_name)
    finally:
        profile.close()
    click.echo(f"The window will lock after {minutes:g} minutes without input.")
