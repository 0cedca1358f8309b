"""The sync panel: progress, the outbox item by item (the child, its state and, for one central
has not taken, central's reason and what to do), last sync, queue size, "Sync now" and "Retry";
and the controller that runs sync passes off the GUI thread, by hand or every few minutes.

The controller never touches the database on the GUI thread: every pass, ping and outbox
snapshot runs through ``run_in_background`` and reports back with queued signals. Automatic
passes ping first (cheap) and back off exponentially, with jitter, while central is unreachable.
"""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from rhi_desktop.services import sync_service
from rhi_desktop.services.profiles import Profile
from rhi_desktop.services.sync_issues import RETRY_IN_APP, advice, describe
from rhi_desktop.sync.errors import ProfileWiped
from rhi_desktop.sync.outbox import OutboxRow
from rhi_desktop.ui.operations import run_in_background

STATE_LABELS = {
    "pending": "Waiting to send",
    "deferred": "Waiting for central",
    "confirmed": "Received by central",
    "conflict": "Conflict – needs a person",
    "rejected": "Refused by central",
}
RETRYABLE = ("rejected", "conflict")
_Index = QModelIndex | QPersistentModelIndex


def _state_key(row: OutboxRow) -> str:
    return "deferred" if row.deferred else row.state


def _what_to_do(row: OutboxRow) -> str:
    if row.needs_attention:
        return advice(row, RETRY_IN_APP)
    return row.last_error or ""


