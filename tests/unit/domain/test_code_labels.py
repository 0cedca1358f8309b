"""Code labels: each list keeps its own words, even where two lists share a code."""

from __future__ import annotations

from rhi_core.domain.codes import (
    DeclineReason,
    EscalationDecision,
    LateReason,
    SessionPresent,
    Sex,
    SignatureRole,
)


def test_lists_that_share_a_code_keep_their_own_labels() -> None:
    # "missing_again" and "other" are codes in several lists; as strings they are equal.
    assert DeclineReason.MISSING_AGAIN.label == "Missing again before the interview"
    assert LateReason.MISSING_AGAIN.label == "Child missing again"
    assert SessionPresent.OTHER.label == "Someone else"
    assert Sex.OTHER.label == "Other"  # was "Someone else" on the console's sex question
    assert SignatureRole.CARER.label == "Parent or carer"


def test_every_choice_has_a_label() -> None:
    for value, label in EscalationDecision.choices():
        assert label and label != value
