"""The read-back before locking: one screen of what is about to be completed.

The same summary as page 1 of the signed PDF (``services.record_summary``): the risk flags and
what was done about them, referrals, the safety plan, the child's own words and what is still
unanswered. Completing locks the revision, so the worker confirms having read it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ..widgets import muted


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _section(title: str, lines: list[str], empty: str) -> str:
    body = "".join(f"<li>{_escape(line)}</li>" for line in lines if line)
    if not body:
        return f"<h3>{_escape(title)}</h3><p>{_escape(empty)}</p>"
    return f"<h3>{_escape(title)}</h3><ul>{body}</ul>"


def summary_html(summary: Any) -> str:
    """The read-back as rich text (every value escaped: it is the worker's and child's text)."""
    parts = [f"<p><b>{_escape(summary.child)}</b></p>"]
    parts.append(
        "<p>" + "<br>".join(f"{_escape(k)}: {_escape(v)}" for k, v in summary.facts) + "</p>"
    )
    flags = [
        f"{f.label} — {f.action}"
        + (f" (raised by: {'; '.join(f.raised_by)})" if f.raised_by else "")
        for f in summary.flags
    ]
    parts.append(_section("Risk flags and what was done", flags, "No risk flag was raised."))
    parts.append(_section("Referrals", list(summary.referrals), "No referral made."))
    parts.append(
        _section("Safety plan", [f"{k}: {v}" for k, v in summary.plan], "Nothing recorded.")
    )
    words = [
        f"{w.label}: “{w.text}”" + (" (typed by the young person)" if w.by_young_person else "")
        for w in summary.child_words
    ]
    parts.append(_section("The child's own words", words, "Nothing recorded in their own words."))
    parts.append(_section("Worker's analysis", [summary.analysis], "Not written."))
    n = summary.unanswered_count
    gaps = [f"{g.section}: {'; '.join(g.questions)}" for g in summary.unanswered]
    parts.append(
        _section(
            f"Not answered ({n})",
            gaps,
            "Every question that applied was answered.",
        )
    )
    return "".join(parts)


class CompleteDialog(QDialog):
    """Read it, then "Complete and lock" (or go back and change something)."""

    def __init__(self, summary: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Complete the interview")
        self.setModal(True)
        self.summary = summary
        heading = QLabel("Read this back before you lock the record")
        heading.setObjectName("title")
        heading.setWordWrap(True)
        intro = muted(
            "This is what the record will say (it is page 1 of the signed PDF). Once completed "
            "it is locked: a later change is an amendment, kept beside this one."
        )
        self.text = QLabel(summary_html(summary))
        self.text.setObjectName("readBack")
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setWordWrap(True)
        self.text.setAccessibleName("What will be completed")
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        body = QWidget()
        box = QVBoxLayout(body)
        box.addWidget(self.text)
        box.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        self.buttons = QDialogButtonBox()
        self.back_button = self.buttons.addButton("Go back", QDialogButtonBox.ButtonRole.RejectRole)
        self.back_button.setAccessibleName("Go back and change something")
        self.confirm = self.buttons.addButton(
            "Complete and lock", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.confirm.setObjectName("primary")
        self.confirm.setAccessibleName("Complete and lock")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.buttons)
        em = self.fontMetrics().horizontalAdvance("m")
        line = self.fontMetrics().lineSpacing()
        self.setMinimumWidth(em * 40)
        # As tall as the text needs, up to what the screen has (then it scrolls).
        screen = parent.screen().availableGeometry() if parent is not None else None
        height = min(line * 40, int(screen.height() * 0.85) if screen else line * 40)
        self.resize(em * 52, height)
        self.back_button.setFocus(Qt.FocusReason.OtherFocusReason)
