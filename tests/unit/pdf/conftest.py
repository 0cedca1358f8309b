"""A rich synthetic interview record and the keys and certificates the PDF tests sign with."""

from __future__ import annotations

import datetime as dt
import math
import struct
import zlib

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from rhi_core.domain.codes import (
    DeclinedBy,
    DeclineReason,
    EpisodeCategory,
    LateReason,
    OfferMethod,
    OfferOutcome,
    ReferralKind,
    RiskGrade,
    Sex,
)
from rhi_desktop.pdf.document import (
    RUNAWAY_HELPLINE,
    AgreedAction,
    AnswerItem,
    AnswerSection,
    ChildSummary,
    ChildWording,
    DocumentMeta,
    Episode,
    Helpline,
    InterviewDocument,
    Offer,
    Outcomes,
    Referral,
    RepeatTable,
    RiskFlagEntry,
    SafetyPlan,
    Session,
    Signature,
    TrustedAdult,
)

UK = dt.timezone(dt.timedelta(hours=1), "BST")
ARABIC_WORDS = "أريد أن أعود إلى المدرسة"  # "I want to go back to school"
TRUSTED_PHONE = "07700 900123"


def squiggle_png(width: int = 220, height: int = 60, seed: float = 1.0) -> bytes:
    """A small greyscale PNG of a hand-drawn-looking line, encoded by hand (no Qt, no PIL)."""
    pixels = [[255] * width for _ in range(height)]
    for x in range(8, width - 8):
        y = height / 2 + math.sin(x / (9 + seed)) * 14 + math.sin(x / 3.7 * seed) * 4
        for dy in (-1, 0, 1):
            yy = int(y) + dy
            if 0 <= yy < height:
                pixels[yy][x] = 20
    raw = b"".join(b"\x00" + bytes(row) for row in pixels)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def build_sample(*, demo: bool = False, verified: bool = False) -> InterviewDocument:
    t = dt.datetime
    return InterviewDocument(
        meta=DocumentMeta(
            interview_id="6f1c2b7e-3d4a-4e8b-9a10-52c0d1e2f3a4",
            revision=2,
            form_id="rhi",
            form_version="1.3",
            worker_name="Priya Natarajan",
            generated_at=t(2025, 6, 12, 16, 5, tzinfo=UK),
            content_sha256="9f2c4d1e8b7a6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d",
            demo=demo,
            organisation_verified=verified,
            organisation_name="Northshire County Council",
        ),
        child=ChildSummary(
            name="Jordan Okafor-Haddad",
            case_number="NS-204817",
            dob=dt.date(2010, 2, 14),
            age=15,
            sex=Sex.MALE,
            ethnicity="Mixed: White and Black African",
            looked_after=True,
            uasc=False,
            out_of_area=True,
            social_worker="Tom Ellery (Children in Care Team 2)",
            language="English and Arabic",
            interpreter_needed=False,
        ),
        episodes=(
            Episode(
                category=EpisodeCategory.MISSING,
                start=t(2025, 6, 3, 21, 40, tzinfo=UK),
                returned=t(2025, 6, 5, 7, 15, tzinfo=UK),
                where_found="Stopped by British Transport Police at Leeds station",
                police_ref="NP-25-118204",
                risk_grade=RiskGrade.HIGH,
            ),
            Episode(
                category=EpisodeCategory.AWAY,
                start=t(2025, 6, 7, 18, 0, tzinfo=UK),
                returned=t(2025, 6, 7, 23, 30, tzinfo=UK),
                where_found="A friend's flat, Ashby Road (address known to carers)",
                police_ref="NP-25-119377",
                risk_grade=RiskGrade.MEDIUM,
            ),
        ),
        offers=(
            Offer(
                at=t(2025, 6, 5, 10, 0, tzinfo=UK),
                method=OfferMethod.PHONE,
                outcome=OfferOutcome.DECLINED,
                by_whom="Priya Natarajan",
                declined_by=DeclinedBy.CHILD,
                reason=DeclineReason.ALREADY_SPOKE_TO_POLICE,
                note="Tired; asked to be called again after the weekend.",
                carer_shared="Came back with a new phone and £60 in cash he would not explain.",
            ),
            Offer(
                at=t(2025, 6, 9, 15, 30, tzinfo=UK),
                method=OfferMethod.IN_PERSON,
                outcome=OfferOutcome.ACCEPTED,
                by_whom="Priya Natarajan",
            ),
        ),
        sessions=(
            Session(
                start=t(2025, 6, 10, 16, 0, tzinfo=UK),
                duration_minutes=55,
                place="Café near school (his choice)",
                present=("Priya Natarajan (RHI worker)", "Tom Ellery (social worker, joint)"),
                time_alone=True,
                confidentiality_explained=True,
            ),
            Session(
                start=t(2025, 6, 12, 15, 0, tzinfo=UK),
                duration_minutes=40,
                place="Walk in the park, then the placement",
                present=("Priya Natarajan (RHI worker)",),
                time_alone=True,
                confidentiality_explained=True,
            ),
        ),
        within_72h=False,
        late_reason=LateReason.CHILD_CHOSE_LATER,
        late_note="Declined the first offer; interview held on his chosen day.",
        sections=(
            AnswerSection(
                "Before you left",
                (
                    AnswerItem("Why did you leave?", "Argument at the placement about my phone."),
                    AnswerItem("How were you feeling?", "Angry, and I felt nobody listened."),
                ),
            ),
            AnswerSection(
                "While you were away",
                (
                    AnswerItem("Where did you go?", "Leeds, to a flat an older lad arranged."),
                    AnswerItem("How did you travel?", "Train; the ticket was bought for me."),
                    AnswerItem("Where did you sleep?", "On a sofa at the flat, two nights."),
                    RepeatTable(
                        "People you were with",
                        ("Name or nickname", "Age", "Phone or handle", "How you know them"),
                        (
                            ("'Deeks'", "about 19", "@deeks_lds", "Met online (Snapchat)"),
                            ("Sami", "16", "07700 900456", "School friend"),
                            ("Unknown man in a grey Audi", "30s", "", "Picked them up twice"),
                        ),
                    ),
                ),
            ),
            AnswerSection(
                "In your own words",
                (
                    AnswerItem("What would help you now?", ARABIC_WORDS),
                    AnswerItem(
                        "What would stop you going missing again?",
                        "If I could see my mum more and get my phone back at night.",
                    ),
                ),
            ),
        ),
        push_factors=("Placement unhappiness", "Family conflict", "Loneliness or isolation"),
        pull_factors=("Gifts, money or accommodation offered", "Online contact"),
        risk_flags=(
            RiskFlagEntry(
                "Child criminal exploitation (CCE) / county lines",
                (
                    "Found out of area",
                    "Unexplained money or new phone",
                    "Travel paid for by an older person",
                ),
            ),
        ),
        safety_plan=SafetyPlan(
            trusted_adults=(
                TrustedAdult("Auntie Mariam", "Aunt", TRUSTED_PHONE),
                TrustedAdult("Dave (key worker)", "Residential key worker", "01632 960321"),
            ),
            safe_places=("Auntie Mariam's house", "The youth club on Tuesdays"),
            warning_signs=("Messages from Deeks", "Arguments about my phone at night"),
            actions=(
                AgreedAction("Jordan", "Call Auntie Mariam before leaving if upset", None),
                AgreedAction("Tom Ellery", "Arrange weekly contact with mum", dt.date(2025, 6, 20)),
            ),
            helplines=(
                RUNAWAY_HELPLINE,
                Helpline("Childline", "0800 1111", "Free, any time"),
            ),
            review_date=dt.date(2025, 7, 10),
            child_wording=(
                ChildWording(
                    language="ar",
                    title="خطة سلامتي",
                    intro="صنعنا هذه الخطة معًا. احتفظ بها في مكان آمن.",
                    people_heading="أشخاص يمكنني التحدث إليهم",
                    places_heading="أماكن أشعر فيها بالأمان",
                    signs_heading="علامات أن الأمور أصبحت صعبة",
                    agreed_heading="ما اتفقنا عليه",
                    helplines_heading="إذا احتجت المساعدة الآن",
                    review_label="سنراجع هذه الخطة في",
                ),
            ),
        ),
        outcomes=Outcomes(
            referrals=(
                Referral(ReferralKind.MACE, dt.date(2025, 6, 13), "CCE indicators; Leeds links"),
                Referral(ReferralKind.POLICE_INFORMATION, dt.date(2025, 6, 12), "Names, handle"),
                Referral(ReferralKind.FOLLOW_UP_1_1, None, "Weekly sessions for six weeks"),
            ),
            analysis=(
                "Jordan is at high risk of criminal exploitation: he was groomed online, "
                "travel was paid for him and he returned with unexplained money."
            ),
            recommendations="Discuss at MACE; review placement arrangements for phones at night.",
            shared_with_social_worker=dt.date(2025, 6, 13),
        ),
        signatures=(
            Signature(
                "RHI worker", "Priya Natarajan", t(2025, 6, 12, 16, 0, tzinfo=UK), squiggle_png()
            ),
            Signature(
                "Young person",
                "Jordan Okafor-Haddad",
                t(2025, 6, 12, 16, 1, tzinfo=UK),
                squiggle_png(seed=1.7),
            ),
        ),
    )


