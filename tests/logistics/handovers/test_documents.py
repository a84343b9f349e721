"""The PDFs render: Vietnamese text extracted back (pypdf), pages rasterised (pypdfium2), QR present."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pypdfium2
import pytest
from PIL import Image
from pypdf import PdfReader
from sqlmodel import Session

from logistics.handovers import confirmation, documents, records
from logistics.models import Dossier
from logistics.models.enums import HandoverKind, LineOutcome
from tests.logistics.handovers.handover_factories import HandoverWorld, build_handover_world, dossier_to_agency

# Set HANDOVER_PDF_PREVIEW=/some/dir to keep the rendered pages for a look.
PREVIEW = os.environ.get("HANDOVER_PDF_PREVIEW")


@pytest.fixture()
def hw(session: Session) -> HandoverWorld:
    return build_handover_world(session)


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _png(pdf: bytes, name: str) -> Image.Image:
    page = pypdfium2.PdfDocument(pdf)[0]
    image = page.render(scale=2).to_pil()
    if PREVIEW:
        Path(PREVIEW).mkdir(parents=True, exist_ok=True)
        image.save(Path(PREVIEW) / f"{name}.png")
    return image


def _confirmed(session: Session, hw: HandoverWorld):  # noqa: ANN202
    a, b = dossier_to_agency(session, hw, fee_vnd=25_000), dossier_to_agency(session, hw, fee_vnd=25_000)
    h = records.open_handover(session, actor=hw.postman_user, kind=HandoverKind.TO_AGENCY, place_code=hw.world.a.agency.code)
    for item in (a, b):
        records.add_item(session, actor=hw.postman_user, handover=h, s10=item.s10)
    records.record_discrepancy(session, actor=hw.clerk_a, handover=h, change=records.Discrepancy(
        b.s10, LineOutcome.SEAL_BROKEN, "Niêm phong rách"))
    issued = confirmation.issue_code(session, actor=hw.postman_user, handover=h)
    confirmation.confirm_with_code(session, actor=hw.clerk_a, handover=h, code=issued.code, fees_handed_vnd=45_000)
    return h, a, b


def test_handover_record_pdf_reads_back_in_vietnamese(session: Session, hw: HandoverWorld):
    """The record lists parties, items with S10 and dossier codes, counts, the remark, fees and the proof, in Vietnamese."""
    h, a, b = _confirmed(session, hw)
    pdf = documents.handover_record_pdf(session, h)
    text = _text(pdf)
    for expected in ("BIÊN BẢN GIAO NHẬN HỒ SƠ, KẾT QUẢ", h.code, a.s10, b.s10, session.get(Dossier, a.dossier_id).code,
                     "Niêm phong bị rách", "Bưu điện giao hồ sơ cho cơ quan giải quyết", hw.world.a.agency.name,
                     "Lệ phí bàn giao", "45.000 đ", "Chênh lệch", "-5.000 đ", "Mã xác nhận một lần", h.record_sha256[:20],
                     "(giờ Việt Nam)"):
        assert expected in text, expected
    assert "Phạm Thị Dung" not in text  # no citizen's name on the record


def test_handover_record_pdf_renders_to_an_image_with_a_qr(session: Session, hw: HandoverWorld):
    """The first page rasterises to a mostly white A4 image with dark text and the QR block."""
    h, _, _ = _confirmed(session, hw)
    image = _png(documents.handover_record_pdf(session, h), "handover_record").convert("L")
    width, height = image.size
    assert abs(height / width - 297 / 210) < 0.01
    dark = sum(image.histogram()[:100])
    assert 0.005 < dark / (width * height) < 0.3
    assert documents.qr_png(f"http://testserver/verify/handover/{h.code}").startswith(b"\x89PNG")


def test_draft_record_says_so(session: Session, hw: HandoverWorld):
    """An open record prints as a draft, without a QR or hash."""
    item = dossier_to_agency(session, hw)
    h = records.open_handover(session, actor=hw.postman_user, kind=HandoverKind.TO_AGENCY, place_code=hw.world.a.agency.code)
    records.add_item(session, actor=hw.postman_user, handover=h, s10=item.s10)
    text = _text(documents.handover_record_pdf(session, h))
    assert "BẢN NHÁP - CHƯA XÁC NHẬN" in text and "SHA-256" not in text


def test_dispatch_note_lists_documents_as_original_or_copy(session: Session, hw: HandoverWorld):
    """The dispatch note lists each document as bản chính or bản sao, with the masked sender for others."""
    item = dossier_to_agency(session, hw)
    dossier = session.get(Dossier, item.dossier_id)
    pdf = documents.dispatch_note_pdf(session, dossier, show_names=True)
    text = _text(pdf)
    for expected in ("PHIẾU GỬI HỒ SƠ", dossier.code, "Tờ khai đăng ký hộ tịch", "Giấy chứng sinh", "Bản chính", "Bản sao",
                     "Căn cước công dân", "Phạm Thị Dung", f"{item.s10} (Một cửa → cơ quan giải quyết)", "NHÂN VIÊN BƯU ĐIỆN"):
        assert expected in text, expected
    assert "Phạm Thị Dung" not in _text(documents.dispatch_note_pdf(session, dossier, show_names=False))
    _png(pdf, "dispatch_note")
