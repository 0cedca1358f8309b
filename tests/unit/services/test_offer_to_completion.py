"""Offer and consent, sessions, safety plan, outcomes, signatures, completion and amendment, on a
real encrypted profile."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from alembic import command
from conftest import NOW, PASSPHRASE
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from rhi_core.canonical import content_sha256
from rhi_core.domain.codes import (
    DeclinedBy,
    DeclineReason,
    EpisodeCategory,
    InterviewState,
    LateReason,
    OfferMethod,
    OfferOutcome,
    ReferralKind,
    SessionPresent,
    SignatureRole,
)
from rhi_core.domain.offers import OfferFacts, is_declined, timeliness
from rhi_desktop.security.audit import verify_chain
from rhi_desktop.services import (
    completion,
    offers,
    outcomes,
    record_view,
    safety_plans,
    sessions,
    signatures,
)
from rhi_desktop.services.children import (
    NewChild,
    NewEpisode,
    ValidationFailed,
    add_child,
    record_episode,
)
from rhi_desktop.services.completion import IncompleteInterview, InterviewLocked
from rhi_desktop.services.offers import OfferInput
from rhi_desktop.services.profiles import Profile, open_profile
from rhi_desktop.services.safety_plans import PlanItemInput, SafetyPlanInput
from rhi_desktop.services.sessions import SessionInput
from rhi_desktop.services.signatures import SignatureInput
from rhi_desktop.store import schema
from rhi_desktop.store.models import (
    Answer,
    AuditEvent,
    InterviewRevision,
    ReturnInterview,
    SafetyPlan,
    Signature,
)

ACTOR = "Jane Smith"
RETURNED = NOW - timedelta(days=2)  # within the window at NOW
TINY_PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)
STROKES = [
    [[10.0, 40.0, 0.0], [30.0, 20.0, 16.0], [60.0, 45.0, 32.0], [90.0, 25.0, 48.0]],
    [[100.0, 40.0, 300.0], [140.0, 42.0, 316.0]],
]


@dataclass(frozen=True)
class FormProblem:
    question: str | None
    section: str | None
    message: str


def _interview(profile: Profile, returned: datetime = RETURNED) -> str:
    with profile.transaction() as s:
        child = add_child(
            s,
            NewChild(local_id="C400", first_name="Amira", last_name="Haddad", dob=date(2010, 5, 1)),
            actor=ACTOR,
            today=NOW.date(),
        )
        record_episode(
            s,
            NewEpisode(child.id, EpisodeCategory.MISSING, returned - timedelta(hours=20), returned),
            actor=ACTOR,
            now=NOW,
        )
        return s.scalars(select(ReturnInterview.id)).one()


def _accept(s: Session, interview_id: str, at: datetime) -> None:
    offers.record_offer(
        s,
        interview_id,
        OfferInput(at, OfferMethod.PHONE, OfferOutcome.ACCEPTED),
        actor=ACTOR,
        now=NOW,
    )


def _session(at: datetime, **kw: object) -> SessionInput:
    base: dict[str, object] = dict(
        started_at=at,
        duration_minutes=50,
        place="Youth centre",
        present=(),
        time_alone=True,
        confidentiality_explained=True,
    )
    base.update(kw)
    return SessionInput(**base)  # type: ignore[arg-type]


def _fields(err: pytest.ExceptionInfo[ValidationFailed]) -> set[str]:
    return {p.field for p in err.value.problems}


def _actions(profile: Profile) -> list[str]:
    with profile.sessions() as s:
        return list(
            s.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.entity == "interview")
                .order_by(AuditEvent.seq)
            )
        )


# --- offers and consent --------------------------------------------------------------------------


def test_offer_then_decline_with_codes_and_carer_information(profile: Profile) -> None:
    iid = _interview(profile)
    with profile.transaction() as s:
        offers.record_offer(
            s,
            iid,
            OfferInput(RETURNED + timedelta(hours=3), OfferMethod.LETTER, OfferOutcome.NO_CONTACT),
            actor=ACTOR,
            now=NOW,
        )
        declined = offers.record_offer(
            s,
            iid,
            OfferInput(
                RETURNED + timedelta(hours=30),
                OfferMethod.IN_PERSON,
                OfferOutcome.DECLINED,
                by_whom="Sam Patel",
                declined_by=DeclinedBy.CHILD,
                decline_reason=DeclineReason.ALREADY_SPOKE_TO_POLICE,
                decline_note="Said she told the police everything.",
                carer_shared="Foster carer says she was with older friends in town.",
            ),
            actor=ACTOR,
            now=NOW,
        )
        assert declined.declined_by == "child"
        assert declined.decline_reason == "already_spoke_to_police"
        assert declined.carer_shared is not None
        flags = offers.timeliness_of(s, iid, NOW)
    # A letter nobody answered is an attempt, not an offer.
    assert flags.first_attempt_at == RETURNED + timedelta(hours=3)
    assert flags.offered_at == RETURNED + timedelta(hours=30)
    assert flags.offered_within_72h is True
    assert flags.held_within_72h is None  # window still open, nothing held


def test_decline_without_who_or_why_is_refused_at_those_fields(profile: Profile) -> None:
    iid = _interview(profile)
    with pytest.raises(ValidationFailed) as err, profile.transaction() as s:
        offers.record_offer(
            s,
            iid,
            OfferInput(RETURNED + timedelta(hours=1), OfferMethod.PHONE, OfferOutcome.DECLINED),
            actor=ACTOR,
            now=NOW,
        )
    assert _fields(err) == {"declined_by", "decline_reason"}
    with pytest.raises(ValidationFailed) as err, profile.transaction() as s:
        offers.record_offer(
            s,
            iid,
            OfferInput(
                RETURNED + timedelta(hours=1),
                OfferMethod.PHONE,
                OfferOutcome.DECLINED,
                declined_by=DeclinedBy.PARENT_CARER,
                decline_reason=DeclineReason.OTHER,
            ),
            actor=ACTOR,
            now=NOW,
        )
    assert _fields(err) == {"decline_note"}


def test_offer_before_return_or_in_future_is_refused(profile: Profile) -> None:
    iid = _interview(profile)
    for at in (RETURNED - timedelta(minutes=1), NOW + timedelta(hours=1)):
        with pytest.raises(ValidationFailed) as err, profile.transaction() as s:
            _accept(s, iid, at)
        assert _fields(err) == {"at"}
    with pytest.raises(ValidationFailed) as err, profile.transaction() as s:
        offers.record_offer(s, iid, OfferInput(None, "fax", "maybe"), actor=ACTOR, now=NOW)
    assert _fields(err) == {"at", "method", "outcome"}


def test_within_72h_is_computed_both_ways() -> None:
    ret = datetime(2026, 3, 1, 12, tzinfo=NOW.tzinfo)
    on_time = timeliness(
        returns=[ret - timedelta(days=3), ret],  # the clock starts at the latest return
        offers=[OfferFacts(ret + timedelta(hours=2), OfferOutcome.ACCEPTED)],
        session_starts=[ret + timedelta(hours=72)],
        now=NOW,
    )
    assert (on_time.offered_within_72h, on_time.held_within_72h) == (True, True)
    late = timeliness(
        returns=[ret],
        offers=[
            OfferFacts(ret + timedelta(hours=1), OfferOutcome.NO_CONTACT),
            OfferFacts(ret + timedelta(hours=80), OfferOutcome.ACCEPTED),
        ],
        session_starts=[ret + timedelta(hours=72, minutes=1)],
        now=NOW,
    )
    assert (late.offered_within_72h, late.held_within_72h) == (False, False)
    nothing = timeliness(returns=[ret], offers=[], session_starts=[], now=NOW)
    assert (nothing.offered_within_72h, nothing.held_within_72h) == (False, False)
    assert timeliness(returns=[None], offers=[], session_starts=[], now=NOW).due_at is None
    # Declined path: the latest attempt stands.
    yes_then_no = [
        OfferFacts(ret, OfferOutcome.ACCEPTED),
        OfferFacts(ret + timedelta(hours=1), OfferOutcome.DECLINED),
    ]
    assert is_declined(yes_then_no, 0) and not is_declined(yes_then_no, 1)


def test_linking_episodes(profile: Profile) -> None:
    iid = _interview(profile, returned=NOW - timedelta(days=10))
    with profile.transaction() as s:
        child_id = s.get_one(ReturnInterview, iid).child_id
        later = record_episode(
            s,
            NewEpisode(
                child_id, EpisodeCategory.AWAY, NOW - timedelta(days=3), NOW - timedelta(days=2)
            ),
            actor=ACTOR,
            now=NOW,
        )
        open_ep = record_episode(
            s,
            NewEpisode(child_id, EpisodeCategory.MISSING, NOW - timedelta(hours=5), None),
            actor=ACTOR,
            now=NOW,
        )
        interview = s.get_one(ReturnInterview, iid)
        assert later in interview.episodes  # joined the pending interview on return
        offers.unlink_episode(s, iid, later.id, actor=ACTOR, now=NOW)
        offers.link_episode(s, iid, later.id, actor=ACTOR, now=NOW)
        assert offers.timeliness_of(s, iid, NOW).clock_starts_at == NOW - timedelta(days=2)
    with pytest.raises(ValidationFailed) as err, profile.transaction() as s:
        offers.link_episode(s, iid, open_ep.id, actor=ACTOR, now=NOW)
    assert "not returned" in str(err.value)


def test_late_interview_needs_a_late_reason(profile: Profile) -> None:
    returned = NOW - timedelta(days=6)
    iid = _interview(profile, returned=returned)
    with profile.transaction() as s:
        _accept(s, iid, returned + timedelta(days=1))
        sessions.record_session(
            s, iid, _session(returned + timedelta(days=4)), actor=ACTOR, now=NOW
        )
        _sign_worker(s, iid)
        problems = completion.completion_problems(s, iid, [], now=NOW)
    assert [p.target["kind"] for p in problems] == ["late_reason"]
    with pytest.raises(ValidationFailed) as err, profile.transaction() as s:
        offers.set_late_reason(s, iid, LateReason.OTHER, actor=ACTOR, now=NOW)
    assert _fields(err) == {"late_note"}
    with profile.transaction() as s:
        offers.set_late_reason(s, iid, LateReason.CHILD_CHOSE_LATER, actor=ACTOR, now=NOW)
        assert completion.completion_problems(s, iid, [], now=NOW) == []
        completion.complete(s, iid, actor=ACTOR, now=NOW)
        view = record_view.load_record(s, iid)
    assert view.timeliness.held_within_72h is False
    assert view.timeliness.offered_within_72h is True
    assert view.late_reason == "child_chose_later"


# --- sessions ------------------------------------------------------------------------------------


def test_session_rules(profile: Profile) -> None:
    iid = _interview(profile)
    with pytest.raises(ValidationFailed) as err, profile.transaction() as s:
        sessions.record_session(
            s, iid, _session(RETURNED + timedelta(hours=5)), actor=ACTOR, now=NOW
        )
    assert _fields(err) == {"offer"}
    with profile.transaction() as s:
        _accept(s, iid, RETURNED + timedelta(hours=4))
    bad = [
        (_session(RETURNED + timedelta(hours=3)), {"started_at"}),  # before the acceptance
        (_session(RETURNED - timedelta(hours=1)), {"started_at"}),  # before the return too
        (_session(RETURNED + timedelta(hours=5), duration_minutes=0), {"duration_minutes"}),
        (_session(RETURNED + timedelta(hours=5), duration_minutes=601), {"duration_minutes"}),
        (
            _session(RETURNED + timedelta(hours=5), time_alone=None, place=" "),
            {"time_alone", "place"},
        ),
        (_session(RETURNED + timedelta(hours=5), present=("dog",)), {"present"}),
    ]
    for data, fields in bad:
        with pytest.raises(ValidationFailed) as err, profile.transaction() as s:
            sessions.record_session(s, iid, data, actor=ACTOR, now=NOW)
        assert _fields(err) == fields, data
    with profile.sessions() as s:
        assert s.get_one(ReturnInterview, iid).state is None


# --- the whole journey ---------------------------------------------------------------------------


def _sign_worker(s: Session, iid: str) -> Signature:
    return signatures.sign(
        s,
        iid,
        SignatureInput(SignatureRole.WORKER, ACTOR, STROKES, TINY_PNG),
        actor=ACTOR,
        now=NOW,
    )


def test_held_interview_from_offer_to_amendment(profile: Profile) -> None:
    iid = _interview(profile)
    first_at = RETURNED + timedelta(hours=20)
    with profile.transaction() as s:
        _accept(s, iid, RETURNED + timedelta(hours=6))
        first = sessions.record_session(
            s,
            iid,
            _session(first_at, present=(SessionPresent.SOCIAL_WORKER,), time_alone=True),
            actor=ACTOR,
            now=NOW,
        )
        interview = s.get_one(ReturnInterview, iid)
        assert interview.state == InterviewState.DRAFT and interview.held_at == first_at
        sessions.record_session(
            s,
            iid,
            _session(
                RETURNED + timedelta(hours=40),
                present=(SessionPresent.INTERPRETER, SessionPresent.CARER),
                time_alone=False,
            ),
            actor=ACTOR,
            now=NOW,
        )
        assert first.present == ["social_worker"]
        s.add(Answer(interview_id=iid, revision=1, question="why_left", value="argument"))

    # Safety plan: the Runaway Helpline comes by default; order is kept.
    with profile.transaction() as s:
        s.add_all([])
        plan = safety_plans.replace_plan(
            s,
            iid,
            SafetyPlanInput(
                items=[
                    PlanItemInput.trusted_adult("Aunt Mona", "Aunt", "07700 900123"),
                    PlanItemInput.safe_place("Library on High Street"),
                    PlanItemInput.safe_place("Aunt Mona's flat"),
                    PlanItemInput.warning_sign("Messages from older boys offering lifts"),
                    PlanItemInput.action(
                        "Social worker", "Arrange weekly check-in", date(2026, 3, 17)
                    ),
                ],
                review_date=date(2026, 4, 10),
            ),
            actor=ACTOR,
            now=NOW,
        )
        helpline = safety_plans.add_item(
            s,
            iid,
            PlanItemInput.helpline("Local youth line", "+44 (0)20 7946 0000"),
            actor=ACTOR,
            now=NOW,
        )
        cafe = safety_plans.add_item(
            s, iid, PlanItemInput.safe_place("Youth cafe"), actor=ACTOR, now=NOW, position=0
        )
        places = [i.text for i in safety_plans.plan_items(plan, "safe_place")]
        assert places == ["Youth cafe", "Library on High Street", "Aunt Mona's flat"]
        safety_plans.remove_item(s, cafe.id, actor=ACTOR, now=NOW)
        helplines = safety_plans.plan_items(plan, "helpline")
        assert [h.phone for h in helplines][0] == "116 000"
        with pytest.raises(ValidationFailed):
            safety_plans.remove_item(s, helplines[0].id, actor=ACTOR, now=NOW)
        assert helpline.position == 1
    for bad, field in [
        (PlanItemInput.trusted_adult("Bob", "Uncle", "12345"), "phone"),
        (PlanItemInput.action("", "Call", None), "who"),
    ]:
        with pytest.raises(ValidationFailed) as err, profile.transaction() as s:
            safety_plans.add_item(s, iid, bad, actor=ACTOR, now=NOW)
        assert field in _fields(err)
    with pytest.raises(ValidationFailed) as err, profile.transaction() as s:
        safety_plans.set_review_date(s, iid, date(2026, 3, 9), actor=ACTOR, now=NOW)
    assert _fields(err) == {"review_date"}

    # Outcomes and referrals.
    with profile.transaction() as s:
        outcomes.replace_referrals(
            s,
            iid,
            [
                outcomes.ReferralInput(ReferralKind.MACE, date(2026, 3, 9)),
                outcomes.ReferralInput(ReferralKind.POLICE_INFORMATION, date(2026, 3, 9), "PC 123"),
            ],
            actor=ACTOR,
            now=NOW,
        )
        outcomes.set_outcomes(
            s,
            iid,
            outcomes.OutcomesInput("Push: conflict at home.", "Refer to MACE.", date(2026, 3, 10)),
            actor=ACTOR,
            now=NOW,
        )
    with pytest.raises(ValidationFailed) as err, profile.transaction() as s:
        outcomes.add_referral(
            s,
            iid,
            outcomes.ReferralInput(ReferralKind.NRM, date(2026, 3, 11)),
            actor=ACTOR,
            now=NOW,
        )
    assert _fields(err) == {"made_on"}

    # Completion problems first, each with a link target.
    with profile.sessions() as s:
        problems = completion.completion_problems(
            s, iid, [FormProblem("where_slept", "where", "Answer where you slept.")], now=NOW
        )
    assert [p.target for p in problems] == [
        {"kind": "answer", "section": "where", "question": "where_slept", "field": None},
        {"kind": "signature", "section": None, "question": None, "field": "worker"},
    ]
    with pytest.raises(IncompleteInterview) as incomplete, profile.transaction() as s:
        completion.complete(s, iid, actor=ACTOR, now=NOW)
    assert [p.kind for p in incomplete.value.problems] == ["signature"]

    # Signatures: blank ones are refused; the young person may decline.
    for strokes, message in [
        ([], "blank"),
        ([[[5.0, 5.0, 0.0]]], "blank"),
        ([[[5.0, 5.0, 0.0], [7.0, 6.0, 10.0], [6.0, 8.0, 20.0]]], "too small"),
    ]:
        with pytest.raises(ValidationFailed) as err, profile.transaction() as s:
            signatures.sign(
                s,
                iid,
                SignatureInput(SignatureRole.WORKER, ACTOR, strokes, TINY_PNG),
                actor=ACTOR,
                now=NOW,
            )
        assert message in str(err.value)
    with profile.transaction() as s:
        _sign_worker(s, iid)
        signatures.sign(
            s,
            iid,
            SignatureInput(SignatureRole.YOUNG_PERSON, "Amira", declined_reason="Did not want to"),
            actor=ACTOR,
            now=NOW,
        )
        completion.complete(s, iid, actor=ACTOR, now=NOW)
        done = s.get_one(ReturnInterview, iid)
        assert done.state == InterviewState.COMPLETED and done.locked_at == NOW
        before = record_view.load_record(s, iid)

    # The completed revision is locked everywhere.
    attempts = [
        lambda s: _accept(s, iid, RETURNED + timedelta(hours=8)),
        lambda s: sessions.record_session(
            s, iid, _session(RETURNED + timedelta(hours=41)), actor=ACTOR, now=NOW
        ),
        lambda s: safety_plans.set_review_date(s, iid, None, actor=ACTOR, now=NOW),
        lambda s: safety_plans.remove_item(s, helpline.id, actor=ACTOR, now=NOW),
        lambda s: outcomes.set_outcomes(s, iid, outcomes.OutcomesInput(), actor=ACTOR, now=NOW),
        lambda s: _sign_worker(s, iid),
        lambda s: offers.set_late_reason(s, iid, None, actor=ACTOR, now=NOW),
        lambda s: completion.assert_editable(s, iid, 1),
    ]
    for attempt in attempts:
        with pytest.raises(InterviewLocked) as locked, profile.transaction() as s:
            attempt(s)
        assert "amendment" in str(locked.value)

    # Amendment: revision 2 with copies, revision 1 intact, signatures not copied.
    with pytest.raises(ValidationFailed), profile.transaction() as s:
        completion.amend(s, iid, "  ", actor=ACTOR, now=NOW)
    with profile.transaction() as s:
        completion.amend(s, iid, "Wrong review date", actor=ACTOR, now=NOW + timedelta(hours=1))
        interview = s.get_one(ReturnInterview, iid)
        assert (interview.revision, interview.state) == (2, InterviewState.DRAFT)
        with pytest.raises(InterviewLocked) as old:
            completion.assert_editable(s, iid, 1)
        assert "Revision 1" in str(old.value)
        safety_plans.set_review_date(s, iid, date(2026, 4, 20), actor=ACTOR, now=NOW)
        assert completion.completion_problems(s, iid, [], now=NOW)[0].kind == "signature"
        v1 = record_view.load_record(s, iid, 1)
        v2 = record_view.load_record(s, iid)
        assert s.scalar(select(InterviewRevision.amendment_reason)) is None
    assert record_view.canonical_payload(v1) == record_view.canonical_payload(before)
    assert v1.safety_plan.review_date == date(2026, 4, 10)
    assert v2.safety_plan.review_date == date(2026, 4, 20)
    assert v2.amendment_reason == "Wrong review date"
    assert v2.answers == v1.answers == {"": {"why_left": "argument"}}
    assert [r.kind for r in v2.referrals] == [r.kind for r in v1.referrals]
    assert {r.id for r in v2.referrals}.isdisjoint({r.id for r in v1.referrals})
    assert len(v2.safety_plan.trusted_adults) == 1 and len(v2.safety_plan.helplines) == 2
    assert v2.signatures == () and len(v1.signatures) == 2
    assert len(v2.sessions) == 2 and v2.timeliness.held_within_72h is True
    assert v1.analysis == v2.analysis == "Push: conflict at home."

    # The record and its payload.
    assert v1.child.local_id == "C400" and len(v1.episodes) == 1 and len(v1.offers) == 1
    assert [s.present for s in v1.sessions] == [
        ("social_worker",),
        ("interpreter", "carer"),
    ]
    payload = record_view.canonical_payload(v1)
    text = json.dumps(payload, sort_keys=True)
    assert "PNG" not in text and "iVBORw0KGgo" in text  # base64 of the PNG header
    assert (
        hashlib.sha256(text.encode()).hexdigest()
        == hashlib.sha256(
            json.dumps(record_view.canonical_payload(before), sort_keys=True).encode()
        ).hexdigest()
    )
    assert content_sha256(record_view.canonical_payload(v1)) != content_sha256(
        record_view.canonical_payload(v2)
    )

    # Every step was audited, in order, without names, and the chain verifies.
    assert _actions(profile) == [
        "offer.record",
        "session.record",
        "session.record",
        "safety_plan.replace",
        "safety_plan.add_item",
        "safety_plan.add_item",
        "safety_plan.remove_item",
        "referrals.replace",
        "outcomes.set",
        "signature.sign",
        "signature.decline",
        "interview.complete",
        "interview.amend",
        "safety_plan.review_date",
    ]
    with profile.sessions() as s:
        events = list(s.scalars(select(AuditEvent).order_by(AuditEvent.seq)))
    assert verify_chain(events) == []
    blob = json.dumps([e.detail for e in events])
    for word in ("Amira", "Haddad", "Mona", "Jane", "conflict", "MACE."):
        assert word not in blob
    assert set(v1.audit_event_ids) <= {e.id for e in events}


def test_declined_interview_completes_without_sessions(profile: Profile) -> None:
    iid = _interview(profile)
    with profile.transaction() as s:
        offers.record_offer(
            s,
            iid,
            OfferInput(
                RETURNED + timedelta(hours=10),
                OfferMethod.IN_PERSON,
                OfferOutcome.DECLINED,
                declined_by=DeclinedBy.PARENT_CARER,
                decline_reason=DeclineReason.FAMILY_REFUSED,
            ),
            actor=ACTOR,
            now=NOW,
        )
        # The form's questions do not apply to an interview that was not held.
        problems = completion.completion_problems(
            s, iid, [FormProblem("why_left", "before", "Answer this.")], now=NOW
        )
        assert [p.kind for p in problems] == ["signature"]
        _sign_worker(s, iid)
        completion.complete(s, iid, actor=ACTOR, now=NOW)
        view = record_view.load_record(s, iid)
    assert view.path == "declined" and view.state == "completed" and view.held_at is None
    assert view.timeliness.offered_within_72h is True


def test_reopen_after_review_makes_a_new_revision(profile: Profile) -> None:
    iid = _interview(profile)
    with profile.transaction() as s:
        _accept(s, iid, RETURNED + timedelta(hours=2))
        sessions.record_session(
            s, iid, _session(RETURNED + timedelta(hours=3)), actor=ACTOR, now=NOW
        )
        _sign_worker(s, iid)
        completion.complete(s, iid, actor=ACTOR, now=NOW)
        with pytest.raises(InterviewLocked):
            completion.reopen_for_review(s, iid, "x", actor=ACTOR, now=NOW)
        s.get_one(ReturnInterview, iid).state = InterviewState.HAS_ISSUES
    with pytest.raises(InterviewLocked) as locked, profile.transaction() as s:
        completion.assert_editable(s, iid)
    assert "reopen" in str(locked.value)
    with profile.transaction() as s:
        completion.reopen_for_review(s, iid, "Add the push factors.", actor=ACTOR, now=NOW)
        interview = s.get_one(ReturnInterview, iid)
        assert (interview.revision, interview.state) == (2, "draft")
        assert interview.amendment_reason == "Review: Add the push factors."
        old = s.scalars(select(InterviewRevision)).one()
        assert (old.revision, old.state) == (1, "has_issues")
        assert s.scalars(select(SafetyPlan)).all() == []


# --- migration -----------------------------------------------------------------------------------


def test_migration_0003_upgrades_a_0002_profile(profile: Profile) -> None:
    iid = _interview(profile)
    with profile.transaction() as s:
        _accept(s, iid, RETURNED + timedelta(hours=1))
    with profile.engine.begin() as conn:
        command.downgrade(schema.alembic_config(conn), "0002")
    assert schema.current_revision(profile.engine) == "0002"
    with profile.engine.connect() as conn:
        assert "interview_revision" not in inspect(conn).get_table_names()
    profile.close()
    again = open_profile(profile.paths.root, PASSPHRASE)
    try:
        assert schema.current_revision(again.engine) == schema.head_revision()
        with again.engine.connect() as conn:
            insp = inspect(conn)
            ri = {c["name"] for c in insp.get_columns("return_interview")}
            assert {
                "analysis",
                "recommendations",
                "shared_with_social_worker_on",
                "amendment_reason",
                "locked_at",
            } <= ri
            assert "revision" in {c["name"] for c in insp.get_columns("offer_attempt")}
            assert "interview_revision" in insp.get_table_names()
        with again.sessions() as s:
            view = record_view.load_record(s, iid, now=NOW)
        assert [o.revision for o in view.offers] == [1]
    finally:
        again.close()
