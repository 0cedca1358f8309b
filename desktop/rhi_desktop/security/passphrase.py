"""A small, explainable passphrase strength check (no extra dependency).

The passphrase is one of two secrets protecting the data key (the device secret in the keychain is
the other), and Argon2id makes each guess cost ~0.1 s, so the aim is to stop the guesses an
attacker tries first: short strings, the most common passwords, the worker's own name, keyboard
walks and repeats. Long passphrases made of several words are encouraged, not forced symbols.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

MIN_LENGTH = 12
MIN_WORDS = 4
MIN_WORD_LETTERS = 3
# After removing the parts an attacker guesses first (names, runs, walks), at least this many
# characters must remain.
MIN_UNPREDICTABLE = 8

ADVICE = "three or four unrelated words work well"
MSG_EMPTY = f"Enter a passphrase — {ADVICE}."
MSG_SHORT = f"Use at least 12 characters — {ADVICE}."
MSG_COMMON = f"That is one of the most common passwords, so it is guessed first — {ADVICE}."
MSG_PERSONAL = f"Avoid your name or profile details in the passphrase — {ADVICE}."
MSG_PATTERN = f"Avoid repeated or sequential characters such as 'aaaa' or '1234' — {ADVICE}."
MSG_OK = "That passphrase looks good."
MSG_GREAT = "That passphrase looks strong."

# The most common passwords of public breach lists (lower case). Variants with a number or
# symbol tacked on ("Password1!") are caught by stripping those before comparing.
_COMMON_TEXT = """
    123456 password 12345678 qwerty 123456789 12345 1234 111111 1234567 dragon 123123 baseball
    abc123 football monkey letmein 696969 shadow master 666666 qwertyuiop 123321 mustang
    1234567890 michael 654321 superman 1qaz2wsx 7777777 121212 000000 qazwsx 123qwe killer
    trustno1 jordan jennifer zxcvbnm asdfgh hunter buster soccer harley batman andrew tigger
    sunshine iloveyou 2000 charlie robert thomas hockey ranger daniel starwars klaster 112233
    george computer michelle jessica pepper 1111 zxcvbn 555555 11111111 131313 freedom 777777
    pass maggie 159753 aaaaaa ginger princess joshua cheese amanda summer love ashley nicole
    chelsea biteme matthew access yankees 987654321 dallas austin thunder taylor matrix
    mobilemail mom monitor monitoring montana moon moscow welcome welcome1 admin administrator
    passw0rd password1 password123 qwerty123 qwerty1 1q2w3e4r 1q2w3e4r5t 1q2w3e 123abc
    abcdef abcd1234 a1b2c3 changeme secret letmein1 login hello hello123 whatever
    football1 baseball1 iloveyou1 princess1 sunshine1 monkey1 dragon1 master1 shadow1
    samsung apple google facebook linkedin myspace zaq12wsx qwe123 asdf asdfghjkl
    asdfasdf 1qazxsw2 q1w2e3r4 q1w2e3r4t5 987654 123654 147258369 789456123 147258 159357
    11111 1212 101010 202020 123123123 qwertyu qwertz azerty lovely loveme flower
    angel angel1 babygirl baby butterfly purple jesus liverpool arsenal chelsea1 manchester
    london england scotland wales ireland council social socialworker children family
    starwars1 pokemon minecraft fortnite naruto blink182 cookie banana orange chocolate
    dolphin tiger lion internet service default guest test test123 testing demo demo123
    hannah jasmine jessica1 michael1 daniel1 ashley1 charlie1 oliver jack harry william
    summer1 winter spring autumn january february march april september october november
    december monday friday passport temp temp123 rhi rhidesktop returnhome interview