class OutboxModel(QAbstractTableModel):
    """One row per outbox item: child, case number, revision, state, attempts, what to do."""

    HEADERS = ("Child", "Case", "Revision", "State", "Attempts", "What to do")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[OutboxRow] = []

    def set_rows(self, rows: list[OutboxRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def update_item(self, interview_id: str, revision: int, new_state: str) -> None:
        for i, row in enumerate(self._rows):
            if (row.interview_id, row.revision) == (interview_id, revision):
                self._rows[i] = OutboxRow(
                    row.interview_id,
                    row.revision,
                    new_state,
                    row.attempts + 1,
                    None,
                    row.last_error if new_state != "confirmed" else None,
                    row.child_local_id,
                    row.reason_code if new_state != "confirmed" else None,
                    row.child_name,
                )
                self.dataChanged.emit(self.index(i, 0), self.index(i, len(self.HEADERS) - 1))
                return

    def row_at(self, row: int) -> OutboxRow:
        return self._rows[row]

    def rows(self) -> list[OutboxRow]:
        return list(self._rows)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                row.child_name or "",
                row.child_local_id or row.interview_id[:8],
                str(row.revision),
                STATE_LABELS.get(_state_key(row), row.state),
                str(row.attempts),
                _what_to_do(row),
            )[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole and row.last_error:
            return _what_to_do(row)
        if role == Qt.ItemDataRole.UserRole:
            return _state_key(row)
        return None


class SyncController(QObject):
    """Runs sync passes in the background. ``sync_finished`` carries the SyncSummary;
    ``sync_failed`` one sentence; ``profile_wiped`` the sentence after a revocation wipe."""

    sync_started = Signal()
    progress = Signal(int, int, str)
    item_changed = Signal(str, int, str)
    sync_finished = Signal(object)
    sync_failed = Signal(str)
    profile_wiped = Signal(str)
    rows_loaded = Signal(object)

    MAX_INTERVAL_MS = 60 * 60 * 1000

    def __init__(
        self, profile: Profile, parent: QObject | None = None, *, interval_minutes: float = 10
    ) -> None:
        super().__init__(parent)
        self.profile = profile
        self.running = False
        self.wiped = False
        self.interval_ms = int(interval_minutes * 60_000)
        self._failures = 0
        self._auto = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._auto_tick)

    # --- public -------------------------------------------------------------------------------

    def start_auto(self, interval_minutes: float | None = None) -> None:
        if interval_minutes is not None:
            self.interval_ms = int(interval_minutes * 60_000)
        self._auto = True
        self._timer.start(self.interval_ms)

    def stop_auto(self) -> None:
        self._auto = False
        self._timer.stop()

    def sync_now(self, *, force: bool = True) -> bool:
        """Start a pass unless one is running (returns whether it started)."""
        if self.running or self.wiped:
            return False
        self.running = True
        self.sync_started.emit()
        profile = self.profile

        # Worker-thread callbacks only emit signals: Qt queues them to the GUI thread.
        def work() -> sync_service.SyncSummary:
            return sync_service.sync_once(
                profile,
                force=force,
                on_progress=lambda d, t, w: self.progress.emit(d, t, w),
                on_item=lambda i, r, s: self.item_changed.emit(i, r, s),
            )

        run_in_background(self, work, self._done, self._failed)
        return True

    def retry(self, keys: set[tuple[str, int]] | None = None) -> bool:
        """Queue refused and conflicting interviews again (those ``keys`` name, or all), then
        run a pass (returns whether it started)."""
        if self.running or self.wiped:
            return False
        profile = self.profile
        run_in_background(
            self,
            lambda: sync_service.retry_refused(profile, keys),
            lambda _n: self.sync_now(),
            self._failed,
        )
        return True

    def refresh_rows(self) -> None:
        if self.wiped:
            return
        run_in_background(
            self, lambda: sync_service.outbox_rows(self.profile), self.rows_loaded.emit
        )

    # --- internals ----------------------------------------------------------------------------

    def _auto_tick(self) -> None:
        if self.running or self.wiped:
            self._reschedule()
            return
        profile = self.profile
        run_in_background(self, lambda: sync_service.ping(profile), self._pinged, self._failed)

    def _pinged(self, reachable: object) -> None:
        if reachable:
            self.sync_now(force=False)
        else:
            self._failures += 1
            self._reschedule()

    def _reschedule(self) -> None:
        if self.wiped or not self._auto:
            return
        # Exponential backoff with jitter while central cannot be reached.
        factor = 2 ** min(self._failures, 6)
        delay = min(self.MAX_INTERVAL_MS, self.interval_ms * factor)
        self._timer.start(int(delay * random.uniform(0.75, 1.0)) if self._failures else delay)

    def _done(self, summary: object) -> None:
        self.running = False
        self._failures = 0
        self.sync_finished.emit(summary)
        self.refresh_rows()
        self._reschedule()

    def _failed(self, exc: Exception) -> None:
        self.running = False
        if isinstance(exc, ProfileWiped):
            self.wiped = True
            self._timer.stop()
            self.profile_wiped.emit(str(exc))
            return
        self._failures += 1
        self.sync_failed.emit(str(exc) or type(exc).__name__)
        self.refresh_rows()
        self._reschedule()


class SyncPanel(QWidget):
    """Progress bar, per-item list, last sync time, queue size and "Sync now"."""

    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncPanel")
        self.controller = controller
        self.model = OutboxModel(self)

        self.status = QLabel("Not synced yet", objectName="syncStatus")
        self.queue = QLabel("", objectName="syncQueue")
        self.button = QPushButton("Sync now", objectName="syncNow")
        self.button.setAccessibleName("Sync now")
        self.retry_button = QPushButton("Retry", objectName="syncRetry")
        self.retry_button.setAccessibleName("Retry refused interviews")
        self.retry_button.setToolTip(
            "Send refused and conflicting interviews again (the selected ones, or all), once "
            "their cause is put right"
        )
        self.retry_button.setEnabled(False)
        self.bar = QProgressBar(objectName="syncProgress")
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.message = QLabel("", objectName="syncMessage")
        self.message.setWordWrap(True)
        self.issues = QLabel("", objectName="syncIssues")
        self.issues.setWordWrap(True)
        self.issues.setAccessibleName("Interviews central has not taken")
        self.issues.hide()
        self.table = QTableView(objectName="syncItems")
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        for column in range(len(OutboxModel.HEADERS) - 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(OutboxModel.HEADERS) - 1, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(self.status, 1)
        top.addWidget(self.queue)
        top.addWidget(self.retry_button)
        top.addWidget(self.button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.bar)
        layout.addWidget(self.message)
        layout.addWidget(self.issues)
        layout.addWidget(self.table, 1)

        self.button.clicked.connect(lambda: controller.sync_now())
        self.retry_button.clicked.connect(self._retry)
        controller.sync_started.connect(self._started)
        controller.progress.connect(self._progress)
        controller.item_changed.connect(self.model.update_item)
        controller.sync_finished.connect(self._finished)
        controller.sync_failed.connect(self._failed)
        controller.profile_wiped.connect(self._wiped)
        controller.rows_loaded.connect(self._rows)
        controller.refresh_rows()
        profile = controller.profile
        run_in_background(
            self, lambda: sync_service.sync_status(profile), lambda st: self._stamp(st.last_sync_at)
        )

    def _retry(self) -> None:
        chosen = {
            (r.interview_id, r.revision)
            for r in (
                self.model.row_at(i.row()) for i in self.table.selectionModel().selectedRows()
            )
            if r.state in RETRYABLE
        }
        if self.controller.retry(chosen or None):
            self.retry_button.setEnabled(False)

    def _started(self) -> None:
        self.button.setEnabled(False)
        self.retry_button.setEnabled(False)
        self.bar.setRange(0, 0)  # busy until the first progress report
        self.message.setText("Syncing…")

    def _progress(self, done: int, total: int, what: str) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        self.message.setText(what)

    def _finished(self, summary: sync_service.SyncSummary) -> None:
        self.button.setEnabled(True)
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        lines = summary.lines()
        if summary.needs_attention:
            n = len(summary.attention)
            lines.insert(
                0, f"{n} interview{'s' if n != 1 else ''} not taken by central (see below)"
            )
        self.message.setText("; ".join(lines))
        self._stamp(summary.finished_at)

    def _failed(self, sentence: str) -> None:
        self.button.setEnabled(True)
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.message.setText(sentence)

    def _wiped(self, sentence: str) -> None:
        self.button.setEnabled(False)
        self.retry_button.setEnabled(False)
        self.issues.hide()
        self.message.setText(sentence)
        self.model.set_rows([])

    def _rows(self, rows: list[OutboxRow]) -> None:
        self.model.set_rows(rows)
        queued = sum(1 for r in rows if r.state == "pending")
        self.queue.setText(f"{queued} waiting")
        attention = [r for r in rows if r.needs_attention]
        self.issues.setText("\n".join(describe(r, RETRY_IN_APP) for r in attention))
        self.issues.setVisible(bool(attention))
        self.retry_button.setEnabled(
            not self.controller.running and any(r.state in RETRYABLE for r in rows)
        )

    def _stamp(self, when: datetime | None) -> None:
        if when is not None:
            self.status.setText(f"Last sync {when.astimezone().strftime('%d %b %Y %H:%M')}")
