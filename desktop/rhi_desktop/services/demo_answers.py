"""Plausible, synthetic answers to rhi-v1 for demo interviews (drafts part-filled, completed
ones whole), so the demo shows the interview screen as a worker would find it."""

from __future__ import annotations

import random
from typing import Any

from rhi_core.forms.schema import FormDefinition

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


_PUSH_DETAILS = [
    "Rows at home most nights, mostly about my phone and coming in late.",
    "I don't get on with the staff at the placement and I feel like nobody listens.",
    "Since I got excluded I've got nothing to do all day.",
]
_PULL_DETAILS = [
    "My mates were all going and I didn't want to be left out.",
    "An older lad said I could stay at his and he'd sort me out with food and stuff.",
    "I wanted to see my mum, I'm not allowed to on my own.",
]
_WHAT_DID = [
    "Hung around, watched films, went to the shop.",
    "Mostly just stayed in at the flat and played on the Xbox.",
    "Went round different people's houses and to a party.",
]
_REACTION = [
    "Carer was worried but calm; they talked the next morning.",
    "Mum shouted at first, then cried. Things are a bit better now.",
    "Staff were relieved; the young person felt they were being watched more.",
]
_EXPLOITATION_ANALYSIS = {
    "cce": "Pattern fits criminal exploitation: travel out of area with older males, new "
    "phone and money on return. Discussed with the police missing and exploitation team.",
    "cse": "Older 'boyfriend' offering gifts and lifts; online contact with adults. Concerns "
    "for sexual exploitation shared with the social worker.",
    "": "No exploitation indicators found at this interview; keep under review.",
}
_PEOPLE = [
    ("Kai", 17, "Friend from school"),
    ("'Tee'", 19, "Met through friends"),
    ("Jade", 16, "Friend from the estate"),
    ("Unknown man, 'Big D'", 28, "Met at a party"),
]
_PLACES = [
    ("Friend's flat", "house_flat", "Station Road", "Croydon"),
    ("Shopping centre", "shop_takeaway", "High Street", "Northshire"),
    ("Park by the canal", "park_street", "Canal Walk", "Northshire"),
    ("Budget hotel", "hotel", "Ring Road", "Leeds"),
]


_NAMES: dict[tuple[str, str], frozenset[str]] = {}


def _answer_names(form: FormDefinition) -> frozenset[str]:
    """Questions and repeat groups (a repeat's answer is the list of its entries); cached, as
    a demo asks for them once per interview."""
    key = (form.id, form.version)
    if key not in _NAMES:
        _NAMES[key] = frozenset(item.name for item, _ in form.walk())
    return _NAMES[key]


def demo_answers(
    form: FormDefinition, rng: random.Random, complete: bool, flags: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Answers for one interview; ``flags`` (risk flag codes recorded on the interview) make the
    exploitation indicators and push/pull factors agree with them, so the record reads true."""
    known = _answer_names(form)
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
            }
        )
        a.update(_complete_extras(rng, a, set(flags)))
    return {k: v for k, v in a.items() if k in known}


def _complete_extras(rng: random.Random, a: dict[str, Any], flags: set[str]) -> dict[str, Any]:
    """The rest of a completed interview: factors, safety, exploitation, places and people."""
    cce, cse = "cce" in flags, "cse" in flags
    push = rng.sample(["family_conflict", "school_problems", "placement_unhappy", "lonely"], 2)
    pull = rng.sample(["see_friends", "parties", "see_family", "boyfriend_girlfriend"], 1)
    if cse:
        pull += ["gifts_money", "online_contact"]
    if cce:
        pull.append("place_to_stay")
    e: dict[str, Any] = {
        "how_back": rng.choice(["came_back_myself", "police_found", "family_carer_collected"]),
        "not_told_police": "no",
        "contacted_before": "no",
        "reaction_back": rng.choice(_REACTION),
        # An adult's place is a grooming indicator (a flag): only where the record has one.
        "slept_where": rng.sample(
            ["friends_home", "family_home", *(["adult_home"] if cce or cse else [])], 1
        ),
        "money_food": ["did_jobs"] if cce else rng.sample(["own_money", "friends_shared"], 1),
        "what_did": rng.choice(_WHAT_DID),
        "asked_to_do_things": "yes" if cce else "no",
        "push_reasons": push,
        "push_details": rng.choice(_PUSH_DETAILS),
        "safe_where_live": "yes",
        "pull_reasons": pull,
        "pull_details": rng.choice(_PULL_DETAILS),
        "injured_now": "no",
        "health_needs": "no",
        "sexual_contact": "no",
        "sexual_health_help": rng.choice(["no", "yes"]),
        "episodes_30_days": rng.randint(1, 2),
        "exploitation_analysis": _EXPLOITATION_ANALYSIS["cce" if cce else "cse" if cse else ""],
    }
    if e["how_back"] == "police_found":
        e["found_where"] = rng.choice(["Outside the station", "At a friend's flat", "In town"])
    if cce:
        e["asked_details"] = "Was asked to take a bag to an address and was given £50."
    if a.get("used_substances") == "yes":
        e["substances"] = rng.sample(["alcohol", "cannabis", "nitrous_oxide"], 1)
        e["given_substances"] = rng.choice(["yes", "no"]) if cce or cse else "no"
    if "place_to_stay" in pull or "gifts_money" in pull:
        e["gifts_from"] = "An older man they call 'Big D'"
    indicators = {
        "cse_older_partner": cse,
        "cse_gifts": cse,
        "cse_parties": cse and rng.random() < 0.5,
        "cse_online_adults": cse,
        "cce_out_of_area": cce,
        "cce_money_items": cce,
        "cce_several_phones": cce and rng.random() < 0.5,
        "cce_injuries": False,
        "cce_keys": False,
        "cce_carrying_drugs": False,
        "cce_cars_adults": cce and rng.random() < 0.5,
        "cce_recruiting": False,
        "trafficking": "trafficking" in flags,
        "forced_marriage": False,
        "fgm": False,
        "radicalisation": False,
    }
    e.update({k: "yes" if v else "no" for k, v in indicators.items()})
    places = rng.sample(_PLACES, rng.randint(1, 2))
    e["places"] = [
        {"place_name": n, "place_type": t, "place_address": s, "place_town": town}
        for n, t, s, town in places
    ]
    people = rng.sample(_PEOPLE, rng.randint(1, 2))
    e["people"] = [
        {
            "person_name": name,
            "person_age": age,
            "person_relationship": how,
            "person_concern": "yes" if age >= 18 and (cce or cse) else "no",
        }
        for name, age, how in people
    ]
    if cce and rng.random() < 0.6:
        e["vehicles"] = [
            {
                "vehicle_description": rng.choice(["Grey Audi A3", "Black BMW 1 Series"]),
                "vehicle_registration": "partial: ends in 'XKD'",
                "vehicle_driver": "'Big D'",
            }
        ]
    return e
