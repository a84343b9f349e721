"""Who may do what with handover records: a role × endpoint matrix over the web API,
the mobile API and the public verification page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from logistics.handovers import confirmation, records
from logistics.models import Dossier, DossierDocument, Handover, Item, Person
from logistics.models.enums import DossierStatus, HandoverKind, Role
from tests.logistics.handovers.handover_factories import (
    HandoverWorld, build_handover_world, dossier_at_agency, dossier_to_agency, handover_app, phone_headers, snapshot,
)

ROLES = ["anonymous", "admin"] + [f"{r.value}_{s}" for s in "ab" for r in
                                  (Role.AGENCY_CLERK, Role.COUNTER_CLERK, Role.POSTMAN, Role.DISPATCHER)]
SEES = {"admin", "agency_clerk_a", "postman_a", "dispatcher_a"}  # agency A's record, postman A's
ACTS = {"admin", "agency_clerk_a"}  # the receiving side's clerk
CLERKS = {"agency_clerk_a", "agency_clerk_b", "counter_clerk_a", "counter_clerk_b"}


@pytest.fixture()
def hw(session: Session) -> HandoverWorld:
    return build_handover_world(session)


@pytest.fixture()
def client(session: Session) -> Iterator[TestClient]:
    with TestClient(handover_app(session)) as client:
        yield client


def _headers(hw: HandoverWorld, role: str) -> dict[str, str]:
    if role == "anonymous":
        return {}
    user = hw.world.admin if role == "admin" else getattr(hw.world, role[-1]).users[Role(role[:-2])]
    return hw.world.headers(user)


def _expect(role: str, allowed: set[str], ok: int, denied_visible: int = 403, visible: set[str] = SEES) -> int:
    if role == "anonymous":
        return 401
    if role in allowed:
        return ok
    return denied_visible if role in visible else 404


def _records(session: Session, hw: HandoverWorld) -> tuple[Handover, Handover]:
    """An open record (code live) and a confirmed one, both at agency A by postman A."""
    made = []
    for _ in range(2):
        item = dossier_to_agency(session, hw)
        h = records.open_handover(session, actor=hw.postman_user, kind=HandoverKind.TO_AGENCY,
                                  place_code=hw.world.a.agency.code)
        records.add_item(session, actor=hw.postman_user, handover=h, s10=item.s10)
        made.append((h, item, confirmation.issue_code(session, actor=hw.postman_user, handover=h)))
    (open_, _, _), (done, _, issued) = made
    confirmation.confirm_with_code(session, actor=hw.clerk_a, handover=done, code=issued.code, fees_handed_vnd=None)
    return open_, done


@pytest.mark.parametrize("role", ROLES)
def test_web_matrix(client: TestClient, session: Session, hw: HandoverWorld, role: str):
    """Each role reads, acts on, or is refused (401/403/404) every clerk endpoint of agency A's records."""
    open_, done = _records(session, hw)
    s10 = session.get(Item, records.lines_of(session, open_)[0].item_id).s10
    h = _headers(hw, role)
    dossier = dossier_at_agency(session, hw)
    ready = dossier_at_agency(session, hw)
    ready.status = DossierStatus.RESULT_READY
    session.add(ready)
    session.flush()
    cases = [
        ("get", f"/api/v1/handovers/{open_.code}", None, _expect(role, SEES, 200, 200)),
        ("get", f"/api/v1/handovers/{done.code}/record.pdf", None, _expect(role, SEES, 200, 200)),
        ("post", f"/api/v1/handovers/{open_.code}/discrepancies", {"s10": s10, "outcome": "seal_broken"}, _expect(role, ACTS, 200)),
        ("post", f"/api/v1/handovers/{open_.code}/qr", {}, _expect(role, ACTS, 200)),
        ("post", f"/api/v1/handovers/{open_.code}/confirm", {"code": "000000"}, _expect(role, ACTS, 422)),
        ("post", f"/api/v1/handovers/{done.code}/amend", {"reason": "sửa"}, _expect(role, ACTS, 201)),
        ("put", f"/api/v1/dossiers/{dossier.code}/appointment", {"appointment_date": "2099-01-05"},
         _expect(role, ACTS, 200, 404)),
        ("post", f"/api/v1/dossiers/{ready.code}/result-ready", None, _expect(role, ACTS, 409, 404)),
        ("get", "/api/v1/desk", None, 401 if role == "anonymous" else 200 if role in CLERKS else 403),
    ]
    for method, path, body, expected in cases:
        response = client.request(method, path, headers=h, json=body)
        assert response.status_code == expected, (role, method, path, response.text[:300])
        if expected >= 400:
            assert set(response.json()) >= {"error", "detail"}


DOSSIER_READERS = {"admin", "agency_clerk_a", "counter_clerk_a", "postman_a", "dispatcher_a"}  # side A's staff
LISTS_DOCUMENTS = {"admin", "counter_clerk_a"}  # the counter that received the dossier


