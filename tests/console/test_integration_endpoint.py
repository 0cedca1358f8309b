"""POST /api/v1/integration/episodes: a case system pushes episodes with its own revocable
token; the same rules as an import, all or nothing, and the same push twice changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from console.kit import ConsoleServer, episode_count

from rhi_central.integration import tokens

NOW = datetime.now(UTC).replace(microsecond=0)
URL = "/api/v1/integration/episodes"


def _token(console: ConsoleServer, name: str = "Mosaic nightly") -> tuple[str, str]:
    with console.central.db.transaction() as s:
        token, row = tokens.create(s, name, actor="test", now=NOW)
        return token, row.id


def _episode(case: str, ref: str, hours_ago: int, **extra: object) -> dict[str, object]:
    return {
        "case_number": case,
        "first_name": "Pia",
        "last_name": "Push",
        "date_of_birth": "2011-04-04",
        "police_reference": ref,
        "category": "M",
        "risk_grade": "medium",
        "started_at": (NOW - timedelta(hours=hours_ago)).isoformat(),
        "looked_after": True,
        **extra,
    }


def test_pushed_episodes_are_applied_once_and_a_bad_push_changes_nothing(
    fresh: ConsoleServer,
) -> None:
    token, _ = _token(fresh)
    auth = {"Authorization": f"Bearer {token}"}
    body = {"episodes": [_episode("P001", "INT-1", 30), _episode("P002", "INT-2", 10)]}
    with httpx.Client(base_url=fresh.url, timeout=30) as http:
        first = http.post(URL, json=body, headers=auth)
        assert first.status_code == 200, first.text
        assert first.json()["episodes_created"] == 2
        again = http.post(URL, json=body, headers=auth)
        assert again.json()["unchanged"] == 2 and again.json()["episodes_created"] == 0
        bad = http.post(
            URL,
            json={"episodes": [_episode("P003", "INT-3", 5), _episode("P004", "INT-4", -30)]},
            headers=auth,
        )
        assert bad.status_code == 422
        assert bad.json()["problems"] == [
            {"item": 2, "field": "started_at", "message": "The start cannot be in the future"}
        ]
        unknown = http.post(URL, json={"episodes": [{"case_no": "P5"}]}, headers=auth)
        assert unknown.status_code == 422 and "'case_no' is not a field" in unknown.json()["detail"]
    assert episode_count(fresh.central) == 2
    actors = {actor for a, actor, _ in fresh.audit_actions() if a.startswith("episodes.import")}
    assert actors == {"integration:Mosaic nightly"}


def test_only_a_live_integration_token_opens_the_endpoint(fresh: ConsoleServer) -> None:
    token, token_id = _token(fresh)
    lead = fresh.client("missing-lead")
    body = {"episodes": [_episode("P010", "INT-10", 3)]}
    with httpx.Client(base_url=fresh.url, timeout=30) as http:
        assert http.post(URL, json=body).status_code == 401
        assert (
            http.post(URL, json=body, headers={"Authorization": "Bearer nope"}).status_code == 401
        )
        # A console session is not an integration token either.
        assert lead.post(URL, json=body).status_code == 401
        with fresh.central.db.transaction() as s:
            tokens.revoke(s, token_id, actor="test", now=NOW)
        revoked = http.post(URL, json=body, headers={"Authorization": f"Bearer {token}"})
        assert revoked.status_code == 401
    assert episode_count(fresh.central) == 0


def test_an_administrator_makes_and_revokes_a_token_in_the_console(fresh: ConsoleServer) -> None:
    admin = fresh.client("admin")
    page = admin.form("/console/integrations", {"name": "Police feed"})
    assert page.status_code == 200 and "it is not shown again" in page.text
    token = page.text.split('<code id="new-token">')[1].split("</code>")[0]
    with httpx.Client(base_url=fresh.url, timeout=30) as http:
        ok = http.post(URL, json={"episodes": []}, headers={"Authorization": f"Bearer {token}"})
        assert ok.status_code == 200
        listing = admin.get("/console/integrations").text
        assert token not in listing  # shown once
        token_id = listing.split("/console/integrations/")[1].split("/revoke")[0]
        assert admin.form(f"/console/integrations/{token_id}/revoke").status_code == 303
        gone = http.post(URL, json={"episodes": []}, headers={"Authorization": f"Bearer {token}"})
        assert gone.status_code == 401
