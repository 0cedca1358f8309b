"""The panel beside the caseload: who the child is and their episode history."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rhi_core.domain.codes import EpisodeCategory, RhiStatus, RiskGrade
from rhi_core.domain.deadlines import format_remaining
from rhi_desktop.services.caseload import CaseloadRow, EpisodeRow

from .caseload_model import badges, format_when
from .widgets import Card, muted


class ChildDetail(Card):
    record_episode_requested = Signal(str)  # child id
    interview_requested = Signal(str)  # child id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(None, parent)
        em = self.fontMetrics().horizontalAdvance("m")
        self.setMinimumWidth(em * 21)
        self.setMaximumWidth(em * 34)
        self._row: CaseloadRow | None = None
        self.name = QLabel()
        self.name.setObjectName("title")
        self.name.setWordWrap(True)
        self.meta = muted("")
        self.badges = muted("")
        self.deadline = QLabel()
        self.deadline.setWordWrap(True)
        self.status = QLabel()
        self.placeholder = muted("Select a child to see their episodes.")
        # Two columns, the dates on two lines: three side by side were clipped on a laptop.
        self.episodes = QTableWidget(0, 2)
        self.episodes.setAccessibleName("Episode history")
        self.episodes.setHorizontalHeaderLabels(["Missing → back", "Type"])
        self.episodes.setWordWrap(True)
        self.episodes.verticalHeader().hide()
        self.episodes.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.episodes.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.episodes.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.episodes.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.ResizeToContents
        )
        self.episodes.verticalHeader().setDefaultSectionSize(
            self.fontMetrics().lineSpacing() * 2 + 12
        )
        self.episodes.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.episodes.setAlternatingRowColors(True)
        self.add_episode = QPushButton(self.tr("Record a missing episode…"))
        self.add_episode.setAccessibleName("Record a missing episode")
        self.add_episode.clicked.connect(self._on_add_episode)
        self.interview = QPushButton(self.tr("Start interview"))
        self.interview.setObjectName("primary")
        self.interview.setAccessibleName("Start or continue the interview")
        self.interview.clicked.connect(self._on_interview)
        # Why "Start interview" cannot be pressed, said next to it (never a silent grey button).
        self.reason = muted("")
        self.reason.setAccessibleName("Why the interview cannot start")

        for w in (self.placeholder, self.name, self.meta, self.badges, self.deadline, self.status):
            self.body.addWidget(w)
        history = QLabel(self.tr("Episode history"))
        history.setObjectName("sectionTitle")
        self.body.addWidget(history)
        self.body.addWidget(self.episodes, 1)
        # One button per row: at 150% text on a 1280-pixel screen two side by side are clipped.
        buttons = QVBoxLayout()
        buttons.setSpacing(6)
        buttons.addWidget(self.interview)
        buttons.addWidget(self.reason)
        buttons.addWidget(self.add_episode)
        self.body.addLayout(buttons)
        self._history_label = history
        self.show_row(None, [], None)

    def show_row(
        self, row: CaseloadRow | None, episodes: list[EpisodeRow], now: datetime | None
    ) -> None:
        self._row = row
        has = row is not None
        for w in (
            self.name,
            self.meta,
            self.badges,
            self.deadline,
            self.status,
            self.episodes,
            self.add_episode,
            self.interview,
            self._history_label,
        ):
            w.setVisible(has)
        self.reason.setVisible(False)
        self.placeholder.setVisible(not has)
        if row is None or now is None:
            return
        self.name.setText(row.name)
        self.meta.setText(f"{row.local_id} · aged {row.age(now.date())} · born {row.dob:%d/%m/%Y}")
        self.badges.setText(" · ".join(badges(row)) or "")
        deadline = row.deadline(now)
        if deadline is not None:
            self.deadline.setText(
                f"<b>{format_remaining(deadline.remaining).capitalize()}</b> — interview due by "
                f"{format_when(deadline.due_at)}"
            )
        elif row.missing_since is not None:
            self.deadline.setText(f"<b>Missing now</b>, since {format_when(row.missing_since)}")
        else:
            self.deadline.setText("")
        self.status.setText(f"Return home interview: {RhiStatus(row.rhi_status).label}")
        status = RhiStatus(row.rhi_status)
        can_start = row.returned_at is not None and row.missing_since is None
        viewable = status in (RhiStatus.COMPLETED, RhiStatus.SYNCED, RhiStatus.RETURNED)
        enabled = can_start or status == RhiStatus.DRAFT or viewable
        self.interview.setEnabled(enabled)
        if status == RhiStatus.DRAFT:
            self.interview.setText("Continue interview")
        elif status == RhiStatus.RETURNED:
            self.interview.setText("Open the returned record")
        elif viewable:
            self.interview.setText("View record")
        else:
            self.interview.setText("Start interview")
        if not enabled:
            if row.missing_since is not None:
                why = "The child is still missing: the interview starts once they are back."
            elif not episodes:
                why = "No missing episode is recorded yet: record one (below) first."
            else:
                why = "The child's return is not recorded yet: record it on the episode first."
            self.reason.setText(why)
            self.reason.setVisible(True)
        self.episodes.setRowCount(len(episodes))
        for n, ep in enumerate(episodes):
            back = format_when(ep.returned_at, short=True) if ep.returned_at else "still missing"
            values = [
                f"{format_when(ep.started_at, short=True)}\n→ {back}",
                "Missing" if ep.category == EpisodeCategory.MISSING else "Away",
            ]
            tip = f"Police risk grade: {RiskGrade(ep.risk_grade).label}"
            if ep.where_found:
                tip += f"\nFound: {ep.where_found}"
            if ep.police_reference:
                tip += f"\nPolice reference: {ep.police_reference}"
            for c, v in enumerate(values):
                item = QTableWidgetItem(v)
                item.setToolTip(tip)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.episodes.setItem(n, c, item)

    def _on_interview(self) -> None:
        if self._row is not None:
            self.interview_requested.emit(self._row.child_id)

    def _on_add_episode(self) -> None:
        if self._row is not None:
            self.record_episode_requested.emit(self._row.child_id)
