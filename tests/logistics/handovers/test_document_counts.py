"""The dispatch note's counts travel with the dossier: onto each handover line, into the
printed record, and as the reference of the clerk's "document count differs"."""

from __future__ import annotations

import io

import pypdfium2
import pytest
from pypdf import PdfReader
from sqlmodel import Session

from logistics.exceptions import Conflict, InvalidInput
from logistics.handovers import confirmation, documents, dossier_documents, records
from logistics.intake.schemas import DocumentIntake
from logistics.models import Dossier
from logistics.models.enums import HandoverKind, LineOutcome
from tests.logistics.handovers.handover_factories import HandoverWorld, build_handover_world, dossier_to_agency


@pytest.fixture()
def hw(session: Session) -> HandoverWorld:
    return build_handover_world(session)


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _open_with(session: Session, hw: HandoverWorld, *items):  # noqa: ANN001, ANN202
    h = records.open_handover(session, actor=hw.postman_user, kind=HandoverKind.TO_AGENCY, place_code=hw.world.a.agency.code)
    for item in items:
        records.add_item(session, actor=hw.postman_user, handover=h, s10=item.s10)
    return h


def test_count_differs_is_checked_against_the_dispatch_note(session: Session, hw: HandoverWorld):
    """Counts equal to the note's are refused (nothing differs); a count not given is taken as listed."""
    item = dossier_to_agency(session, hw)  # listed: 2 originals, 1 copy
    h = _open_with(session, hw, item)
    with pytest.raises(InvalidInput) as same:
        records.record_discrepancy(session, actor=hw.clerk_a, handover=h, change=records.Discrepancy(
            item.s10, LineOutcome.COUNT_DIFFERS, received_originals=2, received_copies=1))
    assert same.value.code == "counts_match"
    with pytest.raises(InvalidInput) as missing:
        records.record_discrepancy(session, actor=hw.clerk_a, handover=h, change=records.Discrepancy(
            item.s10, LineOutcome.COUNT_DIFFERS))
    assert missing.value.code == "received_counts_missing"
    line = records.record_discrepancy(session, actor=hw.clerk_a, handover=h, change=records.Discrepancy(
        item.s10, LineOutcome.COUNT_DIFFERS, "thiếu một bản chính", received_originals=1))
    assert (line.originals, line.copies, line.received_originals, line.received_copies) == (2, 1, 1, 1)
    withdrawn = records.record_discrepancy(session, actor=hw.clerk_a, handover=h, change=records.Discrepancy(
        item.s10, LineOutcome.ACCEPTED))
    assert (withdrawn.received_originals, withdrawn.received_copies) == (None, None)


def test_the_record_prints_each_dossiers_counts_and_what_was_received(session: Session, hw: HandoverWorld):
    """Per line: S10, dossier code, originals, copies; a count that differs says what came."""
    a, b = dossier_to_agency(session, hw), dossier_to_agency(session, hw)
    dossier_b = session.get(Dossier, b.dossier_id)
    dossier_documents.set_documents(session, actor=hw.world.admin, dossier=dossier_b, documents=[
        DocumentIntake(name="Tờ khai", originals=1), DocumentIntake(name="Sổ hộ khẩu", originals=1, copies=3)])
    h = _open_with(session, hw, a, b)
    records.record_discrepancy(session, actor=hw.clerk_a, handover=h, change=records.Discrepancy(
        b.s10, LineOutcome.COUNT_DIFFERS, received_copies=2))
    issued = confirmation.issue_code(session, actor=hw.postman_user, handover=h)
    confirmation.confirm_with_code(session, actor=hw.clerk_a, handover=h, code=issued.code, fees_handed_vnd=0)
    pdf = documents.handover_record_pdf(session, h)
    text = " ".join(_text(pdf).split())
    assert f"{a.s10} {session.get(Dossier, a.dossier_id).code} 2 1" in text, text
    assert f"{b.s10} {dossier_b.code} 2 3" in text, text
    assert "Số lượng giấy tờ khác (nhận 2 chính, 2 sao)" in text, text
    page = pypdfium2.PdfDocument(pdf)[0].render(scale=1).to_pil().convert("L")
    assert 0.005 < sum(page.histogram()[:100]) / (page.width * page.height) < 0.3  # ink on the page


def test_a_new_list_updates_open_records_and_is_refused_once_confirmed(session: Session, hw: HandoverWorld):
    """A list changed while the item is on an open record updates the line and voids the code shown;
    after confirmation the list is settled."""
    item = dossier_to_agency(session, hw)
    dossier = session.get(Dossier, item.dossier_id)
    h = _open_with(session, hw, item)
    confirmation.issue_code(session, actor=hw.postman_user, handover=h)
    assert h.otp_hash is not None
    dossier_documents.set_documents(session, actor=hw.counter_clerk_a, dossier=dossier,
                                    documents=[DocumentIntake(name="Tờ khai", originals=3, copies=2)])
    [line] = records.lines_of(session, h)
    assert (line.originals, line.copies, dossier.document_count) == (3, 2, 5)
    assert h.otp_hash is None  # the postman shows a new code for the new list
    issued = confirmation.issue_code(session, actor=hw.postman_user, handover=h)
    confirmation.confirm_with_code(session, actor=hw.clerk_a, handover=h, code=issued.code, fees_handed_vnd=0)
    with pytest.raises(Conflict) as settled:
        dossier_documents.set_documents(session, actor=hw.counter_clerk_a, dossier=dossier,
                                        documents=[DocumentIntake(name="Tờ khai", originals=1)])
    assert settled.value.code == "documents_settled"


def test_a_qr_shown_before_the_list_changed_no_longer_confirms(session: Session, hw: HandoverWorld):
    """The clerk's QR covers the counts it showed: a new document list makes it stale."""
    item = dossier_to_agency(session, hw)
    h = _open_with(session, hw, item)
    token, _ = confirmation.issue_qr_token(session, actor=hw.clerk_a, handover=h, fees_handed_vnd=0)
    dossier_documents.set_documents(session, actor=hw.counter_clerk_a, dossier=session.get(Dossier, item.dossier_id),
                                    documents=[DocumentIntake(name="Tờ khai", originals=1)])
    with pytest.raises(Conflict) as stale:
        confirmation.confirm_with_qr(session, actor=hw.postman_user, handover=h, token=token)
    assert stale.value.code == "qr_stale"
