"""`rhi-central user add|list|disable` in a real process: one sentence for bad input, never a
traceback, and the same rules as the console's Users page."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def rhi(db: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rhi_central.cli", *args, "--database-url", db],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'central.db'}"


def test_add_list_and_disable_accounts(db: str) -> None:
    added = rhi(db, "user", "add", "--email", "Lead@Council.example", "--name", "Lena Lead",
                "--role", "missing-lead", "--password-stdin", stdin="a long enough secret\n")  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "Added Lena Lead <lead@council.example> as missing-lead (a password)." in added.stderr
    sso = rhi(db, "user", "add", "--email", "ada@council.example", "--name", "Ada Admin",
              "--role", "admin")  # fmt: skip
    assert "(single sign-on only)" in sso.stderr
    listed = rhi(db, "user", "list", "--json")
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [(r["email"], r["role"], r["password"]) for r in rows] == [
        ("ada@council.example", "admin", False),
        ("lead@council.example", "missing-lead", True),
    ]
    disabled = rhi(db, "user", "disable", "--email", "lead@council.example")
    assert disabled.returncode == 0 and "is disabled" in disabled.stderr
    last_admin = rhi(db, "user", "disable", "--email", "ada@council.example")
    assert last_admin.returncode == 1
    assert last_admin.stderr.strip() == (
        "rhi-central: This is the last active administrator: add another one before disabling it."
    )


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["--role", "boss"], None, "'boss' is not a role: use one of missing-lead, manager, "
         "social-worker, performance, admin."),
        (["--role", "manager", "--password-stdin"], "short\n",
         "The password must be at least 12 characters long."),
        (["--role", "manager", "--email", "not-an-address"], None,
         "'not-an-address' is not an e-mail address."),
    ],
)  # fmt: skip
def test_bad_input_is_one_sentence(
    db: str, args: list[str], stdin: str | None, message: str
) -> None:
    base = ["user", "add", "--email", "mo@council.example", "--name", "Mo Manager"]
    done = rhi(db, *base, *args, stdin=stdin)
    assert done.returncode == 1
    assert done.stderr.strip() == f"rhi-central: {message}"


def test_two_accounts_cannot_share_an_address_or_a_name(db: str) -> None:
    first = ["user", "add", "--email", "jane@council.example", "--name", "Jane Smith"]
    assert rhi(db, *first, "--role", "social-worker").returncode == 0
    twice = rhi(db, *first, "--role", "manager")
    assert (
        twice.stderr.strip() == "rhi-central: There is already an account for jane@council.example."
    )
    same_name = rhi(db, "user", "add", "--email", "j2@council.example", "--name", "jane smith",
                    "--role", "social-worker")  # fmt: skip
    assert "There is already an account named jane smith" in same_name.stderr