@pytest.mark.parametrize("role", ROLES)
def test_document_list_matrix(client: TestClient, session: Session, hw: HandoverWorld, role: str):
    """The dispatch note is read within the dossier's scope; only the receiving counter (or an admin)
    lists its documents; a refused list changes nothing."""
    item = dossier_to_agency(session, hw)
    dossier = session.get(Dossier, item.dossier_id)
    h = _headers(hw, role)
    note = client.get(f"/api/v1/dossiers/{dossier.code}/dispatch-note.pdf", headers=h)
    assert note.status_code == _expect(role, DOSSIER_READERS, 200, visible=DOSSIER_READERS), (role, note.text[:200])
    before = [(d.name, d.originals, d.copies) for d in session.exec(
        select(DossierDocument).where(DossierDocument.dossier_id == dossier.id).order_by(DossierDocument.seq))]
    listed = client.put(f"/api/v1/dossiers/{dossier.code}/documents", headers=h, json=[{"name": "Tờ khai", "originals": 2}])
    assert listed.status_code == _expect(role, LISTS_DOCUMENTS, 204, visible=DOSSIER_READERS), (role, listed.text[:200])
    session.expire_all()
    after = [(d.name, d.originals, d.copies) for d in session.exec(
        select(DossierDocument).where(DossierDocument.dossier_id == dossier.id).order_by(DossierDocument.seq))]
    assert after == ([("Tờ khai", 2, 0)] if listed.status_code == 204 else before)


def test_refusals_change_nothing(client: TestClient, session: Session, hw: HandoverWorld):
    """Every refused request of the other side's roles leaves the database as it was."""
    open_, done = _records(session, hw)
    before = snapshot(session)
    for role in ("agency_clerk_b", "counter_clerk_a", "counter_clerk_b", "postman_b", "dispatcher_b", "postman_a"):
        h = _headers(hw, role)
        for path, body in [(f"/api/v1/handovers/{open_.code}/confirm", {"code": "123456"}),
                           (f"/api/v1/handovers/{open_.code}/discrepancies", {"s10": "EB300000015VN", "outcome": "missing"}),
                           (f"/api/v1/handovers/{done.code}/amend", {"reason": "x"})]:
            assert client.post(path, headers=h, json=body).status_code in (403, 404)
    assert snapshot(session) == before


def test_counter_clerks_only_their_counter(client: TestClient, session: Session, hw: HandoverWorld):
    """A record at counter A is counter A's clerk's; counter B's clerk and agency clerks do not see it."""
    h = records.open_handover(session, actor=hw.postman_user, kind=HandoverKind.TO_COUNTER, place_code=hw.world.a.counter.code)
    for role, expected in [("counter_clerk_a", 200), ("counter_clerk_b", 404), ("agency_clerk_a", 404), ("postman_a", 200)]:
        assert client.get(f"/api/v1/handovers/{h.code}", headers=_headers(hw, role)).status_code == expected, role
    desk = client.get("/api/v1/desk", headers=_headers(hw, "counter_clerk_b")).json()
    assert desk["place_code"] == hw.world.b.counter.code and desk["handovers"] == []


def test_postman_only_his_own_records(client: TestClient, session: Session, hw: HandoverWorld):
    """Postman B's phone gets 404 for every action on postman A's record, and changes nothing."""
    open_, done = _records(session, hw)
    phone_b = phone_headers(client, "postman_b", "phone-b-0001")
    before = snapshot(session)
    for method, path, kwargs in [
        ("get", f"/mobile/v1/handovers/{open_.code}", {}),
        ("post", f"/mobile/v1/handovers/{open_.code}/items", {"json": {"s10": "EB300000015VN"}}),
        ("delete", f"/mobile/v1/handovers/{open_.code}/items/EB300000015VN", {}),
        ("post", f"/mobile/v1/handovers/{open_.code}/otp", {}),
        ("post", f"/mobile/v1/handovers/{open_.code}/qr", {"json": {"token": "x" * 20}}),
        ("post", f"/mobile/v1/handovers/{open_.code}/signature",
         {"data": {"signer_name": "X"}, "files": {"file": ("s.png", b"\x89PNG\r\n\x1a\n", "image/png")}}),
        ("get", f"/mobile/v1/handovers/{done.code}/record.pdf", {}),
    ]:
        response = client.request(method, path, headers=phone_b, **kwargs)
        assert response.status_code == 404, (path, response.text)
    assert [h["code"] for h in client.get("/mobile/v1/handovers", headers=phone_b).json()] == []
    assert snapshot(session) == before


def test_verification_page_shows_nothing_personal(client: TestClient, session: Session, hw: HandoverWorld):
    """The public page shows code, kind, time, institutions, count and genuine; never names, phones, S10s or dossiers."""
    _, done = _records(session, hw)
    page = client.get(f"/verify/handover/{done.code}?h={done.record_sha256}")
    assert page.status_code == 200 and "Biên bản thật" in page.text
    assert hw.world.a.agency.name in page.text and done.code in page.text
    line = records.lines_of(session, done)[0]
    item = session.get(Item, line.item_id)
    dossier = session.get(Dossier, item.dossier_id)
    person = session.get(Person, dossier.applicant_id)
    for secret in (item.s10, dossier.code, person.full_name, person.phone_e164, person.address, hw.postman_user.full_name,
                   hw.clerk_a.full_name):
        assert secret not in page.text, secret
    forged = client.get(f"/verify/handover/{done.code}?h={'0' * 64}")
    assert forged.status_code == 200 and "không khớp" in forged.text
    assert client.get("/verify/handover/BG-000000-XXXXXX?h=abc").status_code == 404
