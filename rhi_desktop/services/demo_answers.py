"""Plausible, synthetic answers to rhi-v1 for demo interviews (drafts part-filled, completed
ones whole), so the demo shows the interview screen as a worker would find it."""

from __future__ import annotations

import random
from typing import Any

from rhi_desktop.forms.schema import FormDefinition

_GOING_ON = [
    "Arguments at home about coming in late and about my phone.",
    "Things have been bad at the placement, the other young people wind me up.",
    "I got excluded from school last week and didn't want to be at home.",
    "Mum and her partner were fighting again and I just wanted to get out.",
    "My friends were going to a party and I didn't want to miss it.",
]
_WHERE = [
    "Stayed at a friend's flat near the station, then went to the park.",
    "Went to my cousin's in another town on the train.",
    "Was around the shopping centre and then at an older friend's place.",
    "Went to a party at a house I didn't know, then slept at a friend's.",
]
_HELP = [
    "Someone to talk to when things kick off at home.",
    "Being able to see my friends without everyone shouting about it.",
    "Help with school so I'm not just sitting at home.",
    "Knowing I can ring someone at night.",
]
_STOP = [
    "If I could call my key worker instead of just going.",
    "If home was calmer. Maybe family meetings.",
    "Having something to do in the evenings.",
]
_OWN = [
    "I wasn't trying to scare anyone, I just needed space.",
    "I know it was risky. I felt safer with my mates than at home.",
    "I don't want to talk about everything but I'm OK now.",
]


def demo_answers(form: FormDefinition, rng: random.Random, complete: bool) -> dict[str, Any]:
    known = {q.name for q in form.questions()}
    a: dict[str, Any] = {
        "confidentiality_explained": "yes",
        "feeling_before": rng.randint(1, 3),
        "what_was_going_on": rng.choice(_GOING_ON),
        "planned": rng.choice(["planned", "spur_of_moment", "not_sure"]),
        "left_with_someone": rng.choice(["yes", "no"]),
        "where_went": rng.choice(_WHERE),
        "nights_away": rng.randint(0, 4),
        "out_of_area": rng.choice(["yes", "no", "no"]),
        "travel": rng.sample(["walked", "bus", "train", "car_someone_drove"], 2),
        "who_with": rng.sample(["friends", "boyfriend_girlfriend", "adults_known"], 1),
        "had_phone": "yes",
    }
    if a["left_with_someone"] == "yes":
        a["left_with_who"] = rng.choice(
            ["A friend from school", "My girlfriend", "Older lads from the estate"]
        )
    if complete:
        a.update(
            {
                "feeling_now": rng.randint(2, 5),
                "talked_to_police": "yes",
                "hurt": rng.choice(["no", "no", "prefer_not_to_say"]),
                "threatened": "no",
                "afraid_of_anyone": "no",
                "used_substances": rng.choice(["no", "yes"]),
                "feel_safe_now": rng.randint(3, 5),
                "own_words_text": rng.choice(_OWN),
                "what_would_help": rng.choice(_HELP),
                "stop_going_missing": rng.choice(_STOP),
                "trusted_adult": rng.choice(["My aunt", "My key worker", "My football coach"]),
                "helpline_given": "yes",
                "places": [
                    {"place_name": "Friend's flat", "place_town": "Croydon"},
                ],
            }
        )
    return {k: v for k, v in a.items() if k in known}
