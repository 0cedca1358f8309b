"""The passphrase strength check: what it refuses, what it accepts, and what it says."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rhi_desktop.security.passphrase import (
    COMMON_PASSWORDS,
    MSG_COMMON,
    MSG_PATTERN,
    MSG_PERSONAL,
    MSG_SHORT,
    StrengthVerdict,
    check_strength,
)

INPUTS = ("Jane Smith", "3f0c8a52-6d1e-4c1b-9a4e-2b7f5d9c0e11")


@pytest.mark.parametrize(
    "passphrase",
    [
        "correct horse battery staple",
        "lantern quietly orbits pickle",
        "ceiling-lamp-river-oboe",
        "jane likes purple volcano tea",  # contains the name, but plenty besides
        "Tr0ub4dor&3x!",
        "blue fish under stars",
        "Zq8!mL2#pR7v",
        "straße fußgänger ölkanne",
    ],
)
def test_accepts_reasonable_passphrases(passphrase):
    verdict = check_strength(passphrase, user_inputs=INPUTS)
    assert verdict.ok, verdict.message
    assert 2 <= verdict.score <= 4


@pytest.mark.parametrize(
    ("passphrase", "message"),
    [
        ("demo", MSG_SHORT),
        ("short1!", MSG_SHORT),
        ("elevenchars", MSG_SHORT),
        ("password", MSG_SHORT),
        ("password1234", MSG_COMMON),
        ("Password123!", MSG_COMMON),
        ("P@ssw0rd2024", MSG_COMMON),
        ("passwordpassword", MSG_COMMON),
        ("iloveyou!!!!", MSG_COMMON),
        ("Sunshine!!2023", MSG_COMMON),
        ("qwertyuiop12", MSG_COMMON),
        ("JaneSmith2024!", MSG_PERSONAL),
        ("Jane Smith 1985", MSG_PERSONAL),
        ("3f0c8a52-6d1e-4c1b", MSG_PERSONAL),
        ("aaaaaaaaaaaa", MSG_PATTERN),
        ("aaaaaaaaaaab", MSG_PATTERN),
        ("abcdefghijklmnop", MSG_PATTERN),
        ("123456789012", MSG_PATTERN),
        ("987654321098", MSG_PATTERN),
        ("abcabcabcabc", MSG_PATTERN),
        ("xyzxyzxyzxyz!", MSG_PATTERN),
        ("lkjhgfdsa;'#!", MSG_PATTERN),
    ],
)
def test_refuses_weak_passphrases_with_the_right_advice(passphrase, message):
    verdict = check_strength(passphrase, user_inputs=INPUTS)
    assert not verdict.ok
    assert verdict.message == message
    assert verdict.score <= 1


def test_empty_passphrase():
    for value in ("", "   "):
        verdict = check_strength(value)
        assert verdict == StrengthVerdict(False, 0, verdict.message)
        assert verdict.message.startswith("Enter a passphrase")


def test_message_is_one_friendly_sentence_with_the_advice():
    assert MSG_SHORT == "Use at least 12 characters — three or four unrelated words work well."
    for message in (MSG_SHORT, MSG_COMMON, MSG_PERSONAL, MSG_PATTERN):
        assert message.endswith(".") and message.count(". ") == 0
        assert "three or four unrelated words" in message


def test_four_words_score_higher_than_twelve_characters():
    assert check_strength("Zq8!mL2#pR7v").score < check_strength("ceiling lamp river oboe").score


def test_embedded_list_has_the_top_passwords():
    assert len(COMMON_PASSWORDS) >= 200
    assert {"123456", "password", "qwerty", "iloveyou", "letmein"} <= COMMON_PASSWORDS


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40), st.lists(st.text(max_size=20), max_size=3))
def test_never_crashes_and_always_answers(passphrase, inputs):
    verdict = check_strength(passphrase, user_inputs=inputs)
    assert 0 <= verdict.score <= 4
    assert verdict.message
    if verdict.ok:
        assert len(passphrase) >= 12 or len(passphrase.split()) >= 4