@pytest.fixture(scope="session")
def sample() -> InterviewDocument:
    return build_sample()


@pytest.fixture(scope="session")
def demo_sample() -> InterviewDocument:
    return build_sample(demo=True)


def _name(cn: str, org: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
        ]
    )


def make_test_ca() -> tuple[bytes, bytes, bytes]:
    """A test CA and a worker certificate it issued: ``(ca_pem, worker_key_pem, worker_pem)``."""
    ca_cert, _ca_key, key, cert = make_test_ca_parts()
    pem = serialization.Encoding.PEM
    key_pem = key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return ca_cert.public_bytes(pem), key_pem, cert.public_bytes(pem)


def make_crl(
    ca_cert: x509.Certificate,
    ca_key: ec.EllipticCurvePrivateKey,
    revoked: list[tuple[int, dt.datetime]],
) -> bytes:
    """A standard X.509 CRL (PEM) from ``ca_key``: (serial, revocation time) each."""
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca_cert.subject)
        .last_update(now - dt.timedelta(minutes=5))
        .next_update(now + dt.timedelta(days=7))
    )
    for serial, when in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when).build()
        )
    return builder.sign(ca_key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)


def make_test_ca_parts() -> tuple[
    x509.Certificate, ec.EllipticCurvePrivateKey, ec.EllipticCurvePrivateKey, x509.Certificate
]:
    """``(ca_cert, ca_key, worker_key, worker_cert)`` as objects."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("Northshire RHI Test CA", "Northshire County Council")
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("Priya Natarajan", "Northshire County Council"))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False),
            critical=True,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return ca_cert, ca_key, key, cert
