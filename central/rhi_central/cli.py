"""`rhi-central`: serve the API and administer the central store from a shell.

Every command takes ``--database-url`` (or ``RHI_CENTRAL_DATABASE_URL``) and brings the schema
to head before doing anything. Bad input gets one sentence on stderr and a non-zero exit, never
a traceback (set RHI_CENTRAL_DEBUG=1 to see one). Secrets a command creates (enrolment codes,
admin tokens) are printed alone on stdout so scripts can capture them; everything else goes to
stderr.
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import click
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from rhi_central import audit, ops, reports_cli
from rhi_central.db import Database, DatabaseError, open_engine
from rhi_central.settings import ENV_DATABASE_URL, ENV_TRUSTED_PROXIES, Settings, SettingsError
from rhi_central.timeutil import utcnow
from rhi_core.protocol import ReviewOutcome

F = TypeVar("F", bound=Callable[..., Any])


class _Cli(click.Group):
    """Turns every failure into one line on stderr and an exit code."""

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except click.exceptions.Abort:
            click.echo("rhi-central: aborted.", err=True)
            sys.exit(1)
        except click.ClickException as exc:
            click.echo(f"rhi-central: {exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        except Exception as exc:  # a bug: still no traceback for the user, unless asked
            if os.environ.get("RHI_CENTRAL_DEBUG"):
                raise
            click.echo(f"rhi-central: unexpected error ({type(exc).__name__}: {exc}).", err=True)
            sys.exit(70)
        sys.exit(code if isinstance(code, int) else 0)


def database_option(fn: F) -> F:
    return click.option(
        "--database-url",
        envvar=ENV_DATABASE_URL,
        metavar="URL",
        help=f"sqlite:///FILE or postgresql://... (env {ENV_DATABASE_URL}; "
        "default: a SQLite file in the data dir).",
    )(fn)


def _settings(database_url: str | None) -> Settings:
    try:
        return Settings.load(database_url)
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None


@contextmanager
def _session(database_url: str | None) -> Iterator[Session]:
    """A migrated database and one transaction; known failures become one sentence."""
    settings = _settings(database_url)
    try:
        db = Database(open_engine(settings.database_url))
    except DatabaseError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        with db.transaction() as session:
            yield session
        audit.seal_all(db)  # chain this command's events now: no API process may be running
    except ops.OpError as exc:
        raise click.ClickException(exc.message) from None
    except SQLAlchemyError as exc:
        first = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise click.ClickException(f"The database refused the change: {first}.") from None
    finally:
        db.dispose()


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no passwd entry (containers): still say it was the CLI
        return "cli:unknown"


@click.group(cls=_Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="rhi-desktop", prog_name="rhi-central")
def main() -> None:
    """RHI Central: the council's store for completed Return Home Interviews."""


@main.command()
@database_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers",
    default=None,
    type=click.IntRange(1, 64),
    help="Worker processes (default: one per CPU core on PostgreSQL; always 1 on SQLite, "
    "which has one writer anyway).",
)
@click.option(
    "--trusted-proxy",
    "trusted_proxies",
    multiple=True,
    metavar="ADDR",
    help=f"A reverse proxy (IP or network) whose X-Forwarded-For names the client; repeat for "
    f"several (env {ENV_TRUSTED_PROXIES}, comma-separated). Nobody else's is believed.",
)
def serve(
    database_url: str | None,
    host: str,
    port: int,
    workers: int | None,
    trusted_proxies: tuple[str, ...],
) -> None:
    """Run the HTTP API (OpenAPI docs at /docs)."""
    import uvicorn

    from rhi_central.app import UVICORN_OPTIONS, create_app

    if trusted_proxies:
        os.environ[ENV_TRUSTED_PROXIES] = ",".join(trusted_proxies)
    settings = _settings(database_url)
    sqlite = settings.database_url.startswith("sqlite")
    if workers is None:
        workers = 1 if sqlite else max(1, os.cpu_count() or 1)
    elif sqlite and workers > 1:
        raise click.UsageError("SQLite has one writer: serve it with --workers 1.")
    try:
        app = create_app(settings=settings)
    except DatabaseError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"rhi-central on http://{host}:{port} (docs at /docs), {workers} worker process"
        + ("es" if workers > 1 else ""),
        err=True,
    )
    if workers > 1:
        # Each worker process builds its own app from the environment.
        os.environ[ENV_DATABASE_URL] = settings.database_url
        app.state.central.db.dispose()
        uvicorn.run(
            "rhi_central.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            **UVICORN_OPTIONS,
        )
    else:
        uvicorn.run(app, host=host, port=port, **UVICORN_OPTIONS)


