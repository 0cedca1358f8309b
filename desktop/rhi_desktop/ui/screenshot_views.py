"""The views `rhi-desktop screenshot --view NAME` can render: each puts the window in a state."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer
from PySide6.QtWidgets import QWidget

from .main_window import MainWindow

# A view puts the window in a state; one that opens a dialog returns it (that is what is shot).
ViewFn = Callable[[MainWindow], QWidget | None]
VIEWS: dict[str, ViewFn] = {}


def view(name: str) -> Callable[[ViewFn], ViewFn]:
    def register(fn: ViewFn) -> ViewFn:
        VIEWS[name] = fn
        return fn

    return register


def _settle() -> None:
    from .operations import wait_for_background

    for _ in range(3):
        wait_for_background()
        QCoreApplication.processEvents()


@view("caseload")
def _caseload_view(window: MainWindow) -> None:
    # Show the most urgent child in the detail panel, as a worker would on opening.
    if window.caseload.proxy.rowCount():
        window.caseload.table.selectRow(0)


def open_interview_of(window: MainWindow, child_id: str) -> None:
    """Open a child's interview and wait until it is on screen."""
    loop = QEventLoop()
    window.pages.currentChanged.connect(lambda _i: loop.quit())
    QTimer.singleShot(15_000, loop.quit)
    window.open_interview(child_id)
    loop.exec()
    view = window.interview
    if view is not None and view.ops is not None:
        # The record (step notes, review list) is read just after the first paint.
        loaded = QEventLoop()
        view.ops.snapshot_loaded.connect(lambda _s: loaded.quit())
        QTimer.singleShot(5_000, loaded.quit)
        if view.ops.snapshot is None:
            loaded.exec()


@view("interview")
def _interview_view(window: MainWindow) -> None:
    """The first draft on the caseload, opened on a section with answers."""
    _open_filled_draft(window)
    if window.interview is not None:
        window.interview.go_to(window.interview.visible_sections()[1])


def _fill_record(window: MainWindow, interview_id: str) -> None:
    """A realistic offer, session and safety plan on a demo draft, written through the services
    (as a worker's clicks would be), so the pictures show real content."""
    from datetime import date, timedelta

    from rhi_desktop.services import offers, safety_plans, sessions
    from rhi_desktop.services.children import ValidationFailed
    from rhi_desktop.services.completion import get_interview, offers_for
    from rhi_desktop.services.safety_plans import PlanItemInput as Item

    profile, now, actor = window.profile, window._clock(), window.profile.worker_name
    with profile.transaction() as s:
        interview = get_interview(s, interview_id)
        returns = [e.returned_at for e in interview.episodes if e.returned_at]
        earlier = [o.at for o in offers_for(s, interview_id, interview.revision)]
        start = max([*returns, *earlier]) if returns else now - timedelta(hours=30)
        offer_at = min(start + timedelta(hours=3), now - timedelta(hours=2))
        session_at = min(offer_at + timedelta(hours=20), now - timedelta(minutes=90))
        try:
            offers.record_offer(
                s,
                interview_id,
                offers.OfferInput(offer_at, "phone", "accepted", by_whom=actor),
                actor=actor,
                now=now,
            )
            sessions.record_session(
                s,
                interview_id,
                sessions.SessionInput(
                    session_at, 55, "Youth centre, quiet room", ["social_worker"], True, True
                ),
                actor=actor,
                now=now,
            )
        except ValidationFailed:
            pass  # the demo's own history already covers it: show what is there
        plan = [
            Item.trusted_adult("Aunt Mel (Melanie Price)", "Aunt", "07700 900461"),
            Item.trusted_adult("Ms Okoye", "Head of year", "0161 496 0732"),
            Item.safe_place("Aunt Mel's flat on Carr Lane"),
            Item.safe_place("Library on the high street (open till 7pm)"),
            Item.warning_sign("Messages from older boys offering lifts or money"),
            Item.warning_sign("Rows at home about curfew, feeling like nobody listens"),
            Item.action("Sam (RHI worker)", "Refer to the exploitation team", date.today()),
            Item.action(
                "Carer", "Agree a later curfew on Fridays", date.today() + timedelta(days=7)
            ),
        ]
        for item in plan:
            safety_plans.add_item(s, interview_id, item, actor=actor, now=now)
        safety_plans.set_review_date(
            s, interview_id, now.date() + timedelta(days=28), actor=actor, now=now
        )


