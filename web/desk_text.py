"""The words of the clerks' desk pages and the public verification page, in Vietnamese
(the default) and English.

The language comes from ``?lang=vi|en`` (the switch link on every page), remembered in
a cookie so that the pages answering a form stay in it. The Vietnamese labels of record
kinds, line outcomes and confirmation methods are the printed record's
(``handovers.documents``), so screen and paper say the same.
"""

from __future__ import annotations

from typing import Literal

from logistics.handovers import documents
from logistics.models.enums import ConfirmationMethod, HandoverKind, LegKind, LineOutcome

Language = Literal["vi", "en"]
LANGUAGES: tuple[Language, ...] = ("vi", "en")
DEFAULT: Language = "vi"
COOKIE = "desk_lang"

KIND_EN = {
    HandoverKind.TO_AGENCY: "Post office hands dossiers to the deciding agency",
    HandoverKind.FROM_AGENCY: "Agency hands results to the post office",
    HandoverKind.TO_COUNTER: "Post office hands over to the one-stop counter",
    HandoverKind.FROM_COUNTER: "One-stop counter hands dossiers to the post office",
}
OUTCOME_EN = {
    LineOutcome.ACCEPTED: "Complete, intact",
    LineOutcome.MISSING: "Missing",
    LineOutcome.SEAL_BROKEN: "Seal broken",
    LineOutcome.COUNT_DIFFERS: "Document count differs",
    LineOutcome.UNEXPECTED: "Not on the list",
}
METHOD_EN = {
    ConfirmationMethod.OTP: "One-time code shown on the postman's phone, typed by the clerk",
    ConfirmationMethod.QR: "System-signed QR code on the clerk's screen, scanned by the postman",
    ConfirmationMethod.SIGNATURE: "Receiver's signature on the postman's phone",
}

LEG_EN = {
    LegKind.HOME_PICKUP: "Pickup at home",
    LegKind.COUNTER_TO_AGENCY: "Counter → deciding agency",
    LegKind.AGENCY_TO_COUNTER: "Result back to the counter",
    LegKind.AGENCY_TO_OFFICE: "Result to the post office (collected there)",
    LegKind.HOME_DELIVERY: "Result delivered home",
    LegKind.COMMUNE_TRANSFER: "Between commune counters",
}

LABELS = {
    "vi": {
        "kind": documents.KIND_VI, "outcome": documents.OUTCOME_VI, "method": documents.METHOD_VI,
        "leg": documents.LEG_VI,
    },
    "en": {"kind": KIND_EN, "outcome": OUTCOME_EN, "method": METHOD_EN, "leg": LEG_EN},
}

