"""The printed papers, in Vietnamese: the handover record (biên bản giao nhận) and the
dispatch note (phiếu gửi hồ sơ), as PDF (fpdf2) with a QR code (segno).

Text is set in DejaVu Sans (``logistics/data/fonts``, Bitstream Vera licence, shipped
beside it), which covers Vietnamese. Times are printed in Asia/Ho_Chi_Minh. The record's
QR opens the public verification page; the dispatch note's QR carries the dossier code.
"""

from __future__ import annotations

import io
from datetime import datetime
from functools import cache
from pathlib import Path

import segno
from fpdf import FPDF
from sqlalchemy import select
from sqlmodel import Session

from logistics.filestore import get_file_store
from logistics.handovers import integrity, schemas
from logistics.models import Agency, Counter, Dossier, DossierDocument, Handover, Item, Person, Procedure
from logistics.models.enums import ConfirmationMethod, HandoverKind, HandoverStatus, LegKind, LineOutcome
from logistics.phones import mask_name
from logistics.workdays import LOCAL_TZ

FONTS = Path(__file__).resolve().parent.parent / "data" / "fonts"

KIND_VI = {
    HandoverKind.TO_AGENCY: "Bưu điện giao hồ sơ cho cơ quan giải quyết",
    HandoverKind.FROM_AGENCY: "Cơ quan giải quyết giao kết quả cho bưu điện",
    HandoverKind.TO_COUNTER: "Bưu điện giao cho Bộ phận Một cửa",
    HandoverKind.FROM_COUNTER: "Bộ phận Một cửa giao hồ sơ cho bưu điện",
}
OUTCOME_VI = {
    LineOutcome.ACCEPTED: "Đủ, nguyên vẹn",
    LineOutcome.MISSING: "Thiếu",
    LineOutcome.SEAL_BROKEN: "Niêm phong bị rách",
    LineOutcome.COUNT_DIFFERS: "Số lượng giấy tờ khác",
    LineOutcome.UNEXPECTED: "Không có trong danh sách",
}
LEG_VI = {
    LegKind.HOME_PICKUP: "Nhận hồ sơ tại nhà",
    LegKind.COUNTER_TO_AGENCY: "Một cửa → cơ quan giải quyết",
    LegKind.AGENCY_TO_COUNTER: "Trả kết quả về một cửa",
    LegKind.AGENCY_TO_OFFICE: "Trả kết quả về bưu cục (người nhận đến lấy)",
    LegKind.HOME_DELIVERY: "Phát kết quả tại nhà",
    LegKind.COMMUNE_TRANSFER: "Chuyển giữa một cửa các xã",
}
METHOD_VI = {
    ConfirmationMethod.OTP: "Mã xác nhận một lần hiển thị trên điện thoại bưu tá, cán bộ tiếp nhận nhập đúng",
    ConfirmationMethod.QR: "Mã QR có chữ ký số của hệ thống trên màn hình cán bộ, bưu tá quét",
    ConfirmationMethod.SIGNATURE: "Chữ ký của người nhận trên màn hình điện thoại bưu tá",
}


def vnd(amount: int | None) -> str:
    return "—" if amount is None else f"{amount:,}".replace(",", ".") + " đ"


def local(at: datetime | None) -> str:
    return at.astimezone(LOCAL_TZ).strftime("%H:%M ngày %d/%m/%Y") if at is not None else "—"


def qr_png(data: str, *, scale: int = 4) -> bytes:
    out = io.BytesIO()
    segno.make(data, error="m").save(out, kind="png", scale=scale, border=2)
    return out.getvalue()


def qr_svg(data: str) -> str:
    out = io.BytesIO()
    segno.make(data, error="m").save(out, kind="svg", scale=5, border=2, xmldecl=False, svgns=True)
    return out.getvalue().decode()


@cache
def _font_paths() -> tuple[str, str]:
    return str(FONTS / "DejaVuSans.ttf"), str(FONTS / "DejaVuSans-Bold.ttf")


