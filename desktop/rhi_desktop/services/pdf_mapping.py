"""Mapping a stored interview revision onto the PDF layer's plain model (``pdf.document``).

What is printed and in what words is decided here: page 1 is the record's summary
(``record_summary``), the answers follow section by section with only the questions that were
answered, and what applied but was left unanswered is listed compactly at the end. Formatting
is ``pdf.render``'s job and writing the file ``pdf_export``'s.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from rhi_core.canonical import content_sha256
from rhi_core.domain.codes import RiskFlag as RiskFlagCode
from rhi_core.domain.codes import SessionPresent, SignatureRole
from rhi_core.domain.languages import LANGUAGE_NAMES
from rhi_core.forms.evaluate import Evaluation, InstanceState, evaluate
from rhi_core.forms.labels import text_in, visible_label
from rhi_core.forms.risk import compute_risk_flags
from rhi_core.forms.schema import FormDefinition, Group, Question
from rhi_core.protocol import payload_dict
from rhi_desktop.pdf import document as pdf

from .answer_text import NOT_ANSWERED, answers_tree, empty, format_answer, other_value
from .attachments import AttachmentInfo, attachment_data, attachment_infos
from .forms_registry import get_form
from .record_summary import factors, summary_of, unanswered
from .record_view import RecordView, canonical_payload, load_record
from .sync_payload import completed_events, payload_from_record, record_attachments

__all__ = ["build_document", "language_name"]

# Names of the languages children in England most often prefer, for the record's summary.
# Anything else prints as its code; the form's own language list is consulted first.

# Child-facing headings of "My safety plan" for the languages rhi-v1 is written in. Like the
# questionnaire's own Arabic, this should be reviewed by a qualified translator before live use.
_CHILD_WORDING = {
    "ar": pdf.ChildWording(
        language="ar",
        title="خطة سلامتي",
        intro="صنعنا هذه الخطة معًا. احتفظ بها في مكان آمن، أو التقط صورة لها.",
        people_heading="أشخاص يمكنني التحدث إليهم",
        places_heading="أماكن أشعر فيها بالأمان",
        signs_heading="علامات أن الأمور أصبحت صعبة",
        agreed_heading="ما اتفقنا عليه",
        helplines_heading="إذا احتجت المساعدة الآن",
        review_label="سنراجع هذه الخطة في",
    ),
}


# --- mapping the record onto the PDF model -------------------------------------------------------


def _content_hash(session: Session, record: RecordView) -> str:
    """The fingerprint printed on the record. For a completed revision it is the
    ``content_sha256`` of its wire payload, the very hash central stores for it, so a PDF can
    be matched to the synced revision; a draft (never sent) gets the hash of its content."""
    if record.completed_at is None:
        return content_sha256(canonical_payload(record))
    events = completed_events(session, record.interview_id, record.revision)
    attachments = record_attachments(session, record)
    return content_sha256(payload_dict(payload_from_record(record, events, attachments)))


def build_document(
    session: Session,
    interview_id: str,
    revision: int | None = None,
    *,
    now: datetime,
    demo: bool = False,
    worker_name: str | None = None,
    organisation_verified: bool = False,
    organisation_name: str = "",
) -> pdf.InterviewDocument:
    """The complete printable record of one revision (default: the current one).

    ``worker_name`` (the signer) replaces the interview's recorded worker in the meta, because
    the record states "digitally signed by <worker_name>".
    """
    record = load_record(session, interview_id, revision, now=now)
    form = get_form(record.form_id, record.form_version, session) if record.form_id else None
    answers = answers_tree(record.answers)
    # Relevance as of when the interview was done: a today() in an expression must not change a
    # completed record. Evaluate takes local wall time.
    moment = _local(record.completed_at or record.held_at or now).replace(tzinfo=None)
    evaluation = evaluate(form, answers, now=moment) if form else None
    files = _Files(attachment_infos(session, record.interview_id), {})
    files.data = attachment_data(session, record.interview_id, files.infos)
    sections: tuple[pdf.AnswerSection, ...] = ()
    push: tuple[str, ...] = ()
    pull: tuple[str, ...] = ()
    flags: tuple[pdf.RiskFlagEntry, ...] = ()
    gaps: tuple[pdf.UnansweredGroup, ...] = ()
    raised = (
        compute_risk_flags(form, answers, now=moment, evaluation=evaluation)
        if form is not None
        else []
    )
    if form is not None and evaluation is not None:
        sections = tuple(_sections(form, evaluation, answers, files, record.answer_authors))
        push, pull = factors(form, evaluation, answers)
        flags = _risk_flags(form, answers, record.risk_flags, moment)
        if record.path != "declined":
            gaps = tuple(unanswered(form, evaluation))
    elif record.risk_flags:
        flags = tuple(pdf.RiskFlagEntry(_domain_flag_label(c)) for c in record.risk_flags)
    summary = summary_of(record, form, evaluation, raised, now=now)
    return pdf.InterviewDocument(
        meta=pdf.DocumentMeta(
            interview_id=record.interview_id,
            revision=record.revision,
            form_id=record.form_id or "",
            form_version=record.form_version or "",
            worker_name=worker_name or record.worker or "",
            generated_at=_local(now),
            content_sha256=_content_hash(session, record),
            demo=demo,
            organisation_verified=organisation_verified,
            organisation_name=organisation_name,
            record_title=evaluation.title if evaluation is not None else "",
        ),
        child=_child(record, form, now),
        episodes=tuple(
            pdf.Episode(
                category=e.category,
                start=_local(e.started_at),
                returned=_local(e.returned_at) if e.returned_at else None,
                where_found=e.where_found or "",
                police_ref=e.police_reference or "",
                risk_grade=e.risk_grade or "",
            )
            for e in record.episodes
        ),
        offers=tuple(
            pdf.Offer(
                at=_local(o.at),
                method=o.method,
                outcome=o.outcome,
                by_whom=o.by_whom or "",
                declined_by=o.declined_by,
                reason=o.decline_reason,
                note=o.decline_note or "",
                carer_shared=o.carer_shared or "",
            )
            for o in record.offers
        ),
        sessions=tuple(
            pdf.Session(
                start=_local(s.started_at),
                duration_minutes=s.duration_minutes,
                place=s.place or "",
                present=tuple(_code_label(p, SessionPresent) for p in s.present),
                time_alone=s.time_alone,
                confidentiality_explained=s.confidentiality_explained,
            )
            for s in record.sessions
        ),
        within_72h=record.timeliness.held_within_72h,
        late_reason=record.late_reason,
        late_note=record.late_note or "",
        sections=sections,
        push_factors=push,
        pull_factors=pull,
        risk_flags=flags,
        safety_plan=_safety_plan(record, form),
        outcomes=pdf.Outcomes(
            referrals=tuple(
                pdf.Referral(kind=r.kind, date=r.made_on, note=r.note or "")
                for r in record.referrals
            ),
            analysis=record.analysis or "",
            recommendations=record.recommendations or "",
            shared_with_social_worker=record.shared_with_social_worker_on,
        ),
        signatures=tuple(
            pdf.Signature(
                role=_code_label(s.role, SignatureRole),
                name=s.name,
                signed_at=_local(s.signed_at) if s.signed_at else None,
                png=s.png,
                declined_reason=s.declined_reason,
            )
            for s in record.signatures
        ),
        files=tuple(files.embedded),
        summary=summary,
        unanswered=gaps,
    )


def _local(when: datetime) -> datetime:
    """The laptop's wall time, as the worker saw it in the app (the store keeps UTC)."""
    return when.astimezone()