TEXT: dict[str, dict[str, str]] = {
    "vi": {
        "app": "Bàn giao hồ sơ", "switch": "English", "logout": "Đăng xuất", "back": "‹ Trở về",
        "login_title": "Đăng nhập — cán bộ tiếp nhận", "username": "Tên đăng nhập", "password": "Mật khẩu",
        "login": "Đăng nhập", "login_failed": "Sai tên đăng nhập hoặc mật khẩu.",
        "day": "ngày", "records": "Biên bản giao nhận", "record_no": "Số biên bản", "kind": "Loại",
        "status": "Trạng thái", "item_count": "Số bưu gửi", "confirmed": "Đã xác nhận", "open": "Đang mở",
        "no_records": "Chưa có biên bản nào hôm nay.", "inbound": "Đang đến qua bưu điện",
        "outbound": "Chờ bưu điện đến nhận", "s10": "Số hiệu", "dossier": "Mã hồ sơ", "due": "Hạn", "leg": "Chặng",
        "none": "Không có.", "in_processing": "Hồ sơ đang giải quyết", "appointment": "Ngày hẹn trả",
        "days_left": "Còn (ngày làm việc)", "save": "Lưu", "result_ready": "Đã có kết quả",
        "record": "Biên bản", "postman": "Bưu tá", "place": "Nơi nhận/giao", "opened": "Mở lúc",
        "confirmed_at": "Xác nhận lúc", "supersedes": "Thay thế biên bản", "corrected_by": "Đã có biên bản đính chính",
        "download": "Tải biên bản (PDF)", "orig_copy": "Chính/sao", "fee": "Lệ phí", "condition": "Tình trạng",
        "fees_expected": "Lệ phí theo sổ", "fees_handed": "Đã bàn giao", "discrepancy": "Ghi nhận sai lệch",
        "s10_placeholder": "Số hiệu S10", "received_originals": "Bản chính nhận", "received_copies": "Bản sao nhận",
        "note": "Ghi chú", "record_it": "Ghi nhận", "confirm_code": "Xác nhận bằng mã trên điện thoại bưu tá",
        "code_placeholder": "Mã 6 số", "fees_received": "Tiền lệ phí nhận (đ)",
        "fees_reason": "Lý do chênh lệch (nếu có)", "confirm": "Xác nhận", "or_qr": "Hoặc hiện mã QR cho bưu tá quét",
        "expires": "Hết hạn lúc", "show_qr": "Hiện mã QR", "receiver": "Người nhận/giao",
        "bad_form": "Số tiền hoặc ngày hẹn trả không hợp lệ.", "done_confirm": "Đã xác nhận biên bản.",
        "done_discrepancy": "Đã ghi nhận sai lệch.", "done_appointment": "Đã ghi ngày hẹn trả cho hồ sơ {code}.",
        "done_result": "Đã báo có kết quả hồ sơ {code}.",
        "verify_title": "Kiểm tra biên bản giao nhận", "verify_missing": "Không tìm thấy biên bản đã xác nhận với số này.",
        "genuine": "✔ Biên bản thật, chưa bị sửa đổi", "changed": "✘ Biên bản không khớp với bản gốc đã lưu",
        "superseded": "Biên bản này đã được đính chính bằng một biên bản khác.", "time": "Thời gian",
        "post_office": "Bưu điện", "institution": "Cơ quan/bộ phận",
    },
    "en": {
        "app": "Dossier handovers", "switch": "Tiếng Việt", "logout": "Sign out", "back": "‹ Back",
        "login_title": "Sign in — agency and counter clerks", "username": "Username", "password": "Password",
        "login": "Sign in", "login_failed": "Wrong username or password.",
        "day": "on", "records": "Handover records", "record_no": "Record", "kind": "Kind",
        "status": "Status", "item_count": "Items", "confirmed": "Confirmed", "open": "Open",
        "no_records": "No records today yet.", "inbound": "Coming by post",
        "outbound": "Waiting for the post to collect", "s10": "Item", "dossier": "Dossier", "due": "Due", "leg": "Leg",
        "none": "None.", "in_processing": "Dossiers being processed", "appointment": "Appointment date",
        "days_left": "Working days left", "save": "Save", "result_ready": "Result ready",
        "record": "Record", "postman": "Postman", "place": "Place", "opened": "Opened",
        "confirmed_at": "Confirmed", "supersedes": "Replaces record", "corrected_by": "Corrected by record",
        "download": "Download the record (PDF)", "orig_copy": "Orig./copies", "fee": "Fee", "condition": "Condition",
        "fees_expected": "Fees on record", "fees_handed": "Handed over", "discrepancy": "Record a discrepancy",
        "s10_placeholder": "S10 number", "received_originals": "Originals received", "received_copies": "Copies received",
        "note": "Note", "record_it": "Record", "confirm_code": "Confirm with the code on the postman's phone",
        "code_placeholder": "6-digit code", "fees_received": "Fees received (VND)",
        "fees_reason": "Reason for a difference (if any)", "confirm": "Confirm", "or_qr": "Or show a QR code for the postman",
        "expires": "Expires at", "show_qr": "Show QR code", "receiver": "Received/handed by",
        "bad_form": "The amount or an appointment date is not valid.", "done_confirm": "The record is confirmed.",
        "done_discrepancy": "Discrepancy recorded.", "done_appointment": "Appointment date saved for dossier {code}.",
        "done_result": "Result of dossier {code} announced as ready.",
        "verify_title": "Handover record check", "verify_missing": "No confirmed record has this number.",
        "genuine": "✔ Genuine record, unchanged", "changed": "✘ This record does not match the stored original",
        "superseded": "This record has been corrected by another record.", "time": "Time",
        "post_office": "Post office", "institution": "Agency/counter",
    },
}


def choose(query_lang: str | None, cookie_lang: str | None) -> Language:
    """The page language: the query's, else the remembered one, else Vietnamese."""
    for candidate in (query_lang, cookie_lang):
        if candidate in LANGUAGES:
            return candidate  # type: ignore[return-value]
    return DEFAULT