def _open_filled_draft(window: MainWindow) -> None:
    from rhi_desktop.store.models import ReturnInterview

    rows = window.caseload.model.rows()
    candidates = [r for r in rows if r.rhi_status == "draft" and r.interview_id]
    with window.profile.sessions() as s:
        # "draft" on the caseload includes records back from review; pick a real draft.
        draft = next(
            (
                r
                for r in candidates
                if (i := s.get(ReturnInterview, r.interview_id)) is not None and i.state == "draft"
            ),
            None,
        )
    if draft is None or draft.interview_id is None:
        return
    _fill_record(window, draft.interview_id)
    open_interview_of(window, draft.child_id)


def _show_step(window: MainWindow, name: str) -> None:
    view = window.interview
    if view is None:
        return
    view.go_to(name)
    if view.ops is not None:
        view.ops.wait()
        loop = QEventLoop()
        view.ops.snapshot_loaded.connect(lambda _s: loop.quit())
        QTimer.singleShot(5_000, loop.quit)
        view.ops.reload()
        loop.exec()


@view("offer")
def _offer_view(window: MainWindow) -> None:
    """Offer and consent: the attempts, the computed 72-hour flags."""
    _open_filled_draft(window)
    _show_step(window, "rhi_offer")


@view("sessions")
def _sessions_view(window: MainWindow) -> None:
    _open_filled_draft(window)
    _show_step(window, "rhi_sessions")


@view("outcomes")
def _outcomes_view(window: MainWindow) -> None:
    """Outcomes and referrals, with what the risk flags ask."""
    _open_filled_draft(window)
    _show_step(window, "rhi_outcomes")


@view("signatures")
def _signatures_view(window: MainWindow) -> None:
    _open_filled_draft(window)
    _show_step(window, "rhi_signatures")


@view("young-person")
def _young_person_view(window: MainWindow) -> None:
    """The laptop handed to the child: their questions, their words only."""
    _open_filled_draft(window)
    view = window.interview
    if view is not None:
        view.set_young_person_mode(True)
        view.go_to("own_words" if "own_words" in view.steps() else view.steps()[0])
    _settle()


@view("read-back")
def _read_back_view(window: MainWindow) -> QWidget | None:
    """The read-back before locking (of a demo draft, whatever it still lacks)."""
    from rhi_desktop.services.record_summary import summarise

    from .record.complete_dialog import CompleteDialog

    _open_filled_draft(window)
    view = window.interview
    if view is None:
        return None
    with window.profile.sessions() as s:
        summary = summarise(s, view.data.interview_id, now=window._clock())
    dialog = CompleteDialog(summary, view)
    dialog.show()
    _settle()
    return dialog


@view("add-child")
def _add_child_view(window: MainWindow) -> QWidget:
    dialog = window.add_child()
    _settle()
    return dialog


@view("episode")
def _episode_view(window: MainWindow) -> QWidget | None:
    rows = window.caseload.model.rows()
    if not rows:
        return None
    window.caseload.select_child(rows[0].child_id)
    dialog = window.record_episode(rows[0].child_id)
    _settle()
    return dialog


@view("safety-plan")
def _safety_plan_view(window: MainWindow) -> None:
    """A demo draft with a plan made with the young person."""
    _open_filled_draft(window)
    _show_step(window, "rhi_safety_plan")


@view("review")
def _review_view(window: MainWindow) -> None:
    """The same draft on Review and complete: what is still missing, each a link."""
    _open_filled_draft(window)
    _show_step(window, "rhi_review")


@view("dashboard")
def _dashboard_view(window: MainWindow) -> None:
    """The worker's figures for the last 12 months."""
    from .dashboard import show_for_screenshot

    window.show_page("dashboard")
    assert window.dashboard is not None
    window.dashboard.set_preset("last_12_months")
    show_for_screenshot(window.dashboard)


@view("audit")
def _audit_view(window: MainWindow) -> None:
    from .operations import wait_for_background

    window.show_page("audit")
    wait_for_background()
    for _ in range(3):
        QCoreApplication.processEvents()


@view("sync")
def _sync_view(window: MainWindow) -> None:
    from .operations import wait_for_background

    window.show_page("sync")
    wait_for_background()
    for _ in range(3):
        QCoreApplication.processEvents()
