"""``rhi-desktop verify FILE.pdf [--ca CA.pem] [--crl FILE]`` (mounted on the CLI by __main__)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .verify import CertificateError, exit_code, load_crl, load_trust_roots, verify_pdf


def _read(path: str, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise _Fail(f"The {what} {path} does not exist.") from None
    except IsADirectoryError:
        raise _Fail(f"The {what} {path} is a folder, not a file.") from None
    except OSError as exc:
        raise _Fail(f"The {what} {path} cannot be read ({exc.strerror or exc}).") from None


class _Fail(Exception):
    pass


@click.command("verify")
@click.argument("file", type=click.Path(dir_okay=True, path_type=str))
@click.option(
    "--ca",
    "ca",
    type=click.Path(path_type=str),
    default=None,
    help="Your organisation's CA certificate (PEM). Without it no signer is trusted.",
)
@click.option(
    "--crl",
    "crl",
    type=click.Path(path_type=str),
    default=None,
    help="The CA's certificate revocation list (X.509 CRL, PEM or DER; needs --ca).",
)
def verify(file: str, ca: str | None, crl: str | None) -> None:
    """Check a signed interview record: every signature, and every change made after each.

    Exit code 0: intact and trusted; 1: tampered, unsigned or not a PDF; 2: intact, untrusted
    (including signed after the certificate was revoked, with --crl).
    """
    try:
        data = _read(file, "file")
        ca_pem = _read(ca, "CA certificate") if ca else None
        crl_data = _read(crl, "CRL") if crl else None
    except _Fail as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    try:
        if ca_pem is not None:
            load_trust_roots(ca_pem)
    except CertificateError:
        click.echo(f"The CA certificate {ca} is not a PEM or DER certificate.", err=True)
        sys.exit(1)
    try:
        if crl_data is not None:
            load_crl(crl_data, ca_pem)
    except CertificateError as exc:
        click.echo(f"{crl}: {exc}", err=True)
        sys.exit(1)
    try:
        result = verify_pdf(data, ca_pem, crl_data)
    except Exception:  # noqa: BLE001 - the contract is one sentence, never a traceback
        click.echo(f"{file} could not be checked: treat it as tampered.", err=True)
        sys.exit(1)
    code = exit_code(result)
    if not result.is_pdf or not result.signed:
        click.echo(result.message, err=True)
        sys.exit(code)
    when = result.signing_time.isoformat(timespec="seconds") if result.signing_time else "unknown"
    click.echo(f"Signer:        {result.signer or 'unknown'}")
    click.echo(f"Signing time:  {when}")
    click.echo(f"Integrity:     {'intact' if result.intact else 'TAMPERED'}")
    click.echo(f"Trust:         {'trusted' if result.trusted else 'untrusted'}")
    click.echo(f"Content hash:  {result.content_sha256 or 'not found'}")
    for check in result.signatures:
        click.echo(f"Signature {check.number}:   {check.describe(result.revisions)}")
    click.echo(result.message)
    sys.exit(code)


def main() -> None:  # pragma: no cover - convenience for `python -m rhi_desktop.pdf.cli`
    verify()


if __name__ == "__main__":  # pragma: no cover
    main()
