"""Demo report types for the demo Department: three realistic types under the national
reporting regime, their periods and the centers' obligations."""

import datetime

from django.db import transaction

from centers.choices import CenterKind
from geo.models import AdministrativeUnit

from .choices import Frequency
from .models import ReportField, ReportType
from .services import periods_generate

DEMO_TYPES_START = datetime.date(2026, 1, 1)

# (code, label, kind, required, min, max, help text / choices)
LANGUAGE_FIELDS = [
    ("so_hoc_vien", "Số học viên trong kỳ", "integer", True, 0, 100000, "Tổng số lượt học viên theo học trong kỳ."),
    ("so_lop", "Số lớp đang hoạt động", "integer", True, 0, 5000, ""),
    ("so_khoa_hoc_mo", "Số khóa học đã mở", "integer", True, 0, 5000, ""),
    ("so_giao_vien_viet_nam", "Số giáo viên Việt Nam", "integer", True, 0, 1000, ""),
    ("so_giao_vien_nuoc_ngoai", "Số giáo viên người nước ngoài", "integer", True, 0, 1000, ""),
    ("so_gvnn_co_gpld", "Số giáo viên nước ngoài có giấy phép lao động còn hạn", "integer", True, 0, 1000,
     "Kể cả người được miễn giấy phép lao động."),
    ("doanh_thu", "Doanh thu trong kỳ (triệu đồng)", "decimal", True, 0, 1000000, ""),
    ("su_co", "Sự cố, vụ việc phát sinh (nếu có)", "text", False, None, None, "Ghi rõ thời gian, nội dung, cách xử lý."),
]
COMMUNITY_FIELDS = [
    ("so_lop_chuyen_de", "Số lớp chuyên đề đã tổ chức", "integer", True, 0, 1000, ""),
    ("so_luot_nguoi_hoc", "Số lượt người học", "integer", True, 0, 100000, ""),
    ("so_bao_cao_vien", "Số báo cáo viên, hướng dẫn viên", "integer", True, 0, 500, ""),
    ("kinh_phi", "Kinh phí hoạt động (triệu đồng)", "decimal", False, 0, 100000, ""),
    ("de_xuat", "Khó khăn, đề xuất", "text", False, None, None, ""),
]
DISCLOSURE_FIELDS = [
    ("cong_khai_chuong_trinh", "Đã công khai chương trình, tài liệu giảng dạy", "boolean", True, None, None, ""),
    ("cong_khai_hoc_phi", "Đã công khai học phí và các khoản thu", "boolean", True, None, None, ""),
    ("hinh_thuc", "Hình thức công khai", "choice", True, None, None,
     "Trang thông tin điện tử\nNiêm yết tại trụ sở\nCả hai hình thức"),
    ("ngay_cong_khai", "Ngày công khai", "date", True, None, None, ""),
    ("dia_chi_cong_khai", "Địa chỉ trang công khai (nếu có)", "text", False, None, None, ""),
]

DEMO_TYPES = [
    {
        "code": "NNTH-6T", "title": "Báo cáo tình hình hoạt động 6 tháng của trung tâm ngoại ngữ, tin học",
        "center_kinds": [CenterKind.LANGUAGE, CenterKind.LANGUAGE_IT, CenterKind.IT],
        "frequency": Frequency.SIX_MONTHLY, "fields": LANGUAGE_FIELDS,
    },
    {
        "code": "TTHTCD-NAM", "title": "Báo cáo năm của trung tâm học tập cộng đồng",
        "center_kinds": [CenterKind.COMMUNITY], "frequency": Frequency.ANNUAL, "fields": COMMUNITY_FIELDS,
    },
    {
        "code": "CONG-KHAI", "title": "Báo cáo thực hiện công khai hằng năm",
        "center_kinds": [CenterKind.LANGUAGE, CenterKind.LANGUAGE_IT, CenterKind.IT, CenterKind.INCLUSIVE,
                         CenterKind.VOCATIONAL],
        "frequency": Frequency.SCHOOL_YEAR, "fields": DISCLOSURE_FIELDS,
    },
]


@transaction.atomic
def report_types_seed(*, province: AdministrativeUnit) -> int:
    """Create the three demo report types of the province; existing ones are left alone."""
    created = 0
    for spec in DEMO_TYPES:
        report_type, is_new = ReportType.objects.get_or_create(
            province=province, code=spec["code"],
            defaults={
                "title": spec["title"], "center_kinds": [str(k) for k in spec["center_kinds"]],
                "frequency": spec["frequency"], "starts_on": DEMO_TYPES_START,
                "due_days_after_window": 5, "lock_days_after_due": 15,
            },
        )
        if not is_new:
            continue
        created += 1
        for order, (code, label, kind, required, low, high, extra) in enumerate(spec["fields"]):
            ReportField.objects.create(
                report_type=report_type, code=code, label=label, kind=kind, required=required, order=order,
                min_value=low, max_value=high,
                choices=extra if kind == "choice" else "", help_text="" if kind == "choice" else extra,
            )
    return created


def reports_seed(*, province: AdministrativeUnit, today: datetime.date | None = None) -> dict:
    """Types, periods and obligations of the demo province; idempotent."""
    types = report_types_seed(province=province)
    summary = periods_generate(today=today)
    return {"types": types, **summary}
