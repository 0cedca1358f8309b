"""Episodes in: rows checked against central's records, then applied whole or not at all.

Every source (a CSV file through its mapping, the integration endpoint, the console form)
becomes raw rows; ``plan`` reads and checks all of them and ``apply`` writes the plan. A plan
with any problem is never applied: a file is refused whole, with every bad row listed by number.

The rules:
- a child is found by case number; a case number new to central needs first and last name and
  date of birth; a date of birth that differs from central's record is a conflict, not an update;
- an episode is the same episode when its police reference matches (else the same child and the
  same start): re-importing a file changes nothing, and a later export of the same episode adds
  what is new (the return, where found) without duplicating it;
- a blank cell never clears what central holds;
- each episode keeps the shared episode rules (``rhi_core.domain.episodes``: no overlap, no
  return before the start, nothing before the child's birth, nothing in the future);
- two rows of one file that say different things about one child, or repeat one episode, are
  problems too (never a silent "last one wins");
- a named allocated worker must be an active worker; a change of worker is an allocation, with
  the source as its reason.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from rhi_central import audit
from rhi_central.allocation.service import Move, notify_changed, record_moves
from rhi_central.episodes.csvfile import RawRow
from rhi_central.episodes.fields import (
    CHILD_FIELDS,
    EPISODE_FIELDS,
    FIELDS,
    UK_ZONE,
    Readers,
    ValueProblem,
    read_value,
)
from rhi_central.models import Child, Episode
from rhi_central.staff.service import allocatable_workers
from rhi_central.timeutil import new_id
from rhi_core.domain.episodes import EpisodeSpan, validate_episode

_CHUNK = 500
ANALYZE_AFTER = 1000  # new episodes in one import
DEFAULT_ETHNICITY = "Not known"
# Child columns by import field (the rest have the same name).
_CHILD_COLUMN = {"date_of_birth": "dob"}


@dataclass(frozen=True, slots=True)
class RowProblem:
    row: int
    field: str | None
    message: str

    @property
    def text(self) -> str:
        return f"Row {self.row}: {self.message}."


@dataclass(frozen=True, slots=True)
class RowOutcome:
    row: int
    case_number: str
    child: str  # "new", "updated" or "unchanged"
    episode: str  # "new", "updated" or "unchanged"
    child_id: str
    episode_id: str
    worker: str | None


@dataclass
class Plan:
    rows: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    outcomes: list[RowOutcome] = field(default_factory=list)
    new_children: dict[str, dict[str, Any]] = field(default_factory=dict)
    child_updates: dict[str, dict[str, Any]] = field(default_factory=dict)
    new_episodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    episode_updates: dict[str, dict[str, Any]] = field(default_factory=dict)
    moves: list[Move] = field(default_factory=list)
    _children: dict[str, Child] = field(default_factory=dict, repr=False)
    _episodes: dict[str, Episode] = field(default_factory=dict, repr=False)
    _workers: dict[str, str | None] = field(default_factory=dict, repr=False)  # child -> worker

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def changes(self) -> bool:
        return bool(
            self.new_children
            or self.child_updates
            or self.new_episodes
            or self.episode_updates
            or self.moves
        )

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "children_created": len(self.new_children),
            "children_updated": len(self.child_updates),
            "episodes_created": len(self.new_episodes),
            "episodes_updated": len(self.episode_updates),
            "unchanged": sum(
                1 for o in self.outcomes if o.child == "unchanged" and o.episode == "unchanged"
            ),
            "allocations": len(self.moves),
            "problems": len(self.problems),
        }

    @property
    def child_ids(self) -> list[str]:
        return sorted({o.child_id for o in self.outcomes})


@dataclass
class _ChildState:
    """A child as the rows so far leave it (central's record plus the file's changes)."""

    child_id: str
    existing: Child | None
    values: dict[str, Any]  # field -> value, as it will stand
    said_by: dict[str, int]  # field -> the row that set it in this file
    spans: dict[str, EpisodeSpan]
    episodes: dict[str, Episode]  # central's episodes of the child
    worker: str | None
    worker_row: int | None = None


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for i in range(0, len(values), _CHUNK):
        yield values[i : i + _CHUNK]


def parse_rows(
    raw_rows: Sequence[RawRow], readers: Readers
) -> tuple[list[tuple[int, dict[str, Any]]], list[RowProblem]]:
    """Each row's non-blank cells as values; a cell that cannot be read is a problem."""
    parsed: list[tuple[int, dict[str, Any]]] = []
    problems: list[RowProblem] = []
    for raw in raw_rows:
        values: dict[str, Any] = {}
        unreadable: set[str] = set()
        for name, cell in raw.cells.items():
            if cell == "":
                continue
            try:
                values[name] = read_value(FIELDS[name], cell, readers)
            except ValueProblem as exc:
                problems.append(RowProblem(raw.number, name, str(exc)))
                unreadable.add(name)
        for required in ("case_number", "started_at"):
            if required not in values and required not in unreadable:
                problems.append(
                    RowProblem(raw.number, required, f"the {FIELDS[required].label} is blank")
                )
                unreadable.add(required)
        if not unreadable:
            parsed.append((raw.number, values))
    return parsed, problems