@main.command("enrol-code")
@database_option
@click.option("--worker", required=True, help="The worker the laptop will belong to.")
def enrol_code(database_url: str | None, worker: str) -> None:
    """Make a one-time enrolment code (valid 24 hours). Prints only the code on stdout."""
    with _session(database_url) as session:
        code, row = ops.create_enrol_code(session, worker, _actor())
    click.echo(code)
    expires = row.expires_at.strftime("%Y-%m-%d %H:%M UTC")
    click.echo(f"One-time code for {row.worker}; single use, expires {expires}.", err=True)


@main.command()
@database_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per device.")
def devices(database_url: str | None, as_json: bool) -> None:
    """List enrolled devices."""
    with _session(database_url) as session:
        rows = ops.list_devices(session, _actor())

    def when(value: datetime | None) -> str:
        return value.strftime("%Y-%m-%d %H:%M") if value else "-"

    if as_json:
        for d in rows:
            click.echo(
                json.dumps(
                    {
                        "id": d.id,
                        "name": d.name,
                        "worker": d.worker,
                        "enrolled_at": d.enrolled_at.isoformat(),
                        "last_contact_at": d.last_contact_at and d.last_contact_at.isoformat(),
                        "revoked_at": d.revoked_at and d.revoked_at.isoformat(),
                    }
                )
            )
        return
    if not rows:
        click.echo("No devices enrolled.", err=True)
        return
    header = f"{'ID':36}  {'WORKER':24}  {'ENROLLED':16}  {'LAST CONTACT':16}  REVOKED"
    click.echo(header)
    for d in rows:
        click.echo(
            f"{d.id:36}  {d.worker[:24]:24}  {when(d.enrolled_at):16}  "
            f"{when(d.last_contact_at):16}  {when(d.revoked_at) if d.revoked_at else 'no'}"
        )


@main.command()
@database_option
@click.option("--device", "device_id", required=True, metavar="ID", help="From `devices`.")
def revoke(database_url: str | None, device_id: str) -> None:
    """Revoke a device: it is refused from now on and wipes itself on next contact."""
    with _session(database_url) as session:
        device = ops.revoke_device(session, device_id, _actor())
    click.echo(f"Device {device.id} ({device.worker}) is revoked.", err=True)


@main.group()
def forms() -> None:
    """Questionnaire versions laptops download."""


@forms.command("publish")
@database_option
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def forms_publish(database_url: str | None, file: Path) -> None:
    """Publish a form definition (YAML) under its own id and version."""
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise click.ClickException(f"There is no file {file}.") from None
    except UnicodeDecodeError:
        raise click.ClickException(f"{file} is not UTF-8 text.") from None
    except OSError as exc:
        raise click.ClickException(f"Cannot read {file}: {exc.strerror}.") from None
    with _session(database_url) as session:
        form, created = ops.publish_form(session, text, _actor())
    state = "published" if created else "was already published (identical)"
    click.echo(f"Form {form.form_id} version {form.version} {state}.", err=True)


@main.command()
@database_option
@click.option("--interview", "interview_id", required=True, metavar="UUID")
@click.option("--approve", is_flag=True, help="The interview is fine.")
@click.option("--has-issues", "comment", metavar="COMMENT", help="Send it back: what to fix.")
@click.option("--reviewer", default=None, help="Name shown to the worker (default: your login).")
def review(
    database_url: str | None,
    interview_id: str,
    approve: bool,
    comment: str | None,
    reviewer: str | None,
) -> None:
    """Review the latest revision of an interview."""
    if approve == (comment is not None):
        raise click.UsageError("Give exactly one of --approve or --has-issues COMMENT.")
    outcome = ReviewOutcome.APPROVED if approve else ReviewOutcome.HAS_ISSUES
    actor = _actor()
    with _session(database_url) as session:
        result = ops.review_interview(
            session, interview_id, outcome, comment, actor, reviewer or actor.removeprefix("cli:")
        )
    click.echo(
        f"Interview {result.interview.interview_id} revision {result.interview.revision}: "
        f"{outcome.value.replace('_', ' ')}.",
        err=True,
    )


@main.command("admin-token")
@database_option
@click.option("--name", required=True, help="Who or what will use the token.")
def admin_token(database_url: str | None, name: str) -> None:
    """Create an administrator API token. Printed once, alone on stdout; stored only hashed."""
    with _session(database_url) as session:
        token, row = ops.create_admin_token(session, name, _actor())
    click.echo(token)
    click.echo(f"Administrator token for {row.name}; it cannot be shown again.", err=True)


@main.group()
def demo() -> None:
    """Synthetic demo data (no real child is ever in it)."""