"""
COMMON_PASSWORDS = frozenset(_COMMON_TEXT.split())

_KEYBOARD_ROWS = (
    "abcdefghijklmnopqrstuvwxyz",
    "01234567890",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "qwertzuiop",
    "azertyuiop",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
)
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
)


@dataclass(frozen=True)
class StrengthVerdict:
    ok: bool
    score: int  # 0 (useless) … 4 (strong)
    message: str  # one friendly sentence: what to do, or that it is fine


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[\W_]+", text) if sum(c.isalpha() for c in w) >= MIN_WORD_LETTERS]


def _shortest_unit(text: str) -> str:
    """'abcabcabc' -> 'abc': a repeated block is no stronger than the block."""
    n = len(text)
    for size in range(1, n // 2 + 1):
        if n % size == 0 and text[:size] * (n // size) == text:
            return text[:size]
    return text


def _is_common(text: str) -> bool:
    lowered = text.lower()
    candidates: set[str] = set()
    for base in (lowered, re.sub(r"[\W_]+", "", lowered)):  # "pass word" -> "password"
        # Strip a tacked-on number/symbol ("Password123!") before and after undoing leetspeak.
        core = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", base)
        candidates.update({base, core, base.translate(_LEET), core.translate(_LEET)})
    return any(c in COMMON_PASSWORDS for c in candidates if c)


def _pattern_mask(text: str) -> list[bool]:
    """Mark characters that sit in runs ('aaa') or walks ('1234', 'qwer', 'dcba')."""
    lowered = text.lower()
    n = len(lowered)
    mask = [False] * n
    i = 0
    while i < n:  # runs of the same character, three or more
        j = i
        while j + 1 < n and lowered[j + 1] == lowered[i]:
            j += 1
        if j - i + 1 >= 3:
            mask[i : j + 1] = [True] * (j - i + 1)
        i = j + 1
    for row in _KEYBOARD_ROWS:  # walks of four or more along the alphabet, digits or a keyboard
        for seq in (row, row[::-1]):
            for start in range(n - 3):
                length = 0
                while start + length < n and lowered[start : start + length + 1] in seq:
                    length += 1
                if length >= 4:
                    mask[start : start + length] = [True] * length
    return mask


def _remove_personal(text: str, user_inputs: Sequence[str]) -> tuple[str, bool]:
    """Strip the worker's name and profile details out; report whether any were present."""
    lowered = text.lower()
    found = False
    tokens: set[str] = set()
    for value in user_inputs:
        value = _normalise(value or "").lower().strip()
        if not value:
            continue
        tokens.add(re.sub(r"[\W_]+", "", value))
        tokens.update(w for w in re.split(r"[\W_]+", value) if len(w) >= 3)
    for token in sorted(tokens, key=len, reverse=True):
        if token and len(token) >= 3 and token in lowered:
            found = True
            lowered = lowered.replace(token, "")
    return lowered, found


def check_strength(passphrase: str, *, user_inputs: Sequence[str] = ()) -> StrengthVerdict:
    """Judge a new passphrase; `user_inputs` are the worker's name, profile id and the like."""
    text = _normalise(passphrase)
    if not text.strip():
        return StrengthVerdict(False, 0, MSG_EMPTY)
    words = _words(text)
    if len(text) < MIN_LENGTH and len(words) < MIN_WORDS:
        return StrengthVerdict(False, 0 if len(text) < 8 else 1, MSG_SHORT)

    unit = _shortest_unit(text)
    if _is_common(text) or _is_common(unit):
        return StrengthVerdict(False, 0, MSG_COMMON)

    remaining, personal = _remove_personal(unit, user_inputs)
    if personal and len(re.sub(r"[\W_\d]+", "", remaining)) < MIN_UNPREDICTABLE:
        return StrengthVerdict(False, 1, MSG_PERSONAL)

    mask = _pattern_mask(unit)
    unpredictable = len(unit) - sum(mask)
    if len(unit) < len(text) or unpredictable < MIN_UNPREDICTABLE or len(set(text.lower())) < 5:
        return StrengthVerdict(False, 1, MSG_PATTERN)

    # Accepted: grade it for the strength meter. Length and word count matter most.
    score = 2
    if len(text) >= 16 or len(words) >= MIN_WORDS:
        score = 3
    if len(text) >= 20 and (len(words) >= MIN_WORDS or _classes(text) >= 3):
        score = 4
    return StrengthVerdict(True, score, MSG_GREAT if score == 4 else MSG_OK)


def _classes(text: str) -> int:
    return sum(
        (
            any(c.islower() for c in text),
            any(c.isupper() for c in text),
            any(c.isdigit() for c in text),
            any(not c.isalnum() for c in text),
        )
    )