def plan(session: Session, raw_rows: Sequence[RawRow], readers: Readers, *, now: datetime) -> Plan:
    result = Plan(rows=len(raw_rows))
    rows, problems = parse_rows(raw_rows, readers)
    result.problems.extend(problems)
    _repeats(rows, result)
    case_numbers = sorted({v["case_number"] for _, v in rows})
    children = _children_by_case(session, case_numbers)
    child_ids = [c.id for found in children.values() for c in found]
    refs = sorted({v["police_reference"].lower() for _, v in rows if "police_reference" in v})
    episodes_of, by_ref = _episodes(session, child_ids, refs)
    workers = {}
    for user in allocatable_workers(session):
        workers[user.name.lower()] = user.name
        workers[user.email.lower()] = user.name
    states: dict[str, _ChildState] = {}
    for number, values in rows:
        state = _child_state(result, states, children, episodes_of, number, values)
        if state is None:
            continue
        _episode(result, state, by_ref, number, values, now)
        _allocation(result, state, workers, number, values)
    result.problems.sort(key=lambda p: (p.row, p.field or ""))
    return result


def _repeats(rows: list[tuple[int, dict[str, Any]]], result: Plan) -> None:
    seen: dict[tuple[str, ...], int] = {}
    for number, values in rows:
        ref = values.get("police_reference")
        if ref:
            key: tuple[str, ...] = ("ref", ref.lower())
            what = f"police reference {ref}"
        else:
            key = ("start", values["case_number"], values["started_at"].isoformat())
            what = "child and start"
        first = seen.setdefault(key, number)
        if first != number:
            result.problems.append(
                RowProblem(number, "police_reference", f"repeats row {first} (same {what})")
            )


def _children_by_case(session: Session, case_numbers: list[str]) -> dict[str, list[Child]]:
    found: dict[str, list[Child]] = defaultdict(list)
    for chunk in _chunks(case_numbers):
        for child in session.scalars(select(Child).where(Child.local_id.in_(chunk))):
            found[child.local_id].append(child)
    return found


