"""Every console page in a real headless Chromium: axe-core finds no WCAG 2.2 A/AA violation,
no script error, and the page works without JavaScript too.

The list of pages comes from the routes themselves (``console_routes``), so a new page cannot be
left out: each GET route is opened as a role that may see it, with the sample ids of ``world``.
Error states (a form with problems, a refusal, page not found) are checked the same way.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from console.browser import Console
from console.kit import BY_KEY, ConsoleServer, Person, put_child

from rhi_central.console.guard import Guard
from rhi_central.console.routes import console_routes
from rhi_central.models import EpisodeImport
from rhi_central.staff.roles import Role, can
from rhi_central.timeutil import new_id

# Who opens each page: the first of these roles that may.
ORDER = ("missing-lead", "admin", "performance")


def _import_id(console: ConsoleServer) -> str:
    with console.central.db.transaction() as s:
        row = EpisodeImport(
            id=new_id(),
            created_by="staff:lead@test.example",
            created_at=datetime.now(UTC),
            file_name="police-export.csv",
            file_sha256="0" * 64,
            state="applied",
            summary={"rows": 3, "children_created": 1, "episodes_created": 3},
        )
        s.add(row)
        return row.id


def _pages(console: ConsoleServer, world: dict[str, str]) -> dict[str, list[str]]:
    samples = {
        "child_id": world["own_child"],
        "episode_id": world["episode"],
        "task_id": world["task"],
        "import_id": _import_id(console),
        "user_id": "",
        "token_id": "",
        "rest": "no-such-page",
    }
    extra_query = {
        "/console/episodes/new/details": ["?case=W000001", "?case=NEW00001"],
        "/console/children": ["", "?q=W00"],
    }
    by_role: dict[str, list[str]] = {r: [] for r in ORDER}
    for path, route in console_routes():
        if "GET" not in route.methods or "{user_id}" in path or "{token_id}" in path:
            continue
        if path.endswith((".csv", ".pdf")):  # downloads, not pages (checked in test_daily_report)
            continue
        guard = next(d.call for d in route.dependant.dependencies if isinstance(d.call, Guard))
        role = next((r for r in ORDER if guard.public or can(Role(r), *guard.permissions)), None)
        assert role is not None, path
        url = re.sub(r"\{(\w+)(:path)?\}", lambda m: samples[m.group(1)], path)
        for query in extra_query.get(path, [""]):
            by_role[role].append(url + query)
    return by_role


def test_every_page_passes_axe_for_wcag_22_aa(
    tab: Console, console: ConsoleServer, world: dict[str, str]
) -> None:
    pages = _pages(console, world)
    assert sum(len(v) for v in pages.values()) >= 20
    for role, urls in pages.items():
        tab.page.context.clear_cookies()
        tab.sign_in(BY_KEY[role])
        for url in urls:
            response = tab.open(url)
            assert response is not None and response.status < 500, (
                url,
                response and response.status,
            )
            tab.check_accessible()
    # The user pages with an id, as an administrator.
    with console.central.db.transaction() as s:
        from sqlalchemy import select

        from rhi_central.models import StaffUser

        user_id = s.scalar(select(StaffUser.id).where(StaffUser.email == "perf@test.example"))
    tab.open(f"/console/users/{user_id}/disable")
    tab.check_accessible()


def test_refusals_and_forms_with_problems_pass_axe(
    tab: Console, console: ConsoleServer, world: dict[str, str]
) -> None:
    tab.open("/console/sign-in")
    tab.page.get_by_label("E-mail address").fill("lead@test.example")
    tab.page.get_by_label("Password", exact=True).fill("wrong password, twice")
    tab.press("Sign in")
    assert "There is a problem" in tab.text()
    tab.check_accessible()
    tab.sign_in(BY_KEY["missing-lead"])
    tab.open("/console/episodes/new/details?case=NEW00002")
    tab.press("Record the episode")
    assert tab.page.locator(".govuk-error-summary").is_visible()
    # The error summary's first link takes the keyboard to the field it is about.
    tab.page.locator(".govuk-error-summary__list a").first.click()
    assert tab.page.evaluate("document.activeElement.id") == "first_name"
    tab.check_accessible()
    tab.open(f"/console/tasks/{world['task']}")
    tab.press("Close the task")
    assert "Choose the decision that closes this task" in tab.text()
    tab.check_accessible()
    tab.open("/console/users")  # an administrator's page: 403 for the Missing Lead
    assert "You do not have access to this page" in tab.text()
    tab.check_accessible()


@pytest.fixture
def no_js(browser: object, console: ConsoleServer) -> object:
    context = browser.new_context(java_script_enabled=False)  # type: ignore[attr-defined]
    yield context
    context.close()


def test_the_console_works_without_javascript(
    no_js: object, console: ConsoleServer, world: dict[str, str]
) -> None:
    now = datetime.now(UTC)
    put_child(console.central, "00000000-0000-4000-8000-00000000b001", worker="Otto Other",
              case_number="W000101", started=now - timedelta(days=3), returned=now - timedelta(days=1),
              first_name="Casey", last_name="Nojs")  # fmt: skip
    page = no_js.new_page()  # type: ignore[attr-defined]
    tab = Console(page, console.url, "")
    person: Person = BY_KEY["missing-lead"]
    tab.sign_in(person)
    assert tab.heading() == "Line of sight"
    tab.open("/console/children?q=W000101")
    tab.follow("Casey Nojs")
    tab.follow("Reallocate Casey Nojs")
    page.get_by_label("Worker").select_option(label="Jane Smith")
    page.get_by_label("Why is the child moving?").fill("Otto is on leave for a month.")
    tab.press("Allocate")
    assert "The child is allocated" in tab.text()
    assert "moved from Otto Other to Jane Smith (Otto is on leave for a month.)" in tab.text()


def test_pages_run_their_scripts_under_the_content_security_policy(
    browser: object, console: ConsoleServer, world: dict[str, str]
) -> None:
    context = browser.new_context()  # type: ignore[attr-defined]  (the policy is enforced)
    try:
        tab = Console(context.new_page(), console.url, "")
        tab.sign_in(BY_KEY["missing-lead"])
        for path in ("/console/board", f"/console/tasks/{world['task']}", "/console/import"):
            tab.open(path)
            tab.page.wait_for_load_state("networkidle")
            assert tab.page.evaluate(
                "document.body.classList.contains('govuk-frontend-supported')"
            ), path
        # GOV.UK Frontend's module ran (initAll): the board's pause button is shown and works.
        tab.open("/console/board")
        tab.page.get_by_role("button", name="Pause updates").click()
        assert tab.page.get_by_role("button", name="Resume updates").is_visible()
        assert tab.errors == []  # no script blocked, no script error
    finally:
        context.close()
