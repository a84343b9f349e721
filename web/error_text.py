"""Vietnamese sentences for the refusals a clerk or a citizen meets on a page.

The domain raises its errors with a machine code and an English sentence (the API's
``detail``). The pages speak Vietnamese first, so each code a page can show has its
sentence here; ``{name}`` fields are filled from the error's context (an S10 id, a
record or dossier code, attempts left). A code without a sentence, or whose fields the
error does not carry, keeps the English one: never a half-filled sentence.
"""

from __future__ import annotations

from logistics.exceptions import DomainError

VI: dict[str, str] = {
    # handover records at the desk
    "handover_empty": "Biên bản chưa có bưu gửi nào; hãy quét bưu gửi trước.",
    "handover_full": "Một biên bản chỉ ghi được số bưu gửi giới hạn; hãy lập biên bản khác.",
    "handover_not_open": "Biên bản {record} không còn mở.",
    "handover_not_found": "Không có biên bản {record} mà bạn được xem.",
    "already_confirmed": "Biên bản {record} đã được xác nhận, không thể thay đổi.",
    "already_superseded": "Biên bản {record} đã có biên bản đính chính.",
    "not_confirmed": "Chỉ đính chính biên bản đã xác nhận; biên bản đang mở thì sửa trực tiếp.",
    "reason_missing": "Đính chính cần ghi lý do.",
    "item_not_found": "Không có bưu gửi {s10}.",
    "item_not_on_handover": "Bưu gửi {s10} không có trong biên bản {record}.",
    "item_already_on_handover": "Bưu gửi {s10} đã có trong biên bản này.",
    "item_on_other_handover": "Bưu gửi {s10} đang ở trong một biên bản khác chưa xác nhận.",
    "item_not_assigned": "Bưu gửi {s10} không thuộc tuyến của bạn hôm nay.",
    "line_is_unexpected": "Bưu gửi ngoài danh sách giữ nguyên kết quả này; hãy gỡ nó khỏi biên bản.",
    "received_counts_missing": "Số lượng khác biệt cần ghi số bản gốc và bản sao đã nhận.",
    "invalid_received_counts": "Số lượng đã nhận không được âm.",
    "counts_match": "Số lượng đã nhận trùng với phiếu chuyển; không có gì khác biệt.",
    "invalid_fees": "Số tiền lệ phí bàn giao phải từ 0 đến 10 tỷ đồng.",
    # confirming a record: the one-time code, the QR code, the signature
    "no_code_issued": "Chưa có mã xác nhận nào còn hiệu lực; đề nghị bưu tá hiển thị mã mới.",
    "wrong_code": "Mã không đúng; còn {attempts_left} lần thử.",
    "code_expired": "Mã đã hết hạn; đề nghị hiển thị mã mới.",
    "too_many_attempts": "Nhập sai quá nhiều lần; đề nghị bưu tá hiển thị mã mới.",
    "otp_rate_limited": "Đã cấp quá nhiều mã cho biên bản này; hãy dùng mã QR hoặc chữ ký.",
    "invalid_qr_token": "Mã QR này không do hệ thống cấp hoặc không dùng được để xác nhận.",
    "qr_for_another_record": "Mã QR này thuộc biên bản khác.",
    "qr_stale": "Biên bản đã thay đổi sau khi hiển thị mã QR; hãy hiển thị mã mới.",
    "signer_name_missing": "Hãy ghi họ tên người ký.",
    "csrf_failed": "Biểu mẫu đã cũ; hãy tải lại trang.",
    # dossiers, appointments and results at the agency
    "dossier_not_found": "Không có hồ sơ {dossier} mà bạn được xem.",
    "dossier_not_on_handover": "Hồ sơ {dossier} không có trong biên bản này.",
    "dossier_closed": "Hồ sơ {dossier} đã kết thúc; ngày hẹn không đổi được nữa.",
    "result_already_ready": "Kết quả của hồ sơ {dossier} đã được báo trước đó.",
    "invalid_appointment_date": "Ngày hẹn trả kết quả không được ở quá khứ.",
    "not_a_working_day": "Ngày hẹn trả kết quả phải là ngày làm việc.",
    "appointment_not_allowed": "Ngày hẹn chỉ ghi khi cơ quan tiếp nhận hồ sơ.",
    "counter_required": "Kết quả trả về bộ phận một cửa nhưng hồ sơ không có bộ phận một cửa.",
    "no_post_office": "Chưa có bưu cục phục vụ tỉnh này.",
    "documents_settled": "Hồ sơ đã được bàn giao theo biên bản đã xác nhận; danh mục giấy tờ không đổi được.",
    "invalid_documents": "Danh mục giấy tờ không hợp lệ.",
    "not_the_clerk": "Chỉ cán bộ của cơ quan hoặc bộ phận nhận mới làm được việc này.",
    "not_a_clerk": "Trang này dành cho cán bộ cơ quan và bộ phận một cửa.",
    "forbidden": "Bạn không có quyền làm việc này.",
    # the citizen's tracking link and rescheduling
    "tracking_link_not_found": "Đường dẫn tra cứu không hợp lệ; hãy kiểm tra lại đường dẫn trong tin nhắn.",
    "tracking_link_expired": "Đường dẫn tra cứu đã hết hạn.",
    "reschedule_window_missing": "Hãy chọn ngày và khung giờ, hoặc nhận tại bưu cục.",
    "reschedule_date_past": "Ngày đã chọn đã qua; hãy chọn một trong các ngày làm việc tới.",
    "reschedule_date_too_soon": "Việc phát hôm nay đã được xếp; hãy chọn một trong các ngày làm việc tới.",
    "reschedule_not_working_day": "Ngày đã chọn không phải ngày làm việc; hãy chọn ngày làm việc.",
    "reschedule_date_too_far": "Hãy chọn một ngày trong các ngày làm việc sắp tới được đề xuất.",
    "unknown_delivery_slot": "Hãy chọn một trong các khung giờ được đề xuất.",
    "invalid_reschedule_choice": "Lựa chọn không hợp lệ; hãy chọn khung giờ phát hoặc nhận tại bưu cục.",
    "reschedule_not_allowed": "Bưu gửi này không đổi lịch được nữa (đang được phát hoặc đã xong).",
    "reschedule_limit": "Lịch phát đã đổi nhiều lần trong hôm nay; xin gọi bưu cục.",
    "too_many_requests": "Quá nhiều yêu cầu; xin thử lại sau ít phút.",
}


def sentence(exc: DomainError, lang: str) -> str:
    """The sentence to show for ``exc`` on a page in ``lang`` ("vi" or "en")."""
    if lang != "vi":
        return exc.detail
    template = VI.get(exc.code)
    if template is None:
        return exc.detail
    try:
        return template.format(**exc.context)
    except (KeyError, IndexError, ValueError):
        return exc.detail


def page_messages(codes: tuple[str, ...] | None = None) -> dict[str, str]:
    """The Vietnamese sentences without fields, for a page's script to show by code."""
    return {code: text for code, text in VI.items() if "{" not in text and (codes is None or code in codes)}