def _episodes(
    session: Session, child_ids: list[str], refs: list[str]
) -> tuple[dict[str, list[Episode]], dict[str, list[Episode]]]:
    episodes: dict[str, Episode] = {}
    for chunk in _chunks(child_ids):
        for ep in session.scalars(select(Episode).where(Episode.child_id.in_(chunk))):
            episodes[ep.id] = ep
    # References are compared ignoring case (most forces write them upper-case already). Only
    # those not already among these children's episodes need looking for: on another child
    # they are a problem, and a re-import finds them all at once above.
    known = {ep.police_reference.lower() for ep in episodes.values() if ep.police_reference}
    unknown = [r for r in refs if r not in known]
    for chunk in _chunks(sorted({r.upper() for r in unknown} | set(unknown))):
        for ep in session.scalars(select(Episode).where(Episode.police_reference.in_(chunk))):
            episodes[ep.id] = ep
    of_child: dict[str, list[Episode]] = defaultdict(list)
    by_ref: dict[str, list[Episode]] = defaultdict(list)
    for ep in episodes.values():
        of_child[ep.child_id].append(ep)
        if ep.police_reference:
            by_ref[ep.police_reference.lower()].append(ep)
    return of_child, by_ref


def _child_state(
    result: Plan,
    states: dict[str, _ChildState],
    children: dict[str, list[Child]],
    episodes_of: dict[str, list[Episode]],
    number: int,
    values: dict[str, Any],
) -> _ChildState | None:
    case_number = values["case_number"]
    state = states.get(case_number)
    if state is None:
        found = children.get(case_number, [])
        if len(found) > 1:
            result.problems.append(
                RowProblem(
                    number,
                    "case_number",
                    f"case number {case_number} belongs to {len(found)} children in central: "
                    "correct that first",
                )
            )
            return None
        if found:
            child = found[0]
            current = {f: getattr(child, _CHILD_COLUMN.get(f, f)) for f in CHILD_FIELDS}
            current["date_of_birth"] = child.dob
            state = _ChildState(
                child.id,
                child,
                current,
                {},
                {
                    e.id: EpisodeSpan(e.id, e.started_at, e.returned_at)
                    for e in episodes_of.get(child.id, [])
                },
                {e.id: e for e in episodes_of.get(child.id, [])},
                child.assigned_worker,
            )
            result._children[child.id] = child
        else:
            missing = [
                FIELDS[f].label
                for f in ("first_name", "last_name", "date_of_birth")
                if f not in values
            ]
            if missing:
                result.problems.append(
                    RowProblem(
                        number,
                        "case_number",
                        f"case number {case_number} is new to central, so the row needs the "
                        f"child's {' and '.join(missing)}",
                    )
                )
                return None
            state = _ChildState(new_id(), None, {}, {}, {}, {}, None)
        states[case_number] = state
    if not _child_values(result, state, number, values):
        return None
    return state


def _child_values(result: Plan, state: _ChildState, number: int, values: dict[str, Any]) -> bool:
    ok = True
    dob = values.get("date_of_birth")
    if dob is not None and "date_of_birth" in state.values and dob != state.values["date_of_birth"]:
        earlier = state.said_by.get("date_of_birth")
        where = f"row {earlier}" if earlier else "central's record"
        result.problems.append(
            RowProblem(
                number,
                "date_of_birth",
                f"the date of birth {dob:%d/%m/%Y} conflicts with {where} for case number "
                f"{values['case_number']} ({state.values['date_of_birth']:%d/%m/%Y})",
            )
        )
        return False
    changed: dict[str, Any] = {}
    for name in (*CHILD_FIELDS, "date_of_birth"):
        if name not in values:
            continue
        value = values[name]
        earlier = state.said_by.get(name)
        if earlier is not None and state.values.get(name) != value:
            result.problems.append(
                RowProblem(
                    number,
                    name,
                    f"the {FIELDS[name].label} '{value}' differs from row {earlier}'s "
                    f"'{state.values[name]}' for the same child",
                )
            )
            ok = False
            continue
        state.said_by.setdefault(name, number)
        if state.values.get(name) != value:
            changed[name] = value
            state.values[name] = value
    if not ok:
        return False
    if state.existing is None:
        row = result.new_children.setdefault(state.child_id, _new_child(state.child_id, values))
        for name, value in changed.items():
            row[_CHILD_COLUMN.get(name, name)] = value
    elif changed:
        result.child_updates.setdefault(state.child_id, {}).update(
            {_CHILD_COLUMN.get(k, k): v for k, v in changed.items() if k != "date_of_birth"}
        )
    return True


