"""Intake with the dispatch note's document list, and a result kept at the post office."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlmodel import func, select

from logistics.models import Dossier, DossierDocument, Item
from logistics.models.enums import HolderKind, LegKind, PlaceKind, Role
from tests.web.factories import COMMUNE_B, intake_body, person, row_counts

DOCUMENTS = [
    {"name": "Tờ khai đăng ký khai sinh", "originals": 1},
    {"name": "Giấy chứng sinh", "originals": 1, "copies": 1},
    {"name": "Căn cước công dân của người đi đăng ký", "copies": 2},
]


def _post(client, world, body, role=Role.COUNTER_CLERK):  # noqa: ANN001, ANN202
    user = world.admin if role == Role.ADMIN else world.a.users[role]
    return client.post("/api/v1/dossiers", json=body, headers=world.headers(user))


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_intake_records_the_documents_and_the_dispatch_note_prints_them(client, world, session):
    """Each document keeps its name and counts, in order; the paper count is their total; the note prints them."""
    response = _post(client, world, intake_body(documents=DOCUMENTS))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["document_count"] == 5
    assert [(d["seq"], d["name"], d["originals"], d["copies"]) for d in body["documents"]] == [
        (1, "Tờ khai đăng ký khai sinh", 1, 0), (2, "Giấy chứng sinh", 1, 1),
        (3, "Căn cước công dân của người đi đăng ký", 0, 2)]
    dossier = session.exec(select(Dossier).where(Dossier.code == body["code"])).one()
    assert session.exec(select(func.count()).select_from(DossierDocument)
                        .where(DossierDocument.dossier_id == dossier.id)).one() == 3
    note = client.get(f"/api/v1/dossiers/{body['code']}/dispatch-note.pdf",
                      headers=world.headers(world.a.users[Role.COUNTER_CLERK]))
    assert note.status_code == 200
    text = _text(note.content)
    for line in ("STT Tên giấy tờ Bản chính Bản sao", "1 Tờ khai đăng ký khai sinh 1 0", "2 Giấy chứng sinh 1 1",
                 "Tổng cộng 2 3"):
        assert line in text, (line, text)


def test_intake_without_a_list_keeps_the_paper_count(client, world):
    """No list: document_count as given (1 by default), no documents."""
    body = _post(client, world, intake_body(document_count=4)).json()
    assert (body["document_count"], body["documents"]) == (4, [])
    assert _post(client, world, intake_body(sequence=2)).json()["document_count"] == 1


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"documents": [{"name": "Tờ khai"}]}, "empty_document"),
        ({"documents": [{"name": "Tờ khai", "originals": 1}, {"name": "TỜ  khai ", "copies": 1}]}, "duplicate_document"),
        ({"documents": [{"name": "", "originals": 1}]}, "string_too_short"),
        ({"documents": [{"name": "Tờ khai", "originals": 101}]}, "less_than_equal"),
        ({"documents": [{"name": "Tờ khai", "original": True}]}, "extra_forbidden"),
        ({"documents": DOCUMENTS, "document_count": 6}, "document_count_mismatch"),
        ({"documents": [{"name": f"Giấy {n}", "originals": 1} for n in range(51)]}, "too_long"),
    ],
)
def test_a_bad_document_list_is_refused_and_nothing_written(client, world, session, overrides, code):
    """A refused list answers 422 with the rule's code and writes nothing at all."""
    before = row_counts(session)
    documents_before = session.exec(select(func.count()).select_from(DossierDocument)).one()
    response = _post(client, world, intake_body(**overrides))
    assert response.status_code == 422, response.text
    assert code in {response.json()["error"], *(f["code"] for f in response.json().get("fields", []))}, response.text
    assert row_counts(session) == before
    assert session.exec(select(func.count()).select_from(DossierDocument)).one() == documents_before


def test_a_result_kept_at_the_post_office_has_its_own_leg(client, world, session):
    """agency_to_office ends at the office nearest the recipient, who is named on the item."""
    body = intake_body(result_delivery="post_office", recipient=person(COMMUNE_B, full_name="Trần Thị Bình"),
                       legs=[{"leg": "agency_to_office"}])
    response = _post(client, world, body, role=Role.ADMIN)
    assert response.status_code == 201, response.text
    dossier = session.exec(select(Dossier).where(Dossier.code == response.json()["code"])).one()
    item = session.exec(select(Item).where(Item.dossier_id == dossier.id)).one()
    assert item.leg is LegKind.AGENCY_TO_OFFICE
    assert (item.origin_kind, item.origin_ref_id) == (PlaceKind.AGENCY, world.a.agency.id)
    assert (item.destination_kind, item.destination_ref_id) == (PlaceKind.POST_OFFICE, world.b.post_office.id)
    assert item.post_office_id == world.b.post_office.id and item.person_id == dossier.recipient_id
    assert (item.holder_kind, item.holder_ref_id) == (HolderKind.AGENCY, world.a.agency.id)
    assert item.due_date.isoformat() == "2026-11-27"  # the appointment date


def test_a_post_office_leg_needs_that_choice_of_return(client, world, session):
    """Kept at the post office and delivered home at once is a contradiction: 422, nothing written."""
    before = row_counts(session)
    response = _post(client, world, intake_body(legs=[{"leg": "agency_to_office"}]))
    assert response.status_code == 422 and response.json()["error"] == "result_delivery_mismatch", response.text
    assert row_counts(session) == before