@demo.command("seed")
@database_option
@click.option("--seed", default=2021, show_default=True, type=int)
@click.option("--children", "n_children", default=425, show_default=True, type=click.IntRange(1))
def demo_seed(database_url: str | None, seed: int, n_children: int) -> None:
    """Load synthetic children, episodes, interviews and offers."""
    from rhi_central.demo import seed_demo

    with _session(database_url) as session:
        added = seed_demo(session, seed=seed, n_children=n_children, now=None, actor=_actor())
    click.echo(
        f"Added {added['children']} children, {added['episodes']} episodes and "
        f"{added['interviews']} interviews.",
        err=True,
    )


@demo.command("serve")
@click.option(
    "--data-dir",
    default="out/central-demo",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the demo database lives (replaced on every start).",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--children", "n_children", default=425, show_default=True, type=click.IntRange(1))
def demo_serve(data_dir: Path, host: str, port: int, n_children: int) -> None:
    """A fresh demo store with staff accounts, served with the console (synthetic data only)."""
    import secrets
    import shutil

    import uvicorn

    from rhi_central.app import create_app
    from rhi_central.demo import DEMO_STAFF, seed_demo, seed_staff
    from rhi_central.jobs import run_round
    from rhi_central.service_settings import ServiceSettings

    if data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True, mode=0o700)
    url = f"sqlite:///{data_dir / 'central.db'}"
    password = "-".join(secrets.token_hex(2) for _ in range(4))
    with _session(url) as session:
        seed_demo(session, seed=2021, n_children=n_children, now=utcnow(), actor=_actor())
        seed_staff(session, password=password, actor=_actor())
    service = ServiceSettings.from_env()
    app = create_app(url, data_dir=data_dir, settings=None, service=service)
    run_round(app.state.central)  # the escalation tasks of the demo's long-missing children
    address = f"http://{host}:{port}/console/"
    lead = DEMO_STAFF[0][0]
    click.echo(
        f"\nRHI Central demo console: {address}\n"
        f"Sign in as the Missing Lead: {lead}  password: {password}\n"
        "Every demo account has the same password: manager@, performance@, admin@demoford.example\n"
        "and each worker, e.g. amara.okafor@demoford.example. Synthetic data only. Ctrl+C stops it.\n",
        err=True,
    )
    uvicorn.run(app, host=host, port=port, log_level="warning")


@main.group("audit")
def audit_group() -> None:
    """The central audit trail."""


@audit_group.command("verify")
@database_option
def audit_verify(database_url: str | None) -> None:
    """Check the audit hash chain; exit 0 intact, 1 broken."""
    with _session(database_url) as session:
        problems = audit.verify(session)
    if problems:
        for p in problems[:20]:
            click.echo(p.message, err=True)
        raise click.ClickException(f"The audit trail is broken in {len(problems)} places.")
    click.echo("The audit trail is intact.", err=True)


@main.group()
def user() -> None:
    """Staff accounts for the console (roles: missing-lead, manager, social-worker,
    performance, admin)."""


@user.command("add")
@database_option
@click.option("--email", required=True, help="Their council e-mail address.")
@click.option("--name", required=True, help="Full name (a worker's laptop is enrolled under it).")
@click.option(
    "--role",
    required=True,
    metavar="ROLE",
    help="missing-lead, manager, social-worker, performance or admin.",
)
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read a first password from standard input (else: single sign-on only).",
)
def user_add(
    database_url: str | None, email: str, name: str, role: str, password_stdin: bool
) -> None:
    """Add a staff account."""
    from rhi_central.staff.service import add_user

    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise click.ClickException("No password came on standard input.")
    with _session(database_url) as session:
        row = add_user(
            session, email=email, name=name, role=role, password=password, actor=_actor(),
            now=utcnow(),
        )  # fmt: skip
        how = "a password" if password else "single sign-on only"
        click.echo(f"Added {row.name} <{row.email}> as {row.role} ({how}).", err=True)


@user.command("list")
@database_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per account.")
def user_list(database_url: str | None, as_json: bool) -> None:
    """List staff accounts."""
    from rhi_central.staff.service import list_users

    with _session(database_url) as session:
        rows = [
            {
                "email": u.email,
                "name": u.name,
                "role": u.role,
                "password": u.password_hash is not None,
                "single_sign_on": u.oidc_subject is not None,
                "disabled": u.disabled_at is not None,
                "last_sign_in_at": u.last_sign_in_at.isoformat() if u.last_sign_in_at else None,
            }
            for u in list_users(session, _actor())
        ]
    if as_json:
        for r in rows:
            click.echo(json.dumps(r))
        return
    if not rows:
        click.echo("No staff accounts yet: add one with `rhi-central user add`.", err=True)
        return
    click.echo(f"{'EMAIL':36}  {'NAME':24}  {'ROLE':14}  STATUS")
    for r in rows:
        status = "disabled" if r["disabled"] else "active"
        click.echo(f"{r['email'][:36]:36}  {r['name'][:24]:24}  {r['role']:14}  {status}")