def _new_child(child_id: str, values: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": child_id,
        "local_id": values["case_number"],
        "first_name": values["first_name"],
        "last_name": values["last_name"],
        "dob": values["date_of_birth"],
        "sex": values.get("sex", "not_known"),
        "ethnicity": values.get("ethnicity", DEFAULT_ETHNICITY),
        "looked_after": values.get("looked_after", False),
        "uasc": values.get("uasc", False),
        "out_of_area": values.get("out_of_area", False),
        "placement_type": None,
        "placing_authority": values.get("placing_authority"),
        "social_worker": None,
        "preferred_language": "en",
        "interpreter_needed": False,
        "assigned_worker": None,
    }


def _episode(
    result: Plan,
    state: _ChildState,
    by_ref: dict[str, list[Episode]],
    number: int,
    values: dict[str, Any],
    now: datetime,
) -> None:
    ref = values.get("police_reference")
    existing: Episode | None = None
    if ref:
        matches = by_ref.get(ref.lower(), [])
        if len(matches) > 1:
            result.problems.append(
                RowProblem(
                    number,
                    "police_reference",
                    f"police reference {ref} is on {len(matches)} episodes in central",
                )
            )
            return
        if matches:
            existing = matches[0]
            if existing.child_id != state.child_id:
                result.problems.append(
                    RowProblem(
                        number,
                        "police_reference",
                        f"police reference {ref} is on another child's episode in central",
                    )
                )
                return
    else:
        started = values["started_at"]
        existing = next((e for e in state.episodes.values() if e.started_at == started), None)
    current: dict[str, Any] = (
        {f: getattr(existing, f) for f in EPISODE_FIELDS} if existing is not None else {}
    )
    changed = {f: values[f] for f in EPISODE_FIELDS if f in values and values[f] != current.get(f)}
    merged = current | changed
    episode_id = existing.id if existing is not None else new_id()
    if existing is None:
        for required in ("category", "risk_grade"):
            if required not in merged:
                result.problems.append(
                    RowProblem(
                        number, required, f"a new episode needs its {FIELDS[required].label}"
                    )
                )
                return
    dob = state.values.get("date_of_birth")
    assert isinstance(dob, date)
    problems = validate_episode(  # in UK time, so its messages show the times people know
        started_at=_uk(merged["started_at"]),
        returned_at=_uk(merged.get("returned_at")),
        dob=dob,
        others=[
            EpisodeSpan(s.id, s.started_at.astimezone(UK_ZONE), s.returned_at)
            for s in state.spans.values()
        ],
        now=now,
        episode_id=episode_id,
        notified_at=_uk(merged.get("notified_at")),
    )
    if problems:
        result.problems.extend(RowProblem(number, p.field, p.message.rstrip(".")) for p in problems)
        return
    state.spans[episode_id] = EpisodeSpan(
        episode_id, merged["started_at"], merged.get("returned_at")
    )
    if existing is None:
        result.new_episodes[episode_id] = {
            "id": episode_id,
            "child_id": state.child_id,
            "category": merged["category"],
            "started_at": merged["started_at"],
            "returned_at": merged.get("returned_at"),
            "where_found": merged.get("where_found"),
            "found_by": None,
            "police_reference": ref,
            "risk_grade": merged["risk_grade"],
            "notified_at": merged.get("notified_at"),
        }
        episode_state = "new"
    elif changed:
        result.episode_updates.setdefault(episode_id, {}).update(changed)
        result._episodes[episode_id] = existing
        episode_state = "updated"
    else:
        episode_state = "unchanged"
    if state.existing is None:
        child_state = "new"
    elif state.child_id in result.child_updates:
        child_state = "updated"
    else:
        child_state = "unchanged"
    result.outcomes.append(
        RowOutcome(
            number,
            values["case_number"],
            child_state,
            episode_state,
            state.child_id,
            episode_id,
            state.worker,
        )
    )


