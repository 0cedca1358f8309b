"""rhi-v1's risk flags follow the whole story, and say what raised them (issue 12 item 5)."""

from __future__ import annotations

import pytest

from rhi_core.domain.referrals import flag_responses, suggested_referrals
from rhi_core.forms.bundled import load_builtin
from rhi_core.forms.risk import compute_risk_flags


@pytest.fixture(scope="module")
def form():  # noqa: ANN201
    return load_builtin("rhi-v1")


def codes(form, answers: dict) -> list[str]:  # noqa: ANN001
    return [f.code for f in compute_risk_flags(form, answers)]


@pytest.mark.parametrize(
    ("answers", "flag"),
    [
        ({"push_reasons": ["abuse_neglect"]}, "child_protection"),
        ({"push_reasons": ["domestic_abuse"]}, "child_protection"),
        ({"safe_where_live": "no"}, "child_protection"),
        ({"contacted_before": "yes", "contacted_how": ["social_media"]}, "cse"),
        ({"money_food": ["adult_gave"]}, "adults_grooming"),
        ({"slept_where": ["adult_home"]}, "adults_grooming"),
        ({"travel": ["car_someone_drove"], "who_with": ["adults_unknown"]}, "cce"),
    ],
)
def test_the_childs_own_answers_raise_flags(form, answers: dict, flag: str) -> None:  # noqa: ANN001
    assert flag in codes(form, answers)


def test_ordinary_answers_raise_nothing(form) -> None:  # noqa: ANN001
    assert codes(form, {"push_reasons": ["family_conflict"], "safe_where_live": "yes"}) == []
    # Contacted by a friend's text message, not by someone online: not by itself a CSE sign.
    assert codes(form, {"contacted_before": "yes", "contacted_how": ["text_message"]}) == []


def test_a_flag_says_what_raised_it_in_the_workers_words(form) -> None:  # noqa: ANN001
    flags = compute_risk_flags(
        form,
        {"contacted_before": "yes", "contacted_how": ["social_media"], "safe_where_live": "no"},
    )
    by_code = {f.code: f for f in flags}
    assert by_code["child_protection"].reasons == ("Do they feel safe where they live: No",)
    assert by_code["cse"].reasons == (
        "Had anyone asked them to come out or meet up: Yes and How were they contacted: "
        "Social media (Snapchat, Instagram, TikTok...)",
    )


def test_a_flag_that_asks_for_a_referral_is_answered_by_one_or_a_reason() -> None:
    assert "strategy_meeting" in suggested_referrals("child_protection")
    assert suggested_referrals("sleeping_rough") == ()
    [open_] = flag_responses(["child_protection", "sleeping_rough"], [], {})
    assert not open_.answered
    [made] = flag_responses(["child_protection"], ["social_care", "camhs"], {})
    assert made.answered and made.made == ("social_care",)
    [reason] = flag_responses(["child_protection"], ["camhs"], {"child_protection": " known "})
    assert reason.answered and reason.reason_not == "known"
    [blank] = flag_responses(["child_protection"], [], {"child_protection": "   "})
    assert not blank.answered


def test_worker_only_indicators_offer_not_known(form) -> None:  # noqa: ANN001
    from rhi_core.forms.labels import choice_label

    for name in ("cse_older_partner", "cce_keys", "trafficking", "person_concern"):
        q = form.item(name)
        labels = [choice_label(c, form) for c in form.choices[q.choices]]
        assert labels == ["Yes", "No", "Not known"], name
