"""Every word the producer's pages show, Vietnamese first (the terms of DOMAIN.md a
producer knows: chủ thể, lô, vùng nguyên liệu), English beside it."""

from __future__ import annotations

from collections.abc import Callable

LANGUAGES = ("vi", "en")
"""Vietnamese first."""

WORDS: dict[str, tuple[str, str]] = {
    "app": ("Sổ tay OCOP", "OCOP workspace"),
    "app_long": ("Sổ tay OCOP của chủ thể", "The producer's OCOP workspace"),
    "sign_in": ("Đăng nhập", "Sign in"),
    "sign_out": ("Đăng xuất", "Sign out"),
    "username": ("Tên đăng nhập", "Username"),
    "password": ("Mật khẩu", "Password"),
    "change_password": ("Đổi mật khẩu", "Change password"),
    "current_password": ("Mật khẩu hiện tại", "Current password"),
    "new_password": ("Mật khẩu mới (ít nhất 10 ký tự)", "New password (at least 10 characters)"),
    "password_changed": ("Đã đổi mật khẩu. Các thiết bị khác đã được đăng xuất.",
                         "Password changed. Your other devices were signed out."),
    "save": ("Lưu", "Save"),
    "send": ("Gửi", "Send"),
    "products": ("Sản phẩm của tôi", "My products"),
    "no_products": ("Chưa có sản phẩm nào. Hãy liên hệ cơ quan quản lý OCOP để đăng ký.",
                    "No product yet. Ask the OCOP office to register one."),
    "idea": ("Ý tưởng", "Idea"),
    "plan": ("Phương án", "Plan"),
    "dossier": ("Hồ sơ", "Dossier"),
    "evaluation": ("Đánh giá", "Evaluation"),
    "certified": ("Chứng nhận", "Certified"),
    "stars": ("sao", "stars"),
    "certificate": ("Giấy chứng nhận", "Certificate"),
    "valid_until": ("Hiệu lực đến", "Valid until"),
    "days_left": ("Còn {n} ngày", "{n} days left"),
    "renew_now": ("Giấy chứng nhận sẽ hết hạn ngày {day}. Hãy chuẩn bị hồ sơ đánh giá lại "
                  "ngay từ bây giờ.",
                  "The certificate expires on {day}. Prepare the renewal now."),
    "checklist": ("Hồ sơ cần nộp", "Dossier checklist"),
    "checklist_done": ("Đã đủ giấy tờ trong hồ sơ.", "The dossier has every document."),
    "upload": ("Tải lên", "Upload"),
    "uploaded_document": ("Đã tải lên giấy tờ.", "The document is uploaded."),
    "documents_held": ("Giấy tờ đã nộp", "Documents filed"),
    "propose_change": ("Đề nghị sửa thông tin sản phẩm", "Propose a change to the product"),
    "product_name": ("Tên sản phẩm", "Product name"),
    "description": ("Mô tả", "Description"),
    "change_sent": ("Đã gửi đề nghị. Cơ quan quản lý sẽ xem xét trước khi thay đổi.",
                    "Sent. The office reviews it before it applies."),
    "change_saved": ("Đã lưu thay đổi.", "Change saved."),
    "change_waiting": ("Đề nghị đang chờ cơ quan quản lý duyệt:",
                       "A change waits for the office:"),
    "batches": ("Các lô sản phẩm", "Batches"),
    "no_batches": ("Chưa có lô nào.", "No batch yet."),
    "open_batch": ("Mở lô mới", "Open a batch"),
    "batches_need_certificate": ("Sản phẩm cần được công nhận OCOP trước khi mở lô.",
                                 "The product needs its OCOP certificate before batches."),
    "lot": ("Mã lô", "Lot code"),
    "lot_hint": ("Tối đa 20 ký tự, ví dụ SR-2026-07", "Up to 20 characters, e.g. SR-2026-07"),
    "produced_on": ("Ngày sản xuất", "Produced on"),
    "quantity": ("Số lượng", "Quantity"),
    "unit": ("Đơn vị", "Unit"),
    "area": ("Vùng nguyên liệu", "Raw-material area"),
    "area_hint": ("Tên vườn, ao, trại…", "Orchard, pond, farm…"),
    "commune": ("Xã/phường", "Commune"),
    "journey": ("Hành trình của lô", "The batch's journey"),
    "no_events": ("Chưa ghi sự kiện nào.", "No event recorded yet."),
    "record_event": ("Ghi sự kiện", "Record an event"),
    "step": ("Việc gì", "What happened"),
    "harvest": ("Thu hoạch", "Harvest"),
    "processing": ("Chế biến", "Processing"),
    "lab_test": ("Kiểm nghiệm", "Lab test"),
    "packing": ("Đóng gói", "Packing"),
    "shipping": ("Vận chuyển", "Shipping"),
    "receiving": ("Nhận hàng", "Receiving"),
    "sensor_reading": ("Đo đạc", "Measurement"),
    "happened_at": ("Thời gian", "When"),
    "place": ("Địa điểm", "Place"),
    "note": ("Ghi chú", "Note"),
    "lab": ("Phòng kiểm nghiệm", "Laboratory"),
    "lab_passed": ("Kết quả đạt", "Passed"),
    "party": ("Giao cho / nhận từ", "To / from whom"),
    "photo": ("Ảnh", "Photo"),
    "take_event_photo": ("Chụp ảnh (không bắt buộc)", "Take a photo (optional)"),
    "lab_report_photo": ("Ảnh phiếu kết quả kiểm nghiệm", "Photo of the lab report"),
    "use_location": ("Ghi vị trí của điện thoại", "Record the phone's location"),
    "queue": ("Sự kiện trên điện thoại", "Events on this phone"),
    "waiting": ("Đang chờ gửi", "Waiting to send"),
    "sending": ("Đang gửi…", "Sending…"),
    "sent": ("Đã gửi", "Sent"),
    "refused": ("Không được chấp nhận", "Refused"),
    "offline_note": ("Không có sóng: sự kiện được giữ trên điện thoại và tự gửi khi có mạng.",
                     "No signal: events stay on this phone and are sent when it returns."),
    "remove": ("Xoá", "Remove"),
    "labels": ("In tem QR", "Print QR labels"),
    "label_count": ("Số tem", "Number of labels"),
    "label_kind_serial": ("Mỗi sản phẩm một mã riêng", "A code per unit"),
    "label_kind_batch": ("Cùng một mã của lô", "The batch's code on every label"),
    "label_kind": ("Loại tem", "Kind of label"),
    "print": ("Tạo bản in", "Make the sheet"),
    "sheet_count": ("{n} tem", "{n} labels"),
    "drawing": ("Đang tạo bản in… {done}/{total}", "Drawing… {done}/{total}"),
    "sheet_failed": ("Không tạo được bản in này; hãy tạo lại.",
                     "This sheet could not be made; make it again."),
    "download_pdf": ("Tải tệp PDF để in", "Download the PDF"),
    "scans": ("Lượt quét mã", "Scans"),
    "scans_30_days": ("Lượt quét trong 30 ngày", "Scans in the last 30 days"),
    "units_printed": ("Tem đã in", "Labels printed"),
    "units_scanned": ("Sản phẩm đã được quét", "Units scanned"),
    "alerts": ("Cảnh báo hàng giả", "Counterfeit alerts"),
    "no_alerts": ("Không có cảnh báo nào.", "No alert."),
    "copied_serial": ("Mã có thể bị sao chép", "A code that looks copied"),
    "unknown_serial": ("Mã chưa từng được in", "A code never printed"),
    "unknown_lot": ("Mã lô không có thật", "A lot that does not exist"),
    "consumer_report": ("Người mua báo mã đáng ngờ", "A shopper reported a code"),
    "devices": ("thiết bị", "devices"),
    "networks": ("mạng", "networks"),
    "confidence_low": ("độ tin cậy thấp", "low confidence"),
    "confidence_medium": ("độ tin cậy vừa", "medium confidence"),
    "confidence_high": ("độ tin cậy cao", "high confidence"),
    "back": ("Quay lại", "Back"),
    "language": ("English", "Tiếng Việt"),
    "offline_title": ("Không có kết nối", "No connection"),
    "offline_page": ("Trang này chưa được lưu trên điện thoại. Khi có sóng, hãy mở lại.",
                     "This page is not saved on the phone yet. Open it again with signal."),
    "sign_in_first": ("Hãy đăng nhập để mở sổ tay.", "Sign in to open your workspace."),
    "signed_out": ("Phiên đăng nhập đã hết. Hãy đăng nhập lại; các sự kiện chờ gửi vẫn được "
                   "giữ trên điện thoại.",
                   "Your sign-in has ended. Sign in again; events waiting to send stay on "
                   "this phone."),
    "form_expired": ("Biểu mẫu đã cũ. Hãy tải lại trang rồi gửi lại.",
                     "The form is out of date. Reload the page and send it again."),
    "sign_in_form_expired": ("Biểu mẫu đăng nhập đã cũ, hoặc được gửi từ một trang khác. Hãy "
                             "đăng nhập lại tại đây.",
                             "The sign-in form is out of date, or was sent from another site. "
                             "Sign in again here."),
    "producers_only": ("Sổ tay này dành cho chủ thể sản xuất OCOP. Cán bộ cơ quan quản lý, "
                       "xã và hội đồng dùng công cụ riêng.",
                       "This workspace is for OCOP producers. Office, commune and council "
                       "staff have their own tools."),
    # -- refusals, where a service's own words are not for people (see plain.py) ----------
    "fix_fields": ("Một số ô nhập không hợp lệ; hãy sửa theo ghi chú rồi gửi lại.",
                   "Some entries are invalid; correct them as noted and send again."),
    "document_kind": ("Hãy chụp ảnh giấy tờ, hoặc chọn ảnh JPEG, PNG hay tệp PDF.",
                      "Take a photo of the document, or choose a JPEG or PNG photo or a PDF "
                      "file."),
    "ask": ("Ô này chưa đúng; hãy xem lại.", "This entry is not right; check it again."),
    "ask_lot": ("Nhập mã lô: tối đa 20 ký tự, chữ không dấu, chữ số và các dấu như - . /",
                "Enter the lot code: up to 20 characters, letters without accents, digits "
                "and signs such as - . /"),
    "ask_produced_on": ("Chọn ngày sản xuất.", "Choose the production date."),
    "ask_quantity": ("Nhập số lượng lớn hơn 0, ví dụ 12 hoặc 1,5.",
                     "Enter an amount above 0, e.g. 12 or 1.5."),
    "ask_unit": ("Chọn đơn vị.", "Choose the unit."),
    "ask_area": ("Nhập tên vùng nguyên liệu (tên vườn, ao, trại…).",
                 "Enter the raw-material area (orchard, pond, farm…)."),
    "ask_commune": ("Nhập xã/phường của vùng nguyên liệu.",
                    "Enter the commune of the raw-material area."),
    "ask_happened_at": ("Chọn ngày và giờ việc đã diễn ra.",
                        "Choose the day and time it happened."),
    "ask_place": ("Nhập tên địa điểm.", "Enter the place."),
    "ask_lab": ("Nhập tên phòng kiểm nghiệm.", "Enter the laboratory."),
    "ask_party": ("Nhập tên người giao hoặc nhận hàng.", "Enter who sent or received it."),
    "ask_input_batch": ("Chọn lô nguyên liệu đã dùng.", "Choose the batch it was made from."),
    "ask_note": ("Ghi chú quá dài; hãy viết ngắn lại.", "The note is too long; shorten it."),
    "ask_count": ("Nhập số tem: một số nguyên từ 1 đến 10.000.",
                  "Enter how many labels: a whole number from 1 to 10,000."),
    "ask_name": ("Nhập tên sản phẩm, từ 2 đến 200 ký tự.",
                 "Enter the product's name, 2 to 200 characters."),
    "ask_description": ("Mô tả quá dài; hãy viết ngắn lại.",
                        "The description is too long; shorten it."),
}


UNITS = {"KGM": ("kg", "kg"), "LTR": ("lít", "litres"), "TNE": ("tấn", "tonnes"),
         "H87": ("cái", "pieces")}


def both(key: str) -> tuple[str, str]:
    """The word in English and in Vietnamese, as a refusal carries them."""
    vi, en = WORDS[key]
    return en, vi


def translator(lang: str) -> Callable[..., str]:
    """``t("key", n=3)``: the word in ``lang``, with its blanks filled."""
    index = 0 if lang == "vi" else 1

    def t(key: str, **blanks: object) -> str:
        word = (WORDS.get(key) or UNITS[key])[index]
        return word.format(**blanks) if blanks else word

    return t
