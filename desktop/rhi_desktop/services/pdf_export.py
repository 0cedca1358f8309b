"""Export an interview revision as a signed PDF record, or the child's "My safety plan".

``build_document`` maps the store's read model (:mod:`record_view`) onto the PDF layer's plain
model: the PDF package never touches the database. ``export_signed_pdf`` then renders, signs
and writes, entirely in memory until the single write of the file the worker chose: the content
is child data, so no temporary or partial file is ever left on disk.
"""

from __future__ import annotations

import contextlib
import errno
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as dtime
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.x509.oid import NameOID
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rhi_core.canonical import content_sha256
from rhi_core.domain.codes import InterviewState, SessionPresent, SignatureRole
from rhi_core.domain.codes import RiskFlag as RiskFlagCode
from rhi_core.domain.episodes import EpisodeProblem
from rhi_core.forms.evaluate import Evaluation, InstanceState, evaluate
from rhi_core.forms.labels import choice_label, text_in, visible_label
from rhi_core.forms.risk import compute_risk_flags
from rhi_core.forms.schema import FormDefinition, Group, Question
from rhi_core.protocol import payload_dict
from rhi_desktop.pdf import document as pdf
from rhi_desktop.pdf.render import render_interview_pdf, render_safety_plan_pdf
from rhi_desktop.pdf.signing import SigningError, SigningIdentity, sign_pdf
from rhi_desktop.security import audit
from rhi_desktop.store.errors import StoreError

from .attachments import AttachmentInfo, attachment_data, attachment_infos
from .children import ValidationFailed
from .completion import get_interview
from .forms_registry import get_form
from .profiles import Profile
from .record_view import RecordView, canonical_payload, load_record
from .signing_identity import get_or_create_identity
from .sync_payload import completed_events, payload_from_record, record_attachments

__all__ = [
    "EXPORT_STEPS",
    "ExportError",
    "ExportResult",
    "build_document",
    "default_file_name",
    "export_safety_plan_pdf",
    "export_signed_pdf",
]

# The steps a progress callback is told about, in order: progress(index, text).
EXPORT_STEPS = (
    "Building the record",
    "Rendering the PDF",
    "Signing the PDF",
    "Writing the file",
)
ProgressFn = Callable[[int, str], None]

# Sections whose multiple-choice answers are the push and pull factors (looked up by name, not
# by question, so a later form version can rename or add questions without code changes).
PUSH_SECTION = "push_factors"
PULL_SECTION = "pull_factors"

# The record is for professionals: "I'd rather not say" (the child's wording) reads as this.
_YES_NO = {"yes": "Yes", "no": "No", "prefer_not_to_say": "Prefer not to say"}
NOT_ANSWERED = "Not answered"

# Names of the languages children in England most often prefer, for the record's summary.
# Anything else prints as its code; the form's own language list is consulted first.
_LANGUAGE_NAMES = {
    "en": "English",
    "ar": "Arabic",
    "fa": "Persian (Farsi)",
    "ku": "Kurdish",
    "ps": "Pashto",
    "ti": "Tigrinya",
    "am": "Amharic",
    "so": "Somali",
    "vi": "Vietnamese",
    "sq": "Albanian",
    "pl": "Polish",
    "ro": "Romanian",
    "ur": "Urdu",
    "pa": "Punjabi",
    "bn": "Bengali",
    "gu": "Gujarati",
    "tr": "Turkish",
    "pt": "Portuguese",
    "lt": "Lithuanian",
    "fr": "French",
    "es": "Spanish",
    "yo": "Yoruba",
    "tw": "Twi",
    "zh": "Chinese",
}

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


class ExportError(StoreError):
    """The PDF could not be made or saved; ``str()`` is one sentence the worker can act on."""


@dataclass(frozen=True)
class ExportResult:
    path: Path
    interview_id: str
    revision: int
    content_sha256: str
    size_bytes: int
    signer: str
    organisation_verified: bool
    timings_ms: dict[str, float] = field(default_factory=dict)


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
    answers = _answers_tree(record.answers)
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
    if form is not None and evaluation is not None:
        sections = tuple(_sections(form, evaluation, answers, files))
        push = _factors(form, evaluation, PUSH_SECTION)
        pull = _factors(form, evaluation, PULL_SECTION)
        flags = _risk_flags(form, answers, record.risk_flags, moment)
    elif record.risk_flags:
        flags = tuple(pdf.RiskFlagEntry(_domain_flag_label(c)) for c in record.risk_flags)
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
    )


def _local(when: datetime) -> datetime:
    """The laptop's wall time, as the worker saw it in the app (the store keeps UTC)."""
    return when.astimezone()


