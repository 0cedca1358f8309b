"""pdf_sign_ms, pdf_sign_ratio: render and sign one complete interview PDF, in memory.

The interview is the completed demo interview with the most stored answers in a cached demo
profile (read only: the signing identity is made in a session that is never committed). One
sample of the figure is what a seal does for the PDF: ``build_document`` (the record read from
the encrypted store and mapped onto the PDF model) + ``render_interview_pdf`` + ``sign_pdf``
(PAdES B-B). The baseline, interleaved with it in the same run, is the same without signing
(``build_document`` + render): the ratio is the price of the signature. Both are medians; the
render-only and sign-only medians are given as detail.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from datetime import UTC, datetime

from benchmarks import fixtures
from benchmarks.registry import Figure, Options, benchmark

BUDGET_MS = 500.0
BUDGET_RATIO = 1.5
REPEATS, REPEATS_QUICK = 15, 3
PROFILE_CHILDREN = fixtures.CASELOAD_CHILDREN_QUICK  # the document, not the store, is measured


def _largest_completed(session: object) -> str:
    from sqlalchemy import func, select

    from rhi_core.domain.codes import InterviewState
    from rhi_desktop.store.models import Answer, ReturnInterview

    row = session.execute(  # type: ignore[attr-defined]
        select(ReturnInterview.id, func.count(Answer.id).label("n"))
        .join(Answer, Answer.interview_id == ReturnInterview.id)
        .where(ReturnInterview.state == InterviewState.COMPLETED)
        .group_by(ReturnInterview.id)
        .order_by(func.count(Answer.id).desc(), ReturnInterview.id)
        .limit(1)
    ).first()
    if row is None:
        raise RuntimeError("the demo profile has no completed interview with answers")
    return str(row[0])


@benchmark("pdf_sign_ms", "pdf_sign_ratio")
def pdf_sign(options: Options, wanted: frozenset[str]) -> Iterator[Figure]:
    from rhi_desktop.pdf.render import render_interview_pdf
    from rhi_desktop.pdf.signing import sign_pdf
    from rhi_desktop.services.pdf_export import build_document
    from rhi_desktop.services.profiles import open_profile
    from rhi_desktop.services.signing_identity import get_or_create_identity

    cached = fixtures.demo_profile(PROFILE_CHILDREN)
    repeats = REPEATS_QUICK if options.quick else REPEATS
    now = datetime.now(UTC)
    profile = open_profile(cached.root, cached.passphrase)
    signed_ms: list[float] = []
    plain_ms: list[float] = []
    build_ms: list[float] = []
    render_ms: list[float] = []
    sign_ms: list[float] = []
    try:
        with profile.sessions() as s:  # never committed: the cached profile is not changed
            interview_id = _largest_completed(s)
            identity, verified = get_or_create_identity(s, "Bench Worker", profile.profile_id)

            def document() -> object:
                return build_document(
                    s,
                    interview_id,
                    now=now,
                    demo=True,
                    worker_name="Bench Worker",
                    organisation_verified=verified,
                )

            # Warm-up: fonts registered, form parsed, pyHanko and reportlab imported.
            pdf_bytes = sign_pdf(render_interview_pdf(document()), identity)  # type: ignore[arg-type]
            pages = pdf_bytes.count(b"/Type /Page\n") or pdf_bytes.count(b"/Type /Page")
            for _ in range(repeats):
                # The plain baseline: the same content, rendered, not signed.
                t0 = time.perf_counter()
                doc = document()
                t1 = time.perf_counter()
                render_interview_pdf(doc)  # type: ignore[arg-type]
                t2 = time.perf_counter()
                plain_ms.append((t2 - t0) * 1000)
                build_ms.append((t1 - t0) * 1000)
                render_ms.append((t2 - t1) * 1000)
                # The figure: build + render + sign, as a seal makes it.
                t0 = time.perf_counter()
                rendered = render_interview_pdf(document())  # type: ignore[arg-type]
                t1 = time.perf_counter()
                signed = sign_pdf(rendered, identity)
                t2 = time.perf_counter()
                signed_ms.append((t2 - t0) * 1000)
                sign_ms.append((t2 - t1) * 1000)
    finally:
        profile.close()

    signed_med = statistics.median(signed_ms)
    plain_med = statistics.median(plain_ms)
    detail = {
        "repeats": repeats,
        "pdf_kb": round(len(signed) / 1024, 1),
        "pages": pages,
        "build_document_median_ms": round(statistics.median(build_ms), 1),
        "render_median_ms": round(statistics.median(render_ms), 1),
        "sign_median_ms": round(statistics.median(sign_ms), 1),
        "signed_max_ms": round(max(signed_ms), 1),
    }
    yield Figure(
        "pdf_sign_ms",
        round(signed_med, 1),
        "ms",
        BUDGET_MS,
        {
            "detail": (
                f"median of {repeats}: build_document + render + sign (PAdES, in memory) of the "
                f"completed demo interview with the most answers; {cached.describe()}"
            ),
            "stat": "median",
            **detail,
        },
    )
    yield Figure(
        "pdf_sign_ratio",
        round(signed_med / plain_med, 3),
        "x",
        BUDGET_RATIO,
        {
            "detail": (
                "median(build + render + sign) / median(build + render) of the same document, "
                "interleaved in the same run"
            ),
            "plain_median_ms": round(plain_med, 1),
            "signed_median_ms": round(signed_med, 1),
        },
    )