@user.command("disable")
@database_option
@click.option("--email", required=True, help="The account to disable.")
def user_disable(database_url: str | None, email: str) -> None:
    """Disable an account: it cannot sign in, and its open sessions end."""
    from rhi_central.staff.service import disable_user

    with _session(database_url) as session:
        row = disable_user(session, email, actor=_actor(), now=utcnow())
        click.echo(f"{row.name} <{row.email}> is disabled.", err=True)


@main.group("import")
def import_group() -> None:
    """Bring records in from other systems."""


@import_group.command("episodes")
@database_option
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--mapping",
    "mapping_file",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="YAML: which heading holds each field, the date format, value maps.",
)
@click.option("--dry-run", is_flag=True, help="Check everything and change nothing.")
def import_episodes(
    database_url: str | None, file: Path, mapping_file: Path, dry_run: bool
) -> None:
    """Import missing episodes from a case-system or police CSV export.

    All or nothing: any bad row (each listed by its row number) and nothing is applied.
    Importing the same file again changes nothing. Exit 0 applied (or would apply), 1 refused.
    """
    from rhi_central.episodes.service import import_csv

    data = _read_bytes(file)
    try:
        mapping_text = _read_bytes(mapping_file).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise click.ClickException(f"{mapping_file} is not UTF-8 text.") from None
    with _session(database_url) as session:
        result = import_csv(
            session, data, mapping_text, file_name=file.name, actor=_actor(), now=utcnow(),
            dry_run=dry_run,
        )  # fmt: skip
    if result.file_problem:
        raise click.ClickException(result.file_problem)
    plan = result.plan
    assert plan is not None
    if not plan.ok:
        for p in plan.problems:
            click.echo(f"  {p.text}", err=True)
        raise click.ClickException(
            f"Nothing was imported: {len(plan.problems)} problems in {plan.rows} rows "
            "(listed above). Correct them and import the file again."
        )
    c = plan.counts()
    verb = "Would import" if dry_run else "Imported"
    click.echo(
        f"{verb} {c['rows']} rows: {c['children_created']} new children, "
        f"{c['children_updated']} updated; {c['episodes_created']} new episodes, "
        f"{c['episodes_updated']} updated; {c['unchanged']} already held; "
        f"{c['allocations']} allocations.",
        err=True,
    )


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise click.ClickException(f"There is no file {path}.") from None
    except OSError as exc:
        raise click.ClickException(f"Cannot read {path}: {exc.strerror}.") from None


@main.group("ca")
def ca_group() -> None:
    """The certificate authority that signs workers' PDF-signing certificates."""


def _write_public(out: Path, data: bytes) -> None:
    """Write a public artefact (no child data) whole: a temp file renamed over ``out``."""
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise click.ClickException(f"Cannot write {out}: {exc.strerror}.") from None


@ca_group.command("crl")
@database_option
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--pem", is_flag=True, help="PEM instead of DER.")
def ca_crl(database_url: str | None, out: Path, pem: bool) -> None:
    """Write the certificate revocation list (X.509 CRL; revoked devices' certificates)."""
    from rhi_central import ca

    settings = _settings(database_url)
    with _session(database_url) as session:
        try:
            data = ca.current_crl(session, settings, pem=pem)
        except ca.CaError as exc:
            raise click.ClickException(str(exc)) from None
        audit.record(session, actor=_actor(), action="ca.crl", detail={"out": str(out)})
    _write_public(out, data)
    click.echo(f"Wrote the revocation list to {out}.", err=True)


@ca_group.command("certificate")
@database_option
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def ca_certificate(database_url: str | None, out: Path) -> None:
    """Write the CA certificate (PEM), for `rhi-desktop verify --ca`."""
    from rhi_central import ca

    settings = _settings(database_url)
    with _session(database_url) as session:
        try:
            pem = ca.ca_certificate_pem(session, settings)
        except ca.CaError as exc:
            raise click.ClickException(str(exc)) from None
    _write_public(out, pem.encode())
    click.echo(f"Wrote the CA certificate to {out}.", err=True)


reports_cli.mount(main, actor=_actor, session=_session)  # `report ...` and `export ...`


if __name__ == "__main__":  # `python -m rhi_central.cli`, used by scripts that pick the interpreter
    main()