def _code_label(value: str, code_list: Any) -> str:
    try:
        return str(code_list(value).label)
    except ValueError:
        return value


def _language_name(code: str, form: FormDefinition | None) -> str:
    lang = form.language(code) if form else None
    if lang is not None:
        return lang.name
    return _LANGUAGE_NAMES.get(code.split("-")[0].lower(), code)


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
        language=_language_name(c.preferred_language, form),
        interpreter_needed=c.interpreter_needed,
    )


def _answers_tree(stored: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The forms engine's answers shape from the store's ``{repeat_path: {question: value}}``.

    Autosave keeps a repeat as one top-level row holding its list of instances; rows under a
    ``"repeat/N"`` path (older data) are folded into that list so either shape prints.
    """
    out: dict[str, Any] = dict(stored.get("", {}))
    for path, values in sorted(stored.items()):
        if not path:
            continue
        name, _, index = path.partition("/")
        if not index.isdigit():
            continue
        instances = out.setdefault(name, [])
        if not isinstance(instances, list):
            continue
        i = int(index)
        while len(instances) <= i:
            instances.append({})
        if isinstance(instances[i], dict):
            instances[i] = {**instances[i], **values}
    return out


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _format(q: Question, value: Any, form: FormDefinition, other_text: Any = None) -> str:
    """An answer as the worker should read it: codes as their labels, yes/no spelled out."""
    if _empty(value):
        return NOT_ANSWERED
    if q.type == "yes_no":
        return _YES_NO.get(str(value), str(value))
    if q.type in ("select_one", "select_multiple", "scale"):
        return "; ".join(_choice_text(q, c, form, other_text) for c in _codes(q, value, form))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if q.type == "date":
        return _iso_date(value)
    if q.type == "datetime":
        return _iso_datetime(value)
    if q.type == "time":
        return _iso_time(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _codes(q: Question, value: Any, form: FormDefinition) -> list[str]:
    """Selected codes in the choice list's order, so the same answer always reads the same."""
    codes = [str(c) for c in (value if isinstance(value, list) else [value])]
    order = {c.value: n for n, c in enumerate(form.choices.get(q.choices or "", ()))}
    return sorted(codes, key=lambda c: order.get(c, len(order)))


def _choice_text(q: Question, code: str, form: FormDefinition, other_text: Any) -> str:
    choices = form.choices.get(q.choices or "", ())
    if q.type == "scale" and not choices:
        choices = form.choices.get("faces_5", ())
    choice = next((c for c in choices if c.value == code), None)
    text = choice_label(choice, form) if choice else code
    if q.type == "scale":
        text = f"{text} ({code} of {len(choices)})" if choices else code
    if code == "other" and not _empty(other_text):
        text = f"{text}: {other_text}"
    return text


def _iso_date(value: Any) -> str:
    try:
        d = date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return f"{d.day} {d:%b %Y}"


def _iso_datetime(value: Any) -> str:
    try:
        d = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if d.tzinfo is not None:
        d = d.astimezone()
    return f"{d.day} {d:%b %Y, %H:%M}"


def _iso_time(value: Any) -> str:
    try:
        return f"{dtime.fromisoformat(str(value)):%H:%M}"
    except ValueError:
        return str(value)


def _other_value(q: Question, values: Mapping[str, Any], raw: Mapping[str, Any]) -> Any:
    if not q.other:
        return None
    value = values.get(q.other_name)
    return raw.get(q.other_name) if _empty(value) else value


@dataclass
class _Files:
    """The interview's attachments, and the file-question files to attach to the PDF."""

    infos: Mapping[str, AttachmentInfo]
    data: Mapping[str, bytes]
    embedded: list[pdf.EmbeddedFile] = field(default_factory=list)

    def answer(self, q: Question, value: Any, label: str) -> pdf.AnswerItem:
        info = self.infos.get(str(value)) if isinstance(value, str) else None
        if info is None:
            return pdf.AnswerItem(label, NOT_ANSWERED if _empty(value) else "(file missing)")
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
    form: FormDefinition, ev: Evaluation, answers: Mapping[str, Any], files: _Files
) -> Iterable[pdf.AnswerSection]:
    for section in form.sections:
        if not ev.groups.get(section.name, False):
            continue  # the whole section did not apply
        items = list(_items(section.items, form, ev, answers, files))
        if items:
            title = ev.fill(visible_label(section, form)) or section.name
            yield pdf.AnswerSection(title, tuple(items))