def _code_label(value: str, code_list: Any) -> str:
    try:
        return str(code_list(value).label)
    except ValueError:
        return value


def language_name(code: str, form: FormDefinition | None) -> str:
    lang = form.language(code) if form else None
    if lang is not None:
        return lang.name
    return LANGUAGE_NAMES.get(code.split("-")[0].lower(), code)


def _age(dob: date, on: date) -> int:
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def _child(record: RecordView, form: FormDefinition | None, now: datetime) -> pdf.ChildSummary:
    c = record.child
    # Age when the interview was held: the record must read the same whenever it is printed.
    on = _local(record.held_at or record.completed_at or now).date()
    return pdf.ChildSummary(
        name=f"{c.first_name} {c.last_name}".strip(),
        case_number=c.local_id,
        dob=c.dob,
        age=_age(c.dob, on),
        sex=c.sex,
        ethnicity=c.ethnicity or "",
        looked_after=c.looked_after,
        uasc=c.uasc,
        out_of_area=c.out_of_area,
        social_worker=c.social_worker or "",
        language=language_name(c.preferred_language, form),
        interpreter_needed=c.interpreter_needed,
    )


@dataclass
class _Files:
    """The interview's attachments, and the file-question files to attach to the PDF."""

    infos: Mapping[str, AttachmentInfo]
    data: Mapping[str, bytes]
    embedded: list[pdf.EmbeddedFile] = field(default_factory=list)

    def answer(self, q: Question, value: Any, label: str) -> pdf.AnswerItem:
        info = self.infos.get(str(value)) if isinstance(value, str) else None
        if info is None:
            return pdf.AnswerItem(label, NOT_ANSWERED if empty(value) else "(file missing)")
        size = _size(info.size)
        data = self.data.get(info.id)
        if q.type == "image":
            return pdf.AnswerItem(label, f"{info.file_name} ({size})", image=data)
        if data is not None and not any(f.description.endswith(info.sha256) for f in self.embedded):
            self.embedded.append(
                pdf.EmbeddedFile(
                    info.file_name, info.media_type, data, f"{label}: SHA-256 {info.sha256}"
                )
            )
        return pdf.AnswerItem(
            label, f"{info.file_name} ({size}), attached to this PDF; SHA-256 {info.sha256}"
        )


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} bytes"
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} kB"
    return f"{n / (1024 * 1024):.1f} MB"


