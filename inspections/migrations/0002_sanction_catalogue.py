"""The sanction catalogue as data (domain/regulations.md section 3.2): each decree is a
version with its acts, so a new decree is a new version, not a code change. Acts whose
clause or fine the research could not confirm are marked `unconfirmed` ("chưa xác minh")."""

import datetime

from django.db import migrations

M = 1_000_000
ND04 = {
    "code": "ND04-2021-127-2021",
    "title": "Nghị định 04/2021/NĐ-CP, sửa đổi, bổ sung bởi Nghị định 127/2021/NĐ-CP (VBHN 05/VBHN-BGDĐT)",
    "in_force_from": datetime.date(2022, 1, 1),
}
ND04_ACTS = [
    # (article, clause, description, fine_min, fine_max, remedy, unconfirmed)
    ("5", "", "Tẩy xóa, sửa chữa làm sai lệch nội dung quyết định thành lập, cho phép thành lập", 15 * M, 20 * M,
     "", True),
    ("5", "", "Thành lập trung tâm hoặc tổ chức hoạt động dịch vụ giáo dục khi chưa được cơ quan có thẩm quyền "
     "cho phép", 20 * M, 40 * M, "Buộc hoàn trả cho người học các khoản tiền đã thu", True),
    ("6", "", "Tổ chức hoạt động giáo dục tại địa điểm chưa được cho phép hoặc chưa đăng ký (cơ sở giáo dục "
     "phổ thông, giáo dục thường xuyên)", 10 * M, 20 * M,
     "Buộc chuyển người học đến địa điểm đã được cho phép", True),
    ("7", "", "Không công khai thông tin về điều kiện bảo đảm chất lượng, học phí theo quy định", 20 * M, 40 * M,
     "", True),
    ("8", "", "Thông báo tuyển sinh không đúng, không đầy đủ nội dung theo quy định", 10 * M, 20 * M, "", True),
    ("8", "", "Tuyển sinh vượt chỉ tiêu hoặc không đúng quy trình", 20 * M, 30 * M, "", True),
    ("8", "", "Tuyển sinh vào chương trình chưa được phép thực hiện", 40 * M, 60 * M,
     "Buộc hoàn trả cho người học các khoản tiền đã thu", True),
    ("11", "", "Vi phạm quy định về thời lượng, nội dung, chương trình giáo dục", None, None, "", True),
    ("24", "", "Sử dụng nhà giáo không đủ tiêu chuẩn (kể cả giáo viên người nước ngoài)", None, None, "", True),
    ("30", "", "Sử dụng sách, tài liệu có nội dung độc hại trong giảng dạy", 30 * M, 50 * M,
     "Buộc tiêu hủy sách, tài liệu vi phạm", True),
    ("32", "", "Vi phạm quy định về thu, chi học phí và các khoản thu khác", None, None,
     "Buộc hoàn trả các khoản đã thu sai", True),
    ("33", "", "Vi phạm quy định về điều kiện bảo đảm chất lượng, an toàn cơ sở vật chất", None, None, "", True),
]
ND12 = {
    "code": "ND12-2022",
    "title": "Nghị định 12/2022/NĐ-CP (xử phạt vi phạm hành chính trong lĩnh vực lao động)",
    "in_force_from": datetime.date(2022, 1, 17),
}
ND12_ACTS = [
    ("32", "1", "Không báo cáo tình hình sử dụng người lao động nước ngoài", 1 * M, 3 * M, "", False),
    ("32", "2", "Sử dụng người lao động nước ngoài làm việc không đúng nội dung giấy phép lao động "
     "(mỗi người)", 5 * M, 10 * M, "", False),
    ("32", "4", "Sử dụng người lao động nước ngoài không có giấy phép lao động, không có xác nhận miễn "
     "hoặc giấy phép đã hết hiệu lực", 30 * M, 75 * M, "Buộc trục xuất người lao động nước ngoài", False),
]


def load(apps, schema_editor):
    LegalVersion = apps.get_model("inspections", "LegalVersion")
    SanctionArticle = apps.get_model("inspections", "SanctionArticle")
    for version_data, acts in ((ND04, ND04_ACTS), (ND12, ND12_ACTS)):
        version, created = LegalVersion.objects.get_or_create(code=version_data["code"], defaults=version_data)
        if not created:
            continue
        SanctionArticle.objects.bulk_create([
            SanctionArticle(version=version, article=article, clause=clause, description=description,
                            fine_min=low, fine_max=high, remedy=remedy, unconfirmed=unconfirmed)
            for article, clause, description, low, high, remedy, unconfirmed in acts
        ])


def unload(apps, schema_editor):
    LegalVersion = apps.get_model("inspections", "LegalVersion")
    SanctionArticle = apps.get_model("inspections", "SanctionArticle")
    codes = [ND04["code"], ND12["code"]]
    SanctionArticle.objects.filter(version__code__in=codes, violations__isnull=True).delete()
    LegalVersion.objects.filter(code__in=codes, articles__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