def _items(
    items: Sequence[Question | Group],
    form: FormDefinition,
    ev: Evaluation,
    answers: Mapping[str, Any],
    files: _Files,
) -> Iterable[pdf.AnswerItem | pdf.RepeatTable]:
    for item in items:
        if isinstance(item, Group):
            if not ev.groups.get(item.name, False):
                continue
            if item.kind == "repeat":
                raw = answers.get(item.name)
                entries = ev.repeats.get(item.name, [])
                yield from _repeat_tables(
                    item, form, entries, raw if isinstance(raw, list) else [], files, ""
                )
            else:
                # Groups inside a section (e.g. the CSE indicators) print inline, in order.
                yield from _items(item.items, form, ev, answers, files)
            continue
        if not item.is_input:
            continue  # notes and calculations are not answers
        state = ev.questions.get(item.name)
        if state is None or not state.relevant:
            continue  # not relevant: left out of the record
        label = ev.fill(visible_label(item, form)) or item.name
        if item.type in ("image", "file"):
            yield files.answer(item, state.value, label)
            continue
        other = _other_value(item, ev.values, answers)
        yield pdf.AnswerItem(label, _format(item, state.value, form, other))


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
            if state is None or not state.relevant or _empty(state.value):
                row.append("")  # an empty cell reads better than "Not answered" in a table
            elif q.type in ("image", "file"):
                row.append(files.answer(q, state.value, q.name).answer)
            else:
                row.append(_format(q, state.value, form, _other_value(q, values, raw)))
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


def _factors(form: FormDefinition, ev: Evaluation, section_name: str) -> tuple[str, ...]:
    section = next((s for s in form.sections if s.name == section_name), None)
    if section is None or not ev.groups.get(section_name, False):
        return ()
    out: list[str] = []
    for item, _parents in _walk(section):
        if not (isinstance(item, Question) and item.type == "select_multiple"):
            continue
        state = ev.questions.get(item.name)
        if state is None or not state.relevant or _empty(state.value):
            continue
        other = _other_value(item, ev.values, {})
        out += [_choice_text(item, c, form, other) for c in _codes(item, state.value, form)]
    return tuple(out)


def _walk(group: Group) -> Iterable[tuple[Question | Group, Group]]:
    for item in group.items:
        yield item, group
        if isinstance(item, Group) and item.kind != "repeat":
            yield from _walk(item)


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


# --- export -------------------------------------------------------------------------------------


def default_file_name(case_number: str, revision: int, kind: str = "RHI") -> str:
    """``RHI-<case number>-rev<N>.pdf`` (only characters safe in every file system)."""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in case_number) or "record"
    return f"{kind}-{safe}-rev{revision}.pdf"


def _organisation(identity: SigningIdentity) -> str:
    try:
        cert = x509.load_der_x509_certificate(identity.certificate.dump())
        names = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
        return str(names[0].value) if names else ""
    except ValueError:
        return ""


def _check_destination(out: Path) -> None:
    """Fail before the work, with the sentence the worker needs, when the path cannot work."""
    if out.is_dir():
        raise ExportError(f"{out} is a folder; choose a file name for the PDF.")
    folder = out.parent
    if not folder.exists():
        raise ExportError(f"The folder {folder} does not exist; choose another place to save.")
    if not folder.is_dir():
        raise ExportError(f"{folder} is not a folder; choose another place to save the PDF.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ExportError(
            f"The folder {folder} cannot be written to; choose another place to save the PDF."
        )


