"""What a record says in one page: the child, the episodes, offer and sessions, the risk flags
and what was done about them, the child's own words, the safety plan's key points, referrals,
the worker's analysis, and what was left unanswered.

The same summary is page 1 of the signed PDF and the read-back a worker confirms before the
record is locked, so what they confirm is what a Missing Lead reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from rhi_core.domain.codes import (
    DeclinedBy,
    DeclineReason,
    EpisodeCategory,
    LateReason,
    OfferMethod,
    OfferOutcome,
    ReferralKind,
    SessionPresent,
)
from rhi_core.domain.referrals import suggested_referrals
from rhi_core.forms.evaluate import Evaluation, evaluate
from rhi_core.forms.labels import text_in, visible_label
from rhi_core.forms.risk import RiskFlag, compute_risk_flags
from rhi_core.forms.schema import FormDefinition, Group, Question
from rhi_desktop.pdf import document as pdf

from .answer_text import answers_tree, choice_text, codes, empty, other_value
from .completion import get_interview, interview_form
from .forms_registry import get_form
from .record_view import RecordView, load_record

__all__ = ["CHILD_WORDS", "factors", "summarise", "summary_of", "unanswered"]

# Questions whose answers are the child's account in their own words (looked up by name, so a
# form without them simply has fewer; anything the child typed in young-person mode counts too).
CHILD_WORDS = ("own_words_text", "what_would_help", "stop_going_missing")
PUSH_SECTION = "push_factors"
PULL_SECTION = "pull_factors"

# Push and pull factors carried by answers outside the two tick lists: (question, value) ->
# (side, words). A form without these questions prints its tick lists only.
FACTOR_ANSWERS: Mapping[tuple[str, str], tuple[str, str]] = {
    ("safe_where_live", "no"): ("push", "Does not feel safe where they live"),
    ("feeling_before", "1"): ("push", "Things were really bad in the days before they went"),
    ("feeling_before", "2"): ("push", "Things were not good in the days before they went"),
    ("contacted_before", "yes"): ("pull", "Someone asked them to come out or meet up"),
    ("left_with_someone", "yes"): ("pull", "Left with someone, or someone collected them"),
    ("who_with", "boyfriend_girlfriend"): ("pull", "Being with a boyfriend or girlfriend"),
    ("who_with", "adults_unknown"): ("pull", "With adults they did not know"),
    ("slept_where", "adult_home"): ("pull", "Somewhere to stay at an adult's place"),
    ("slept_where", "partner_home"): ("pull", "Staying at a boyfriend's or girlfriend's place"),
    ("money_food", "adult_gave"): ("pull", "An adult gave them money or food"),
    ("cse_older_partner", "yes"): ("pull", "A much older boyfriend or girlfriend"),
    ("cse_online_adults", "yes"): ("pull", "Online contact with adults"),
    ("cse_gifts", "yes"): ("pull", "Gifts, money or phone credit from adults"),
    ("cse_parties", "yes"): ("pull", "Parties or houses where there are adults"),
}
# Free text that says more about the factors: printed after them, in quotation marks.
FACTOR_DETAILS = {"push": ("push_details", "unsafe_details"), "pull": ("pull_details",)}


def _when(value: datetime | None) -> str:
    return f"{value.astimezone():%d/%m/%Y %H:%M}" if value else ""


def _day(value: Any) -> str:
    return f"{value:%d/%m/%Y}" if value else ""


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summarise(
    session: Session, interview_id: str, revision: int | None = None, *, now: datetime
) -> pdf.RecordSummary:
    """The summary of one revision (default: the current one), read from the store."""
    record = load_record(session, interview_id, revision, now=now)
    if record.form_id and record.form_version:
        form: FormDefinition | None = get_form(record.form_id, record.form_version, session)
    elif record.path == "declined":
        form = None
    else:
        form = interview_form(session, get_interview(session, interview_id))
    moment = (record.completed_at or now).astimezone().replace(tzinfo=None)
    answers = answers_tree(record.answers)
    evaluation = evaluate(form, answers, now=moment) if form is not None else None
    flags = (
        compute_risk_flags(form, answers, now=moment, evaluation=evaluation)
        if form is not None
        else []
    )
    return summary_of(record, form, evaluation, flags, now=now)


def summary_of(
    record: RecordView,
    form: FormDefinition | None,
    evaluation: Evaluation | None,
    flags: Sequence[RiskFlag],
    *,
    now: datetime,
) -> pdf.RecordSummary:
    answers = answers_tree(record.answers)
    held = record.path != "declined"
    push: tuple[str, ...] = ()
    pull: tuple[str, ...] = ()
    words: tuple[pdf.ChildWords, ...] = ()
    gaps: tuple[pdf.UnansweredGroup, ...] = ()
    if form is not None and evaluation is not None and held:
        push, pull = factors(form, evaluation, answers)
        words = tuple(_child_words(form, evaluation, record.answer_authors))
        gaps = tuple(unanswered(form, evaluation))
    return pdf.RecordSummary(
        child=_child(record, now),
        facts=tuple(_facts(record)),
        flags=tuple(_flags(record, form, flags)) if held else (),
        child_words=words,
        plan=tuple(_plan(record)),
        referrals=tuple(
            " · ".join(p for p in (ReferralKind(r.kind).label, _day(r.made_on), r.note or "") if p)
            for r in record.referrals
        ),
        push=push,
        pull=pull,
        analysis=record.analysis or "",
        recommendations=record.recommendations or "",
        unanswered=gaps,
    )


# --- the parts --------------------------------------------------------------------------------


def _child(record: RecordView, now: datetime) -> str:
    c = record.child
    on = (record.held_at or record.completed_at or now).astimezone().date()
    age = on.year - c.dob.year - ((on.month, on.day) < (c.dob.month, c.dob.day))
    status = [
        s
        for s, on_ in (
            ("in care", c.looked_after),
            ("unaccompanied asylum-seeking", c.uasc),
            ("placed out of area", c.out_of_area),
        )
        if on_
    ]
    parts = [f"{c.first_name} {c.last_name}, {age}", c.local_id, *status]
    if c.social_worker:
        parts.append(f"social worker {c.social_worker}")
    return " · ".join(parts)


def _facts(record: RecordView) -> Iterable[tuple[str, str]]:
    episodes = []
    for e in record.episodes:
        kind = EpisodeCategory(e.category).label if e.category else "Episode"
        line = f"{kind} from {_when(e.started_at)}"
        if e.returned_at:
            hours = (e.returned_at - e.started_at).total_seconds() / 3600
            length = f"{hours:.0f} hours" if hours < 72 else f"{hours / 24:.0f} days"
            line += f", back {_when(e.returned_at)} ({length})"
        else:
            line += ", not back yet"
        if e.where_found:
            line += f"; {e.where_found}"
        episodes.append(line)
    yield "Episodes", "; ".join(episodes) or "None recorded"
    offers = []
    for o in record.offers:
        line = f"{_when(o.at)} by {OfferMethod(o.method).label.lower()}: "
        line += OfferOutcome(o.outcome).label.lower()
        if o.outcome == OfferOutcome.DECLINED:
            who = DeclinedBy(o.declined_by).label.lower() if o.declined_by else ""
            why = DeclineReason(o.decline_reason).label.lower() if o.decline_reason else ""
            line += " " + " — ".join(p for p in (f"by {who}" if who else "", why) if p)
        offers.append(line.strip())
    yield "Offer and consent", "; ".join(offers) or "No offer recorded"
    t = record.timeliness
    if record.path == "declined":
        within = t.offered_within_72h
        what = "Offered within 72 hours"
    else:
        within = t.held_within_72h
        what = "Held within 72 hours"
    answer = {True: "yes", False: "no", None: "not yet known"}[within]
    if within is False and record.late_reason:
        answer += f" — {LateReason(record.late_reason).label}"
        if record.late_note:
            answer += f" ({record.late_note})"
    yield what, answer
    sessions = []
    for s in record.sessions:
        bits = [_when(s.started_at)]
        if s.duration_minutes:
            bits.append(f"{s.duration_minutes} min")
        if s.place:
            bits.append(s.place)
        present = [SessionPresent(p).label.lower() for p in s.present]
        bits.append("with " + ", ".join(present) if present else "worker and child only")
        if s.time_alone is not None:
            bits.append("time alone: " + ("yes" if s.time_alone else "no"))
        sessions.append(", ".join(bits))
    if record.path != "declined":
        yield "Sessions", ("; ".join(sessions) if sessions else "None recorded")


def _flags(
    record: RecordView, form: FormDefinition | None, flags: Sequence[RiskFlag]
) -> Iterable[pdf.SummaryFlag]:
    made = {r.kind: r for r in record.referrals}
    seen: set[str] = set()
    for flag in flags:
        seen.add(flag.code)
        label = (text_in(flag.label, form, None) if form is not None else "") or flag.code
        if flag.error:
            yield pdf.SummaryFlag(f"{label} (could not be checked automatically)")
            continue
        yield pdf.SummaryFlag(label, flag.reasons, _action(flag.code, made, record))
    for code in record.risk_flags:  # recorded at completion but not raised by the answers now
        if code not in seen:
            yield pdf.SummaryFlag(
                code.replace("_", " ").capitalize(), (), _action(code, made, record)
            )


def _action(code: str, made: Mapping[str, Any], record: RecordView) -> str:
    suggested = suggested_referrals(code)
    done = [made[k] for k in suggested if k in made]
    if done:
        return "Referred: " + ", ".join(
            f"{ReferralKind(r.kind).label}" + (f" ({_day(r.made_on)})" if r.made_on else "")
            for r in done
        )
    reason = record.flag_decisions.get(code)
    if reason:
        return f"No referral: {reason}"
    if suggested:
        return "No referral recorded"
    return "No referral asked for"


def _plan(record: RecordView) -> Iterable[tuple[str, str]]:
    p = record.safety_plan
    adults = [
        " ".join(
            x
            for x in (a.name or "", f"({a.relationship})" if a.relationship else "", a.phone or "")
            if x
        )
        for a in p.trusted_adults
    ]
    if adults:
        yield "Trusted adults", "; ".join(adults)
    if p.safe_places:
        yield "Safe places", "; ".join(i.text or "" for i in p.safe_places)
    if p.warning_signs:
        yield "Warning signs", "; ".join(i.text or "" for i in p.warning_signs)
    if p.actions:
        yield (
            "Agreed actions",
            "; ".join(
                " ".join(
                    x
                    for x in (
                        f"{a.who}:" if a.who else "",
                        a.what or "",
                        f"by {_day(a.by_when)}" if a.by_when else "",
                    )
                    if x
                )
                for a in p.actions
            ),
        )
    if p.review_date:
        yield "Review the plan", _day(p.review_date)
    if not (adults or p.safe_places or p.warning_signs or p.actions):
        yield "Safety plan", "Nothing recorded beyond the helplines"


def _question(form: FormDefinition, name: str) -> Question | None:
    item = form.item(name)
    return item if isinstance(item, Question) else None


def _child_words(
    form: FormDefinition, ev: Evaluation, authors: Mapping[str, str]
) -> Iterable[pdf.ChildWords]:
    wanted = [n for n in CHILD_WORDS if _question(form, n) is not None]
    typed = [
        q.name
        for q in form.questions()
        if authors.get(q.name) == "young_person"
        and q.type in ("text", "long_text")
        and q.name not in wanted
    ]
    for name in wanted + typed:
        q = _question(form, name)
        state = ev.questions.get(name)
        if q is None or state is None or not state.relevant or empty(state.value):
            continue
        yield pdf.ChildWords(
            visible_label(q, form) or name,
            str(state.value),
            by_young_person=authors.get(name) == "young_person",
        )


def factors(
    form: FormDefinition, ev: Evaluation, answers: Mapping[str, Any]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Push and pull factors: the ticked choices of the two lists, then what other answers
    carry (a "no" to "do you feel safe where you live" is a push factor whether or not a box
    was ticked), then what the child said about them."""
    out: dict[str, list[str]] = {"push": [], "pull": []}
    for side, section_name in (("push", PUSH_SECTION), ("pull", PULL_SECTION)):
        section = next((s for s in form.sections if s.name == section_name), None)
        if section is None or not ev.groups.get(section_name, False):
            continue
        for item in _walk(section):
            if not (isinstance(item, Question) and item.type == "select_multiple"):
                continue
            state = ev.questions.get(item.name)
            if state is None or not state.relevant or empty(state.value):
                continue
            other = other_value(item, ev.values, {})
            out[side] += [choice_text(item, c, form, other) for c in codes(item, state.value, form)]
    for (name, value), (side, words) in FACTOR_ANSWERS.items():
        state = ev.questions.get(name)
        if state is None or not state.relevant or empty(state.value):
            continue
        chosen = state.value if isinstance(state.value, list) else [state.value]
        already = any(words.lower() == w.lower() for w in out[side])
        if value in {str(v) for v in chosen} and not already:
            out[side].append(words)
    for side, names in FACTOR_DETAILS.items():
        for name in names:
            state = ev.questions.get(name)
            if state is not None and state.relevant and not empty(state.value):
                out[side].append(f"In their words: “{state.value}”")
    return tuple(out["push"]), tuple(out["pull"])


def _walk(group: Group) -> Iterable[Question | Group]:
    for item in group.items:
        yield item
        if isinstance(item, Group) and item.kind != "repeat":
            yield from _walk(item)


def unanswered(form: FormDefinition, ev: Evaluation) -> Iterable[pdf.UnansweredGroup]:
    """Questions that applied but have no answer, by section (repeat entries not counted: an
    empty column of a table is not a question left unasked)."""
    for section in form.sections:
        if not ev.groups.get(section.name, False):
            continue
        names = list(_unanswered_in(section.items, form, ev))
        if names:
            yield pdf.UnansweredGroup(visible_label(section, form) or section.name, tuple(names))


def _unanswered_in(items: tuple[Any, ...], form: FormDefinition, ev: Evaluation) -> Iterable[str]:
    for item in items:
        if isinstance(item, Group):
            if not ev.groups.get(item.name, False):
                continue
            if item.kind != "repeat":
                yield from _unanswered_in(item.items, form, ev)
            elif not ev.repeats.get(item.name):
                yield f"{visible_label(item, form) or item.name} (none recorded)"
            continue
        if not item.is_input:
            continue
        state = ev.questions.get(item.name)
        if state is not None and state.relevant and empty(state.value):
            yield visible_label(item, form) or item.name
