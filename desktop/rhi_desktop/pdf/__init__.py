"""Signed interview records: render (reportlab), sign and verify (pyHanko).

No Qt, no database: the lead maps a completed interview revision onto
:class:`~rhi_desktop.pdf.document.InterviewDocument`. Import the submodules directly
(``rhi_desktop.pdf.render``, ``.signing``, ``.verify``, ``.cli``) so that, for example, the
``verify`` command does not pay for loading reportlab.
"""
