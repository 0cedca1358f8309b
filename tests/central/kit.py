"""Helpers for the rhi-central tests (imported as ``central.kit``; conftest holds fixtures)."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import httpx
import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fastapi import FastAPI

from rhi_central import ops
from rhi_central.app import UVICORN_OPTIONS
from rhi_central.context import Central
from rhi_core.canonical import content_sha256
from rhi_core.protocol import ChildWire, EpisodeWire

COUNCIL = "Test Borough Council"
FORM_YAML = """\
id: test-rhi
version: "1"
title: Test RHI
languages:
  - {code: en, name: English}
sections:
  - name: s1
    label: One
    items:
      - {name: why_left, type: text, label: "Why did you leave?", required: true}
      - {name: feel_now, type: text, label: "How do you feel now?"}
"""
COMPLETED_AT = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


class LiveServer:
    """uvicorn serving ``app`` in a thread on 127.0.0.1 at a free port."""

    def __init__(self, app: FastAPI) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = int(self.sock.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        # Configured as `rhi-central serve` runs it (no proxy headers taken from uvicorn).
        config = uvicorn.Config(
            app, log_level="warning", lifespan="on", access_log=False, **UVICORN_OPTIONS
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.005)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


def make_csr(common_name: str = "ignored") -> tuple[ec.EllipticCurvePrivateKey, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
        .sign(key, hashes.SHA256())
    )
    return key, csr.public_bytes(serialization.Encoding.PEM).decode()


@dataclass
class Laptop:
    device_id: str
    token: str
    worker: str
    certificate_pem: str
    ca_certificate_pem: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class Kit:
    """Helpers over one central store, through any HTTP client (in-process or real)."""

    def __init__(self, central: Central, http: httpx.Client) -> None:
        self.central = central
        self.http = http

    def admin_token(self, name: str = "Missing Lead") -> str:
        with self.central.db.transaction() as s:
            token, _ = ops.create_admin_token(s, name, "test")
        return token

    def enrol_code(self, worker: str) -> str:
        with self.central.db.transaction() as s:
            code, _ = ops.create_enrol_code(s, worker, "test")
        return code

    def publish(self, text: str = FORM_YAML) -> None:
        with self.central.db.transaction() as s:
            ops.publish_form(s, text, "test")

    def enrol(self, worker: str = "Amara Okafor", name: str = "laptop-1") -> Laptop:
        _, csr = make_csr()
        r = self.http.post(
            "/api/v1/enrol",
            json={"code": self.enrol_code(worker), "device_name": name, "csr_pem": csr},
        )
        assert r.status_code == 200, r.text
        body = r.json()
        return Laptop(
            body["device_id"],
            body["device_token"],
            body["worker"],
            body["certificate_pem"],
            body["ca_certificate_pem"],
        )

    @staticmethod
    def payload(
        answers: dict[str, Any] | None = None,
        *,
        child_id: str = "child-1",
        form: tuple[str, str] = ("test-rhi", "1"),
        worker: str = "Amara Okafor",
    ) -> dict[str, Any]:
        return {
            "form_id": form[0],
            "form_version": form[1],
            "child_id": child_id,
            "episode_ids": ["episode-1"],
            "worker": worker,
            "created_at": "2026-03-09T10:00:00+00:00",
            "held_at": "2026-03-10T10:00:00+00:00",
            "completed_at": COMPLETED_AT.isoformat(),
            "answers": {"why_left": "Argument at home"} if answers is None else answers,
            "offers": [
                {
                    "id": str(uuid.uuid4()),
                    "at": "2026-03-09T11:00:00+00:00",
                    "method": "phone",
                    "outcome": "accepted",
                    "by_whom": worker,
                }
            ],
            "sessions": [
                {
                    "id": str(uuid.uuid4()),
                    "started_at": "2026-03-10T10:00:00+00:00",
                    "interviewer": worker,
                    "time_alone_with_child": True,
                }
            ],
            "safety_plan": {"trusted_adults": [{"name": "Aunt Sue", "phone": "07700 900123"}]},
            "referrals": [{"id": str(uuid.uuid4()), "kind": "early_help"}],
        }

    @staticmethod
    def item(
        payload: dict[str, Any], interview_id: str | None = None, revision: int = 1
    ) -> dict[str, Any]:
        return {
            "interview_id": interview_id or str(uuid.uuid4()),
            "revision": revision,
            "content_sha256": content_sha256(payload),
            "payload": payload,
        }

    def push(
        self,
        laptop: Laptop,
        items: list[dict[str, Any]],
        *,
        children: list[dict[str, Any]] | None = None,
        episodes: list[dict[str, Any]] | None = None,
    ) -> httpx.Response:
        """Push as a laptop does: the items, with the records of their children (by default
        each item's child as ``child_wire`` makes it: a child the worker added on the laptop)."""
        if children is None:
            ids = dict.fromkeys(i["payload"].get("child_id") for i in items)
            children = [
                child_wire(str(cid)).model_dump(mode="json")
                for cid in ids
                if isinstance(cid, str) and cid
            ]
        body: dict[str, Any] = {"items": items, "children": children}
        if episodes:
            body["episodes"] = episodes
        return self.http.post("/api/v1/interviews/batch", json=body, headers=laptop.headers)


def child_wire(child_id: str, **changes: Any) -> ChildWire:
    values: dict[str, Any] = {
        "id": child_id,
        "local_id": f"C{child_id[-4:]}",
        "first_name": "Sam",
        "last_name": "Example",
        "dob": date(2010, 5, 1),
        "sex": "female",
        "ethnicity": "White British",
        "looked_after": True,
        "uasc": False,
        "out_of_area": False,
    }
    return ChildWire(**(values | changes))


def episode_wire(episode_id: str, child_id: str) -> EpisodeWire:
    return EpisodeWire(
        id=episode_id,
        child_id=child_id,
        category="M",
        started_at=datetime(2026, 3, 1, 20, 0, tzinfo=UTC),
        returned_at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
        risk_grade="medium",
    )


def assign(central: Central, child_id: str, worker: str, episodes: int = 1) -> None:
    with central.db.transaction() as s:
        ops.assign_child(
            s,
            child_wire(child_id),
            [episode_wire(f"{child_id}-e{i}", child_id) for i in range(episodes)],
            worker,
            "test",
        )
