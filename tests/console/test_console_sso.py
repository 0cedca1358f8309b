"""Single sign-on against a real OpenID provider (node oidc-provider, started here on loopback):
authorisation code with PKCE, the ID token verified, the account found by e-mail and then by
its subject. The provider is another site (localhost) than the console (127.0.0.1), as a
council's Entra ID is, so the SameSite=Strict session cookie is proven to work after it."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from html import unescape
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from console.browser import Console
from console.conftest import NODE
from console.kit import ConsoleServer, StaffClient, served_console
from sqlalchemy import select

from rhi_central.models import StaffUser
from rhi_central.service_settings import OidcSettings

CLIENT_ID = "rhi-console"
CLIENT_SECRET = "console-test-secret-not-used-anywhere-else"


@dataclasses.dataclass
class Provider:
    issuer: str
    process: subprocess.Popen[str]


@pytest.fixture(scope="module")
def sso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ConsoleServer, Provider]]:
    node = shutil.which("node")
    if node is None or not (NODE / "node_modules" / "oidc-provider").exists():
        pytest.fail("node and tests/console/node/node_modules are needed (make venv runs npm ci)")
    root = tmp_path_factory.mktemp("sso")
    with served_console(f"sqlite:///{root / 'central.db'}", root / "data") as console:
        env = dict(
            os.environ,
            OIDC_PORT="0",
            OIDC_HOST="127.0.0.1",
            OIDC_ISSUER_HOST="localhost",
            OIDC_CLIENT_ID=CLIENT_ID,
            OIDC_CLIENT_SECRET=CLIENT_SECRET,
            OIDC_REDIRECT_URIS=f"{console.url}/console/sign-in/sso/callback",
        )
        process = subprocess.Popen(
            [node, str(NODE / "oidc_provider.mjs")],
            cwd=NODE,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            assert line.startswith("READY "), line
            issuer = line.split()[1]
            console.central.service = dataclasses.replace(
                console.central.service,
                oidc=OidcSettings(
                    issuer=issuer,
                    client_id=CLIENT_ID,
                    client_secret=CLIENT_SECRET,
                    label="Sign in with your council account",
                ),
            )
            yield console, Provider(issuer, process)
        finally:
            process.terminate()
            process.wait(10)
            if process.stdout is not None:
                process.stdout.close()


def _provider_login(client: httpx.Client, start: httpx.Response, login: str) -> httpx.Response:
    """Answer the provider's own sign-in form as the person would."""
    page = start
    action = unescape(re.search(r'<form[^>]*action="([^"]+)"', page.text).group(1))  # type: ignore[union-attr]
    return client.post(
        httpx.URL(str(page.url)).join(action),
        data={"prompt": "login", "login": login, "password": "anything"},
        follow_redirects=True,
    )


def test_single_sign_on_in_the_browser_lands_on_the_board(
    browser: object, sso: tuple[ConsoleServer, Provider]
) -> None:
    console, _provider = sso
    context = browser.new_context(bypass_csp=True)  # type: ignore[attr-defined]
    try:
        from console.conftest import AXE_JS

        tab = Console(context.new_page(), console.url, str(AXE_JS))
        tab.open("/console/sign-in?next=/console/workers")
        tab.check_accessible()
        tab.go(tab.page.get_by_role("button", name="Sign in with your council account"))
        assert urlsplit(tab.page.url).hostname == "localhost"  # the provider: another site
        tab.page.locator("input[name=login]").fill("lead@test.example")
        tab.page.locator("input[name=password]").fill("anything")
        with tab.page.expect_navigation(url=re.compile(r".*/console/workers$"), wait_until="load"):
            tab.page.locator("button[type=submit]").click()
        # The Strict session cookie came with the page the console opened after the callback.
        assert tab.heading() == "Workers"
        assert "Signed in as Lena Lead" in tab.page.locator(".rhi-signed-in").inner_text()
    finally:
        context.close()
    with console.central.db.transaction() as s:
        lead = s.scalars(select(StaffUser).where(StaffUser.email == "lead@test.example")).one()
        assert lead.oidc_subject == "lead@test.example" and lead.oidc_issuer
    signed_in = [d for a, _, d in console.audit_actions() if a == "console.sign_in"]
    assert signed_in[-1] == {"method": "oidc"}


def test_the_code_flow_uses_pkce_and_someone_without_an_account_is_refused(
    sso: tuple[ConsoleServer, Provider],
) -> None:
    console, provider = sso
    client = StaffClient(console.url)
    start = client.get("/console/sign-in/sso", follow_redirects=False)
    assert start.status_code == 303
    query = parse_qs(urlsplit(start.headers["location"]).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]
    assert query["client_id"] == [CLIENT_ID] and query["state"] and query["nonce"]
    # One cookie store for the provider and the console, as in one browser.
    interaction = client.get(start.headers["location"], follow_redirects=True)
    callback = _provider_login(client, interaction, "stranger@council.example")
    # The console refused: no account for that address (nobody gets one by signing in).
    assert urlsplit(str(callback.url)).path == "/console/sign-in/sso/callback"
    assert callback.status_code == 401
    assert "has no access to this console" in callback.text
    reasons = [d for a, _, d in console.audit_actions() if a == "console.sign_in_refused"]
    assert reasons[-1]["method"] == "oidc" and reasons[-1]["email"] == "stranger@council.example"


def test_a_callback_with_a_forged_state_is_refused(sso: tuple[ConsoleServer, Provider]) -> None:
    console, _provider = sso
    client = StaffClient(console.url)
    client.get("/console/sign-in/sso", follow_redirects=False)  # a real pending sign-on
    r = client.get("/console/sign-in/sso/callback?code=made-up&state=forged")
    assert r.status_code == 401
    assert "This sign-in link is out of date: start again." in r.text
    # Used once: the same browser cannot retry the pending sign-on.
    r = client.get("/console/sign-in/sso/callback?code=made-up&state=forged")
    assert "took too long or was started in another browser" in r.text


def test_without_single_sign_on_set_up_there_is_no_button(console: ConsoleServer) -> None:
    page = StaffClient(console.url).get("/console/sign-in")
    assert "council account" not in page.text
    assert StaffClient(console.url).get("/console/sign-in/sso").status_code == 404
