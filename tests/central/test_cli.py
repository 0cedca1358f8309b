"""The rhi-central CLI: secrets alone on stdout, one sentence for bad input, no tracebacks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from central.kit import FORM_YAML
from click.testing import CliRunner

from rhi_central.cli import main


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """The CLI as a user runs it (a real process, real exit code, real stdout/stderr)."""
    return subprocess.run(
        [sys.executable, "-c", "from rhi_central.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_enrol_code_prints_only_the_code(database_url: str) -> None:
    done = run("enrol-code", "--worker", "Amara Okafor", "--database-url", database_url)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1
    assert len(lines[0]) == 19 and lines[0].count("-") == 3
    assert "Amara Okafor" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "url",
    ["nosuch://nowhere", "postgresql://127.0.0.1:1/nothing", "not a url at all"],
)
def test_bad_database_url_is_one_sentence(url: str) -> None:
    done = run("devices", "--database-url", url)
    assert done.returncode != 0
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1
    assert done.stderr.startswith("rhi-central: ")
    assert "Traceback" not in done.stderr


def test_database_url_from_environment(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'env.db'}"
    result = CliRunner().invoke(
        main, ["admin-token", "--name", "lead"], env={"RHI_CENTRAL_DATABASE_URL": url}
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "env.db").exists()


def test_admin_workflow(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    form = tmp_path / "form.yaml"
    form.write_text(FORM_YAML, encoding="utf-8")
    runner = CliRunner()

    def cli(*args: str) -> tuple[int, str, str]:
        r = runner.invoke(main, [*args, "--database-url", url])
        return r.exit_code, r.stdout, r.stderr

    code, out, err = cli("admin-token", "--name", "lead")
    assert code == 0 and len(out.strip()) >= 43 and "cannot be shown again" in err
    assert cli("forms", "publish", str(form))[0] == 0
    code, _, err = cli("forms", "publish", str(form))
    assert code == 0 and "already published" in err
    code, _, err = cli("forms", "publish", str(tmp_path / "missing.yaml"))
    assert (
        code != 0 and err.strip() == f"rhi-central: There is no file {tmp_path / 'missing.yaml'}."
    )
    code, out, err = cli("demo", "seed", "--seed", "3", "--children", "12")
    assert code == 0 and "Added 12 children" in err
    code, out, _ = cli("devices")
    assert code == 0
    code, _, err = cli("revoke", "--device", "nope")
    assert code != 0 and "no device" in err
    code, _, err = cli("review", "--interview", "nope", "--approve")
    assert code != 0 and "no interview" in err
    code, _, err = cli("review", "--interview", "x")
    assert code != 0 and "exactly one" in err
    code, _, err = cli("audit", "verify")
    assert code == 0 and "intact" in err


def test_devices_and_revoke_after_enrolment(kit: object, database_url: str) -> None:
    from central.kit import Kit

    assert isinstance(kit, Kit)
    laptop = kit.enrol("Ellie Morgan")
    runner = CliRunner()
    listed = runner.invoke(main, ["devices", "--database-url", database_url])
    assert laptop.device_id in listed.stdout and "Ellie Morgan" in listed.stdout
    done = runner.invoke(
        main, ["revoke", "--device", laptop.device_id, "--database-url", database_url]
    )
    assert done.exit_code == 0
    assert kit.http.post("/api/v1/ping", headers=laptop.headers).json() == {
        "detail": "device revoked"
    }
    item_id = "00000000-0000-4000-8000-000000000001"
    kit.publish()
    other = kit.enrol("Femi Adebayo")
    kit.push(other, [kit.item(kit.payload(worker="Femi Adebayo"), item_id)])
    done = runner.invoke(
        main,
        [
            "review",
            "--interview",
            item_id,
            "--has-issues",
            "Missing date",
            "--database-url",
            database_url,
        ],
    )
    assert done.exit_code == 0, done.output
    items = kit.http.get("/api/v1/feedback", headers=other.headers).json()["items"]
    assert items[0]["outcome"] == "has_issues" and items[0]["comment"] == "Missing date"