def _sections(
    form: FormDefinition,
    ev: Evaluation,
    answers: Mapping[str, Any],
    files: _Files,
    authors: Mapping[str, str],
) -> Iterable[pdf.AnswerSection]:
    for section in form.sections:
        if not ev.groups.get(section.name, False):
            continue  # the whole section did not apply
        items = list(_items(section.items, form, ev, answers, files, authors))
        if items:
            title = ev.fill(visible_label(section, form)) or section.name
            yield pdf.AnswerSection(title, tuple(items))


def _items(
    items: Sequence[Question | Group],
    form: FormDefinition,
    ev: Evaluation,
    answers: Mapping[str, Any],
    files: _Files,
    authors: Mapping[str, str],
) -> Iterable[pdf.AnswerItem | pdf.RepeatTable]:
    for item in items:
        if isinstance(item, Group):
            if not ev.groups.get(item.name, False):
                continue
            if item.kind == "repeat":
                raw = answers.get(item.name)
                entries = ev.repeats.get(item.name, [])
                if entries:  # an empty one is listed with the unanswered questions
                    yield from _repeat_tables(
                        item, form, entries, raw if isinstance(raw, list) else [], files, ""
                    )
            else:
                # Groups inside a section (e.g. the CSE indicators) print inline, in order.
                yield from _items(item.items, form, ev, answers, files, authors)
            continue
        if not item.is_input:
            continue  # notes and calculations are not answers
        state = ev.questions.get(item.name)
        if state is None or not state.relevant:
            continue  # not relevant: left out of the record
        if empty(state.value):
            continue  # listed with the other unanswered questions at the end
        label = ev.fill(visible_label(item, form)) or item.name
        if item.type in ("image", "file"):
            yield files.answer(item, state.value, label)
            continue
        other = other_value(item, ev.values, answers)
        yield pdf.AnswerItem(
            label,
            format_answer(item, state.value, form, other),
            by_young_person=authors.get(item.name) == "young_person",
        )


def _inputs_of(group: Group) -> list[Question]:
    """The questions a repeat's table has columns for (a repeat inside it gets its own)."""
    out: list[Question] = []
    for item in group.items:
        if isinstance(item, Group):
            if item.kind != "repeat":
                out += _inputs_of(item)
        elif item.is_input:
            out.append(item)
    return out


def _repeats_in(group: Group) -> list[Group]:
    out: list[Group] = []
    for item in group.items:
        if isinstance(item, Group):
            out += [item] if item.kind == "repeat" else _repeats_in(item)
    return out