def _write_once(out: Path, data: bytes) -> None:
    """Write ``data`` as the file ``out`` (mode 0600), durably, or leave no file at all.

    No temporary file: a rename-into-place would briefly leave a second copy of child data and,
    after a crash, an orphan. Overwriting is allowed because the worker chose this path.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(out, flags, 0o600)
    except OSError as exc:
        raise _write_error(out, exc) from exc
    try:
        # An existing file keeps its old mode otherwise (no fchmod on Windows, where the file
        # is in the worker's own folder anyway).
        with contextlib.suppress(AttributeError, OSError):
            os.fchmod(fd, 0o600)
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    except OSError as exc:
        os.close(fd)
        _remove_quietly(out)
        raise _write_error(out, exc) from exc
    os.close(fd)


def _remove_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def _write_error(out: Path, exc: OSError) -> ExportError:
    code = exc.errno
    if isinstance(exc, IsADirectoryError) or code == errno.EISDIR:
        return ExportError(f"{out} is a folder; choose a file name for the PDF.")
    if code in (errno.ENOSPC, errno.EDQUOT):
        return ExportError(
            "The disk is full, so the PDF was not saved; free some space and try again."
        )
    if code in (errno.EACCES, errno.EPERM, errno.EROFS):
        return ExportError(
            f"The folder {out.parent} cannot be written to; choose another place to save the PDF."
        )
    if code == errno.ENOENT:
        return ExportError(f"The folder {out.parent} does not exist; choose another place to save.")
    return ExportError(f"The PDF could not be saved to {out} ({exc.strerror or exc}).")


def _identity(profile: Profile) -> tuple[SigningIdentity, bool]:
    """The signing identity, made on first use in its own transaction (committed even if the
    export later fails, so every export signs with the same certificate)."""
    for attempt in range(2):
        try:
            with profile.transaction() as s:
                return get_or_create_identity(s, profile.worker_name, profile.profile_id)
        except IntegrityError:
            # Two exports raced to make the first identity: the other one won; use it.
            if attempt:
                raise
    raise AssertionError("unreachable")


def _assert_exportable(session: Session, interview_id: str, revision: int | None) -> None:
    interview = get_interview(session, interview_id)
    if revision is None and interview.state in (None, InterviewState.DRAFT):
        raise ValidationFailed(
            [
                EpisodeProblem(
                    "interview",
                    "Only a completed interview can be exported as a signed record; complete "
                    "this one first.",
                )
            ]
        )


def export_signed_pdf(
    profile: Profile,
    interview_id: str,
    out_path: Path | str,
    *,
    now: datetime,
    revision: int | None = None,
    progress: ProgressFn | None = None,
) -> ExportResult:
    """Build, render, sign and write the interview record; audit event ``interview.export``.

    Raises :class:`ExportError` (file problems, signing), ``ValidationFailed`` (unknown
    interview, a draft) or ``FormNotAvailable``; each ``str()`` is one sentence.
    """
    out = Path(out_path).expanduser()
    _check_destination(out)
    timings: dict[str, float] = {}

    def step(index: int) -> None:
        if progress is not None:
            progress(index, EXPORT_STEPS[index])

    step(0)
    t0 = time.perf_counter()
    identity, verified = _identity(profile)
    with profile.sessions() as s:
        _assert_exportable(s, interview_id, revision)
        doc = build_document(
            s,
            interview_id,
            revision,
            now=now,
            demo=profile.demo,
            worker_name=profile.worker_name,
            organisation_verified=verified,
            organisation_name=_organisation(identity) if verified else "",
        )
    t1 = time.perf_counter()
    step(1)
    plain = render_interview_pdf(doc)
    t2 = time.perf_counter()
    step(2)
    try:
        signed = sign_pdf(
            plain,
            identity,
            reason="Return Home Interview record",
            location=doc.meta.organisation_name,
        )
    except SigningError as exc:
        raise ExportError(f"The PDF could not be signed: {exc}") from exc
    t3 = time.perf_counter()
    step(3)
    _write_once(out, signed)
    t4 = time.perf_counter()
    timings.update(
        build=(t1 - t0) * 1000,
        render=(t2 - t1) * 1000,
        sign=(t3 - t2) * 1000,
        write=(t4 - t3) * 1000,
        total=(t4 - t0) * 1000,
    )
    with profile.transaction() as s:
        # Ids and codes only: the path may name the child, so it is not recorded.
        audit.record(
            s,
            actor=profile.worker_name,
            action="interview.export",
            entity="interview",
            entity_id=doc.meta.interview_id,
            detail={
                "revision": doc.meta.revision,
                "document": "signed_record",
                "content_sha256": doc.meta.content_sha256,
                "organisation_verified": verified,
            },
        )
    return ExportResult(
        path=out,
        interview_id=doc.meta.interview_id,
        revision=doc.meta.revision,
        content_sha256=doc.meta.content_sha256,
        size_bytes=len(signed),
        signer=identity.common_name,
        organisation_verified=verified,
        timings_ms=timings,
    )


def export_safety_plan_pdf(
    profile: Profile,
    interview_id: str,
    out_path: Path | str,
    *,
    now: datetime,
    language: str | None = None,
    revision: int | None = None,
) -> Path:
    """Write the child's one-page "My safety plan", in ``language`` (default: the child's
    preferred language where the questionnaire has it, else English). Drafts are allowed: the
    plan is handed over at the end of the conversation, before the record is completed."""
    out = Path(out_path).expanduser()
    _check_destination(out)
    with profile.sessions() as s:
        doc = build_document(s, interview_id, revision, now=now, demo=profile.demo)
        record_language = _child_language(s, interview_id)
    chosen = language or record_language
    data = render_safety_plan_pdf(doc, chosen if doc.safety_plan.wording(chosen) else "en")
    _write_once(out, data)
    with profile.transaction() as s:
        audit.record(
            s,
            actor=profile.worker_name,
            action="interview.export",
            entity="interview",
            entity_id=doc.meta.interview_id,
            detail={"revision": doc.meta.revision, "document": "safety_plan"},
        )
    return out


def _child_language(session: Session, interview_id: str) -> str:
    return get_interview(session, interview_id).child.preferred_language or "en"
