"""Command line: launches the GUI and the headless subcommands.

Every command answers bad input with one clear sentence on stderr and a non-zero exit.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import click

from rhi_desktop.cli_common import (
    default_profile_dir,
    friendly,
    profile_option,
    read_passphrase,
)


@click.group(invoke_without_command=True)
@profile_option
@click.option("--demo", is_flag=True, help="Open a fresh temporary demo profile (synthetic data).")
@click.pass_context
@friendly
def main(ctx: click.Context, profile_dir: Path | None, demo: bool) -> None:
    """RHI Desktop: return home interviews, offline and encrypted."""
    if ctx.invoked_subcommand is not None:
        return
    from rhi_desktop.app import run_gui

    sys.exit(run_gui(profile_dir or default_profile_dir(), demo))


@main.group()
def demo() -> None:
    """Synthetic demo profiles."""


@demo.command("create")
@click.option(
    "--profile", "profile_dir", required=True, type=click.Path(file_okay=False, path_type=Path)
)
@click.option("--seed", default=2021, show_default=True, help="Same seed, same data.")
@click.option("--children", "n_children", default=425, show_default=True)
@friendly
def demo_create(profile_dir: Path, seed: int, n_children: int) -> None:
    """Write a reproducible demo profile (passphrase "demo")."""
    from rhi_desktop.services.demo_profile import create_demo_profile

    profile = create_demo_profile(profile_dir, seed=seed, n_children=n_children)
    profile.close()
    click.echo(f"Demo profile written to {profile_dir} (passphrase: demo).")


@main.group("profile")
def profile_group() -> None:
    """Create a profile or change its passphrase."""


@profile_group.command("create")
@profile_option
@click.option("--worker", required=True, help="Your name, as it appears on records.")
@friendly
def profile_create(profile_dir: Path | None, worker: str) -> None:
    """Create an encrypted profile (the device secret goes into the OS keyring)."""
    from rhi_desktop.security.passphrase import check_strength
    from rhi_desktop.services.profiles import create_profile

    root = profile_dir or default_profile_dir()
    passphrase = read_passphrase("New passphrase")
    verdict = check_strength(passphrase, user_inputs=[worker])
    if not verdict.ok:
        raise click.ClickException(verdict.message)
    create_profile(root, worker_name=worker, passphrase=passphrase).close()
    click.echo(f"Profile created in {root}.")


@profile_group.command("change-passphrase")
@profile_option
@friendly
def profile_change_passphrase(profile_dir: Path | None) -> None:
    """Re-wrap the data key under a new passphrase (RHI_NEW_PASSPHRASE or a prompt)."""
    from rhi_desktop.security import keys
    from rhi_desktop.security.throttle import UnlockThrottle
    from rhi_desktop.services.profiles import ProfilePaths, default_secret_store, read_info

    root = profile_dir or default_profile_dir()
    info = read_info(root)
    old = read_passphrase("Current passphrase")
    new = os.environ.get("RHI_NEW_PASSPHRASE") or read_passphrase("New passphrase")
    store = None if info.demo else default_secret_store()
    # A wrong current passphrase is a guess like any other: it counts and waits the same.
    keys.change_passphrase(
        ProfilePaths(root).key_file, old, new, secret_store=store, throttle=UnlockThrottle(root)
    )
    click.echo("Passphrase changed.")


@main.command()
@profile_option
@click.option("--status", help="Only interviews in this state (draft, completed, synced, …).")
@click.option("--json", "as_json", is_flag=True, help="One JSON array, for scripts.")
@friendly
def interviews(profile_dir: Path | None, status: str | None, as_json: bool) -> None:
    """List a profile's interviews: id, child, status, revision."""
    from rhi_desktop.services.interviews import list_interviews
    from rhi_desktop.services.profiles import open_profile

    profile = open_profile(profile_dir or default_profile_dir(), read_passphrase())
    try:
        with profile.sessions() as s:
            items = list_interviews(s, status)
    finally:
        profile.close()
    if as_json:
        click.echo(json.dumps([i.as_dict() for i in items], indent=2))
        return
    for i in items:
        click.echo(
            f"{i.id}  {i.child_local_id:<9} {i.child_name:<28} {i.status:<10} rev {i.revision}"
        )
    click.echo(f"{len(items)} interviews", err=True)