class _Paper(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(format="A4")
        regular, bold = _font_paths()
        self.add_font("DejaVu", "", regular)
        self.add_font("DejaVu", "B", bold)
        self.set_title(title)
        self.set_creator("bcci-logistics")
        self.set_auto_page_break(True, margin=15)
        self.add_page()
        self.set_font("DejaVu", size=10)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", size=7)
        self.cell(0, 5, f"Trang {self.page_no()}/{{nb}}", align="C")

    def heading(self, title: str, subtitle: str) -> None:
        self.set_font("DejaVu", "B", 9)
        self.cell(0, 5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C", new_x="LMARGIN", new_y="NEXT")
        self.cell(0, 5, "Độc lập - Tự do - Hạnh phúc", align="C", new_x="LMARGIN", new_y="NEXT")
        self.ln(4)
        self.set_font("DejaVu", "B", 14)
        self.cell(0, 8, title, align="C", new_x="LMARGIN", new_y="NEXT")
        self.set_font("DejaVu", size=10)
        self.cell(0, 6, subtitle, align="C", new_x="LMARGIN", new_y="NEXT")
        self.ln(3)

    def field(self, label: str, value: str) -> None:
        self.set_font("DejaVu", "B", 10)
        self.cell(48, 6, label)
        self.set_font("DejaVu", size=10)
        self.multi_cell(0, 6, value, align="L", new_x="LMARGIN", new_y="NEXT")

    def table_of(self, header: tuple[str, ...], rows: list[tuple[str, ...]], widths: tuple[int, ...]) -> None:
        self.set_font("DejaVu", size=8)
        with self.table(col_widths=widths, text_align="LEFT", line_height=5,
                        headings_style=_bold_headings()) as table:
            table.row(header)
            for row in rows:
                table.row(row)
        self.set_font("DejaVu", size=10)


def _bold_headings():  # noqa: ANN202
    from fpdf.fonts import FontFace

    return FontFace(emphasis="BOLD", fill_color=(230, 230, 230))


def handover_record_pdf(session: Session, handover: Handover) -> bytes:
    """The handover record; a draft watermark until it is confirmed."""
    view = schemas.handover_out(session, handover)
    confirmed = handover.status is HandoverStatus.CONFIRMED
    pdf = _Paper(f"Biên bản giao nhận {handover.code}")
    pdf.heading("BIÊN BẢN GIAO NHẬN HỒ SƠ, KẾT QUẢ", f"Số: {handover.code}")
    if not confirmed:
        pdf.set_text_color(200, 0, 0)
        pdf.cell(0, 6, "BẢN NHÁP - CHƯA XÁC NHẬN", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
    pdf.field("Loại giao nhận:", KIND_VI[handover.kind])
    pdf.field("Thời gian:", f"{local(handover.confirmed_at or handover.opened_at)} (giờ Việt Nam)")
    pdf.field("Bên bưu điện:", f"{view.postman_name}, bưu tá, {view.post_office_name}")
    pdf.field("Bên cơ quan/bộ phận:", f"{view.place_name} ({view.place_code})")
    pdf.field("Người nhận/giao:", view.received_by_name or "—")
    if view.supersedes:
        pdf.field("Thay thế biên bản:", f"{view.supersedes}. Lý do: {view.note or '—'}")
    pdf.ln(2)
    rows = [
        (str(n), line.s10, line.dossier_code, str(line.originals), str(line.copies), vnd(line.fee_vnd),
         OUTCOME_VI[line.outcome] + (
             f" (nhận {line.received_originals or 0} chính, {line.received_copies or 0} sao)"
             if line.outcome is LineOutcome.COUNT_DIFFERS else ""),
         line.note or "")
        for n, line in enumerate(view.lines, start=1)
    ]
    pdf.table_of(("STT", "Số hiệu (S10)", "Mã hồ sơ", "Bản chính", "Bản sao", "Lệ phí", "Tình trạng", "Ghi chú"),
                 rows, (8, 25, 48, 12, 11, 19, 36, 21))
    pdf.ln(2)
    taken = sum(1 for line in view.lines if line.outcome in (LineOutcome.ACCEPTED, LineOutcome.SEAL_BROKEN,
                                                              LineOutcome.COUNT_DIFFERS))
    pdf.field("Số bưu gửi:", f"{len(view.lines)} trong biên bản, {taken} đã nhận, "
                              f"{len(view.lines) - taken} thiếu hoặc ngoài danh sách")
    pdf.field("Lệ phí theo sổ:", vnd(view.fees_expected_vnd))
    pdf.field("Lệ phí bàn giao:", vnd(view.fees_handed_vnd))
    if view.fees_difference_vnd:
        reason = view.fees_note if view.fees_note and not view.fees_note.startswith("Chênh lệch") else ""
        pdf.field("Chênh lệch:", f"{vnd(view.fees_difference_vnd)}. {reason}".rstrip(". "))
    pdf.ln(2)
    if confirmed:
        pdf.field("Xác nhận:", f"{METHOD_VI[handover.method]}, lúc {local(handover.confirmed_at)}.")
        _signature(pdf, handover)
        y = pdf.get_y() + 2
        if y > 240:
            pdf.add_page()
            y = pdf.get_y()
        pdf.image(io.BytesIO(qr_png(integrity.verify_url(handover))), x=pdf.l_margin, y=y, w=32, h=32)
        pdf.set_xy(pdf.l_margin + 36, y + 4)
        pdf.multi_cell(0, 5, "Quét mã QR để kiểm tra biên bản là thật và chưa bị sửa đổi.\n"
                             f"Mã băm SHA-256: {handover.record_sha256}", align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.alias_nb_pages()
    return bytes(pdf.output())


def _signature(pdf: _Paper, handover: Handover) -> None:
    if handover.method is not ConfirmationMethod.SIGNATURE or not handover.signature_ref:
        return
    try:
        with get_file_store().open(handover.signature_ref) as f:
            data = f.read()
        pdf.image(io.BytesIO(data), x=pdf.l_margin + 48, w=40)
    except Exception:  # noqa: BLE001 - a missing image must not stop the record from printing
        pdf.field("Chữ ký:", f"lưu tại {handover.signature_ref}")


def dispatch_note_pdf(session: Session, dossier: Dossier, *, show_names: bool) -> bytes:
    """The dispatch note made at intake: the dossier's documents, each with its originals and copies."""
    procedure = session.get(Procedure, dossier.procedure_id)
    agency = session.get(Agency, dossier.agency_id)
    counter = session.get(Counter, dossier.counter_id) if dossier.counter_id else None
    applicant = session.get(Person, dossier.applicant_id)
    items = list(session.execute(select(Item).where(Item.dossier_id == dossier.id).order_by(Item.id)).scalars())
    documents = list(session.execute(select(DossierDocument).where(DossierDocument.dossier_id == dossier.id)
                                     .order_by(DossierDocument.seq)).scalars())
    pdf = _Paper(f"Phiếu gửi hồ sơ {dossier.code}")
    pdf.heading("PHIẾU GỬI HỒ SƠ", f"Mã hồ sơ: {dossier.code}")
    pdf.field("Thủ tục:", f"{procedure.name} ({procedure.code})")
    pdf.field("Cơ quan giải quyết:", agency.name)
    pdf.field("Nơi tiếp nhận:", counter.name if counter else "Bưu tá nhận tại nhà")
    pdf.field("Thời gian tiếp nhận:", f"{local(dossier.received_at)} (giờ Việt Nam)")
    pdf.field("Ngày hẹn trả:", dossier.appointment_date.strftime("%d/%m/%Y") if dossier.appointment_date else "—")
    name = applicant.full_name if show_names else mask_name(applicant.full_name)
    pdf.field("Người gửi:", name)
    pdf.field("Số hiệu bưu gửi:", ", ".join(f"{i.s10} ({LEG_VI[i.leg]})" for i in items) or "—")
    pdf.ln(2)
    if documents:
        rows = [(str(d.seq), d.name, str(d.originals), str(d.copies)) for d in documents]
        originals, copies = sum(d.originals for d in documents), sum(d.copies for d in documents)
    else:
        rows = [("1", "Hồ sơ theo danh mục của thủ tục", str(dossier.document_count), "0")]
        originals, copies = dossier.document_count, 0
    rows.append(("", "Tổng cộng", str(originals), str(copies)))
    pdf.table_of(("STT", "Tên giấy tờ", "Bản chính", "Bản sao"), rows, (10, 124, 24, 24))
    pdf.ln(4)
    pdf.multi_cell(0, 5, "Hồ sơ đã được kiểm tra theo danh mục, niêm phong trước mặt người gửi.",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    y = pdf.get_y()
    pdf.set_font("DejaVu", "B", 10)
    pdf.cell(90, 6, "NGƯỜI GỬI", align="C")
    pdf.cell(90, 6, "NHÂN VIÊN BƯU ĐIỆN", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=8)
    pdf.cell(90, 5, "(Ký, ghi rõ họ tên)", align="C")
    pdf.cell(90, 5, "(Ký, ghi rõ họ tên)", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.image(io.BytesIO(qr_png(dossier.code, scale=3)), x=pdf.w - pdf.r_margin - 24, y=y + 16, w=24, h=24)
    pdf.alias_nb_pages()
    return bytes(pdf.output())