def _uk(value: datetime | None) -> datetime | None:
    return value.astimezone(UK_ZONE) if value is not None else None


def _allocation(
    result: Plan, state: _ChildState, workers: dict[str, str], number: int, values: dict[str, Any]
) -> None:
    wanted = values.get("allocated_worker")
    if not wanted or not result.outcomes or result.outcomes[-1].row != number:
        return
    worker = workers.get(wanted.lower())
    if worker is None:
        result.problems.append(
            RowProblem(
                number,
                "allocated_worker",
                f"'{wanted}' is not the name or e-mail address of an active worker",
            )
        )
        return
    if state.worker_row is not None and worker != state.worker:
        result.problems.append(
            RowProblem(
                number,
                "allocated_worker",
                f"row {state.worker_row} allocates the same child to {state.worker}",
            )
        )
        return
    state.worker_row = state.worker_row or number
    if worker != state.worker:
        result.moves.append(Move(state.child_id, state.worker, worker))
        state.worker = worker
        last = result.outcomes[-1]
        result.outcomes[-1] = RowOutcome(
            last.row, last.case_number, last.child, last.episode, last.child_id,
            last.episode_id, worker,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Applied:
    counts: dict[str, int]
    child_ids: list[str]


def apply(
    session: Session,
    plan_: Plan,
    *,
    actor: str,
    now: datetime,
    source: dict[str, Any],
    reason: str,
) -> Applied:
    """Write a plan made in this same session. Refuses (ValueError) a plan with problems."""
    if not plan_.ok:
        raise ValueError("a plan with problems is never applied")
    moved = {m.child_id: m for m in plan_.moves}
    # Collapse several moves of one child in one file into the last one.
    final_moves = list(moved.values())
    if plan_.new_children:
        rows = []
        for child_id, row in plan_.new_children.items():
            move = moved.get(child_id)
            rows.append(row | {"assigned_worker": move.worker if move else None})
        session.execute(insert(Child), rows)
    for child_id, changes in plan_.child_updates.items():
        child = plan_._children[child_id]
        for name, value in changes.items():
            setattr(child, name, value)
    for m in final_moves:
        child = plan_._children.get(m.child_id)
        if child is not None:
            child.assigned_worker = m.worker
    if plan_.new_episodes:
        session.execute(insert(Episode), list(plan_.new_episodes.values()))
    for episode_id, changes in plan_.episode_updates.items():
        episode = plan_._episodes[episode_id]
        for name, value in changes.items():
            setattr(episode, name, value)
    session.flush()
    record_moves(session, final_moves, reason=reason, actor=actor, now=now, audit_each=False)
    # Laptops holding a child whose record or episodes changed (and who did not move) refresh it.
    touched = set(plan_.child_updates)
    touched.update(e["child_id"] for e in plan_.new_episodes.values())
    touched.update(plan_._episodes[e].child_id for e in plan_.episode_updates)
    touched.difference_update(moved)
    notify_changed(
        session,
        [(cid, plan_._children[cid].assigned_worker) for cid in touched if cid in plan_._children],
        now=now,
    )
    if len(plan_.new_episodes) >= ANALYZE_AFTER and session.get_bind().dialect.name == "postgresql":
        # A big load leaves the planner's statistics behind until autovacuum catches up; the
        # next import (and the board) would scan instead of using the indexes meanwhile.
        session.execute(text("ANALYZE children, episodes"))
    counts = plan_.counts()
    child_ids = plan_.child_ids
    audit.record(
        session,
        actor=actor,
        action="episodes.import",
        detail={
            **source,
            **counts,
            "children": child_ids,
            "moves": [{"child": m.child_id, "worker": m.worker} for m in final_moves],
        },
    )
    return Applied(counts, child_ids)