@main.command()
@click.option("--demo", "use_demo", is_flag=True, help="Use a fresh temporary demo profile.")
@profile_option
@click.option("--view", default="caseload", show_default=True)
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--size", default="1440x860", show_default=True, help="WIDTHxHEIGHT in pixels.")
@friendly
def screenshot(use_demo: bool, profile_dir: Path | None, view: str, out: Path, size: str) -> None:
    """Render a view of the real window offscreen and save it as a PNG."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from rhi_desktop import app
    from rhi_desktop.services.profiles import open_profile

    if view not in app.VIEWS:
        raise click.BadParameter(
            f"choose one of: {', '.join(sorted(app.VIEWS))}", param_hint="--view"
        )
    try:
        width, height = (int(v) for v in size.lower().split("x"))
    except ValueError:
        raise click.BadParameter("use WIDTHxHEIGHT, e.g. 1440x860", param_hint="--size") from None
    if use_demo == (profile_dir is not None):
        raise click.UsageError("Give exactly one of --demo or --profile.")
    with tempfile.TemporaryDirectory(prefix="rhi-shot-") as tmp:
        if use_demo:
            from rhi_desktop.services.demo_profile import create_demo_profile

            profile = create_demo_profile(Path(tmp) / "profile")
        else:
            assert profile_dir is not None
            profile = open_profile(profile_dir, read_passphrase())
        try:
            app.screenshot(profile, view, out, width=width, height=height)
        finally:
            profile.close()
    click.echo(str(out))


@main.command("export-pdf")
@profile_option
@click.option("--interview", "interview_id", required=True, help="The interview's UUID.")
@click.option("--out", required=True, type=click.Path(path_type=Path), help="FILE.pdf to write.")
@click.option("--revision", type=int, default=None, help="A completed earlier revision.")
@friendly
def export_pdf(
    profile_dir: Path | None, interview_id: str, out: Path, revision: int | None
) -> None:
    """Write the interview record as a PDF signed with your signing key."""
    from datetime import UTC, datetime

    from rhi_desktop.services.pdf_export import export_signed_pdf
    from rhi_desktop.services.profiles import open_profile

    profile = open_profile(profile_dir or default_profile_dir(), read_passphrase())
    try:
        result = export_signed_pdf(
            profile, interview_id, out, now=datetime.now(UTC), revision=revision
        )
    finally:
        profile.close()
    click.echo(str(result.path))
    trust = (
        "signed with your organisation's certificate"
        if result.organisation_verified
        else "signed with a local certificate, not verified by your organisation"
    )
    click.echo(f"Signed by {result.signer} ({trust}); check it with: rhi-desktop verify", err=True)


@main.command("safety-plan-pdf")
@profile_option
@click.option("--interview", "interview_id", required=True, help="The interview's UUID.")
@click.option("--out", required=True, type=click.Path(path_type=Path), help="FILE.pdf to write.")
@click.option("--language", default=None, help="e.g. en, ar (default: the child's language).")
@friendly
def safety_plan_pdf(
    profile_dir: Path | None, interview_id: str, out: Path, language: str | None
) -> None:
    """Write the child's one-page "My safety plan"."""
    from datetime import UTC, datetime

    from rhi_desktop.services.pdf_export import export_safety_plan_pdf
    from rhi_desktop.services.profiles import open_profile

    profile = open_profile(profile_dir or default_profile_dir(), read_passphrase())
    try:
        path = export_safety_plan_pdf(
            profile, interview_id, out, now=datetime.now(UTC), language=language
        )
    finally:
        profile.close()
    click.echo(str(path))


def _mount_commands() -> None:
    from rhi_desktop.cli_admin import audit, backup, settings
    from rhi_desktop.cli_forms import forms
    from rhi_desktop.cli_sync import mount as mount_sync
    from rhi_desktop.pdf.cli import verify

    main.add_command(forms)
    main.add_command(verify)
    main.add_command(audit)
    main.add_command(backup)
    main.add_command(settings)
    mount_sync(main)


_mount_commands()

if __name__ == "__main__":
    main()