def _repeat_tables(
    group: Group,
    form: FormDefinition,
    entries: Sequence[InstanceState],
    raw_list: Sequence[Any],
    files: _Files,
    within: str,
) -> Iterable[pdf.RepeatTable]:
    """A repeat as a table; each repeat nested in it (people at each place) as one more table
    per entry, titled with the entry it belongs to."""
    questions = _inputs_of(group)
    rows: list[list[str]] = []
    for index, inst in enumerate(entries):
        raw = raw_list[index] if index < len(raw_list) and isinstance(raw_list[index], dict) else {}
        values = {n: s.value for n, s in inst.questions.items()}
        row = []
        for q in questions:
            state = inst.questions.get(q.name)
            if state is None or not state.relevant or empty(state.value):
                row.append("")  # an empty cell reads better than "Not answered" in a table
            elif q.type in ("image", "file"):
                row.append(files.answer(q, state.value, q.name).answer)
            else:
                row.append(format_answer(q, state.value, form, other_value(q, values, raw)))
        rows.append(row)
    # Columns nobody filled in only make the table harder to read; the first (the entry's
    # name) always stays so an entry is never a blank row.
    keep = [i for i in range(len(questions)) if i == 0 or not rows or any(r[i] for r in rows)]
    first = entries[0] if entries else None

    def shown(item: Question | Group) -> str:
        text = visible_label(item, form) or item.name
        return first.fill(text) if first is not None else text

    title = shown(group) + within
    yield pdf.RepeatTable(
        title=title,
        columns=tuple(shown(questions[i]) for i in keep),
        rows=tuple(tuple(r[i] for i in keep) for r in rows),
    )
    for inner in _repeats_in(group):
        for index, inst in enumerate(entries):
            inner_entries = inst.repeats.get(inner.name, [])
            if not inner_entries or not inst.groups.get(inner.name, False):
                continue
            raw = (
                raw_list[index]
                if index < len(raw_list) and isinstance(raw_list[index], dict)
                else {}
            )
            inner_raw = raw.get(inner.name)
            yield from _repeat_tables(
                inner,
                form,
                inner_entries,
                inner_raw if isinstance(inner_raw, list) else [],
                files,
                f" — {visible_label(group, form) or group.name} {index + 1}",
            )


def _domain_flag_label(code: str) -> str:
    try:
        return str(RiskFlagCode(code).label)
    except ValueError:
        return code.replace("_", " ").capitalize()


def _risk_flags(
    form: FormDefinition, answers: Mapping[str, Any], stored: Sequence[str], moment: datetime
) -> tuple[pdf.RiskFlagEntry, ...]:
    """Flags the form raises over the answers, then any flag recorded on the interview that the
    answers alone do not raise (the worker's judgement counts as much as the indicators)."""
    entries: list[pdf.RiskFlagEntry] = []
    seen: set[str] = set()
    for flag in compute_risk_flags(form, answers, now=moment):
        prompts = tuple(text_in(p, form, None) for p in flag.prompts)
        title = text_in(flag.label, form, None) or flag.code
        if flag.error:
            # In safeguarding "could not be checked" must be seen, never read as "no concern".
            title += " (could not be checked automatically)"
        entries.append(pdf.RiskFlagEntry(title, prompts))
        seen.add(flag.code)
    defs = {d.code: d for d in form.risk_flags}
    for code in stored:
        if code in seen:
            continue
        d = defs.get(code)
        if d is not None:
            entries.append(
                pdf.RiskFlagEntry(
                    text_in(d.label, form, None) or code,
                    tuple(text_in(p, form, None) for p in d.prompts),
                )
            )
        else:
            entries.append(pdf.RiskFlagEntry(_domain_flag_label(code)))
        seen.add(code)
    return tuple(entries)


def _safety_plan(record: RecordView, form: FormDefinition | None) -> pdf.SafetyPlan:
    p = record.safety_plan
    helplines = tuple(
        pdf.Helpline(h.name or "", h.phone or "", h.note or "") for h in p.helplines
    ) or (pdf.RUNAWAY_HELPLINE,)
    code = (record.child.preferred_language or "").split("-")[0].lower()
    wording = _CHILD_WORDING.get(code)
    # Only in a language the questionnaire itself is written in (and so was checked with it).
    offered = wording is not None and form is not None and form.language(code) is not None
    return pdf.SafetyPlan(
        trusted_adults=tuple(
            pdf.TrustedAdult(a.name or "", a.relationship or "", a.phone or "")
            for a in p.trusted_adults
        ),
        safe_places=tuple(i.text or "" for i in p.safe_places),
        warning_signs=tuple(i.text or "" for i in p.warning_signs),
        actions=tuple(pdf.AgreedAction(a.who or "", a.what or "", a.by_when) for a in p.actions),
        helplines=helplines,
        review_date=p.review_date,
        child_wording=(wording,) if offered and wording else (),
    )
