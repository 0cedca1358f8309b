"""Screenshot console pages for the README: a fresh demo store, served in-process, a Missing
Lead signed in through the form, Debian's headless chromium driven by Playwright.

    .venv/bin/python central/scripts/screenshot-console.py --out docs/screenshots

Synthetic data only (``rhi-central demo seed``'s generator, anchored at now).
"""

from __future__ import annotations

import argparse
import secrets
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

from rhi_central.app import create_app
from rhi_central.db import Database, open_engine
from rhi_central.demo import DEMO_STAFF, seed_demo, seed_staff
from rhi_central.jobs import run_round
from rhi_central.service_settings import ServiceSettings
from rhi_central.timeutil import utcnow

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"]  # fmt: skip
PAGES = {"console-board.png": ("/console/board", 1250)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rhi-shots-") as tmp:
        url = f"sqlite:///{tmp}/central.db"
        password = secrets.token_urlsafe(12)
        db = Database(open_engine(url))
        with db.transaction() as s:
            seed_demo(s, seed=2021, n_children=425, now=utcnow(), actor="screenshot")
            seed_staff(s, password=password, actor="screenshot")
        db.dispose()
        app = create_app(url, data_dir=tmp, service=ServiceSettings(jobs_interval_s=0))
        run_round(app.state.central)
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        port = server.servers[0].sockets[0].getsockname()[1]
        base = f"http://127.0.0.1:{port}"
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=args.chromium, args=ARGS)
                page = browser.new_page(viewport={"width": 1366, "height": 900})
                page.goto(base + "/console/sign-in")
                page.get_by_label("E-mail address").fill(DEMO_STAFF[0][0])
                page.get_by_label("Password", exact=True).fill(password)
                with page.expect_navigation():
                    page.get_by_role("button", name="Sign in").click()
                args.out.mkdir(parents=True, exist_ok=True)
                for name, (path, height) in PAGES.items():
                    page.goto(base + path)
                    page.screenshot(
                        path=str(args.out / name),
                        full_page=True,
                        clip={"x": 0, "y": 0, "width": 1366, "height": height},
                    )
                    print(args.out / name)
                browser.close()
        finally:
            server.should_exit = True
            thread.join(10)


if __name__ == "__main__":
    main()
