"""Page objects for the browser tests: what a member of staff does, in their words, and the
accessibility check every page must pass (axe-core, WCAG 2.2 A and AA)."""

from __future__ import annotations

from typing import Any

from console.kit import PASSWORD, Person

# axe-core's tags for WCAG 2.0, 2.1 and 2.2 at levels A and AA.
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def violations(page: Any, axe_js: str) -> list[dict[str, Any]]:
    page.add_script_tag(path=axe_js)
    result = page.evaluate("tags => axe.run(document, {runOnly: tags})", WCAG_22_AA)
    return [
        {
            "id": v["id"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"][:5]],
        }
        for v in result["violations"]
    ]


class Console:
    """The console in one browser tab, as a member of staff uses it."""

    def __init__(self, page: Any, base_url: str, axe_js: str) -> None:
        self.page = page
        self.base = base_url
        self.axe_js = axe_js
        self.errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def open(self, path: str) -> Any:
        self.errors.clear()
        return self.page.goto(self.base + path)

    def check_accessible(self) -> None:
        found = violations(self.page, self.axe_js)
        assert found == [], (self.page.url, found)
        # A refusal page (4xx) is itself reported by Chromium as a failed load: that one is meant.
        errors = [
            e
            for e in self.errors
            if not e.startswith("Failed to load resource: the server responded with a status of 4")
        ]
        assert errors == [], (self.page.url, errors)

    def go(self, locator: Any) -> None:
        """Click something that loads a new page, and wait until that page has loaded."""
        self.errors.clear()
        with self.page.expect_navigation(wait_until="load"):
            locator.click()

    def press(self, button: str) -> None:
        self.go(self.page.get_by_role("button", name=button))

    def follow(self, link: str) -> None:
        self.go(self.page.get_by_role("link", name=link))

    def text(self) -> str:
        return str(self.page.locator("main").inner_text())

    def sign_in(self, person: Person, password: str = PASSWORD) -> None:
        self.open("/console/sign-in")
        self.page.get_by_label("E-mail address").fill(person.email)
        self.page.get_by_label("Password", exact=True).fill(password)
        self.press("Sign in")

    def heading(self) -> str:
        return str(self.page.locator("h1").first.inner_text())
