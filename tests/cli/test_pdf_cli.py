"""export-pdf and verify as a user runs them: real processes, a real demo profile, poppler too."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXE = [sys.executable, "-m", "rhi_desktop"]


def run(*args: str, passphrase: str | None = None) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    environment.pop("RHI_PASSPHRASE", None)
    if passphrase is not None:
        environment["RHI_PASSPHRASE"] = passphrase
    return subprocess.run(
        [*EXE, *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pdfcli") / "demo"
    done = run("demo", "create", "--profile", str(root), "--seed", "11", "--children", "40")
    assert done.returncode == 0, done.stderr
    return root


@pytest.fixture(scope="module")
def exported(demo_dir: Path) -> Path:
    listed = run(
        "interviews", "--profile", str(demo_dir), "--json", "--status", "completed",
        passphrase="demo",
    )  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    items = json.loads(listed.stdout)
    if not items:  # a small demo may have every completed interview synced already
        items = json.loads(
            run(
                "interviews",
                "--profile",
                str(demo_dir),
                "--json",
                "--status",
                "approved",
                passphrase="demo",
            ).stdout  # fmt: skip
        )
    assert items
    out = demo_dir.parent / "record.pdf"
    done = run(
        "export-pdf", "--profile", str(demo_dir), "--interview", items[0]["id"], "--out", str(out),
        passphrase="demo",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(out)
    assert "Traceback" not in done.stderr
    return out


def test_verify_says_intact_but_untrusted(exported: Path) -> None:
    done = run("verify", str(exported))
    assert done.returncode == 2, done.stderr
    assert "Signer:        Sam Okafor (demo)" in done.stdout
    assert "Integrity:     intact" in done.stdout
    assert "Trust:         untrusted" in done.stdout


def test_one_flipped_byte_is_tampering(exported: Path, tmp_path: Path) -> None:
    data = bytearray(exported.read_bytes())
    data[len(data) // 2] ^= 0x01
    bad = tmp_path / "tampered.pdf"
    bad.write_bytes(bytes(data))
    done = run("verify", str(bad))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.skipif(shutil.which("pdfsig") is None, reason="poppler-utils not installed")
def test_poppler_agrees_the_signature_is_valid(exported: Path) -> None:
    done = subprocess.run(["pdfsig", str(exported)], capture_output=True, text=True, timeout=60)
    assert "Signature is Valid" in done.stdout, done.stdout + done.stderr


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_first_page_renders(exported: Path, tmp_path: Path) -> None:
    prefix = tmp_path / "page"
    done = subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(exported), str(prefix)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    pages = list(tmp_path.glob("page*.png"))
    assert len(pages) == 1 and pages[0].stat().st_size > 10_000
    keep = os.environ.get("RHI_KEEP_PAGE")  # set it to look at the page yourself
    if keep:
        shutil.copy(pages[0], keep)


def test_unknown_interview_is_one_sentence(demo_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.pdf"
    done = run(
        "export-pdf", "--profile", str(demo_dir),
        "--interview", "00000000-0000-4000-8000-000000000000", "--out", str(out),
        passphrase="demo",
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.strip() == "That interview is not in this profile."
    assert not out.exists()


def test_a_folder_as_output_is_one_sentence(demo_dir: Path, exported: Path) -> None:
    items = json.loads(
        run("interviews", "--profile", str(demo_dir), "--json", passphrase="demo").stdout
    )
    done = run(
        "export-pdf", "--profile", str(demo_dir), "--interview", items[0]["id"],
        "--out", str(exported.parent), passphrase="demo",
    )  # fmt: skip
    assert done.returncode == 1
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
