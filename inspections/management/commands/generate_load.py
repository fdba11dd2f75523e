import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from centers.loadgen import PROVINCE_COUNT, load_generate
from inspections.flags import flags_rebuild
from inspections.loadgen import compliance_load
from reports.loadgen import obligations_load


class Command(BaseCommand):
    help = _(
        "Sinh dữ liệu khối lượng lớn để đo hiệu năng: N trung tâm (bịa) trên tối đa 34 tỉnh/thành phố, "
        "kèm văn bản, giám đốc, nhân sự; báo cáo hằng quý của Y năm gần nhất; kiểm tra, vi phạm, đơn thư "
        "và một kế hoạch có nhiệm vụ giao cho các trung tâm ngoại ngữ mỗi tỉnh."
    )

    def add_arguments(self, parser):
        parser.add_argument("--centers", type=int, required=True, help=_("Số trung tâm cần tạo, ví dụ 20000."))
        parser.add_argument(
            "--years", type=int, required=True,
            help=_("Số năm dữ liệu: văn bản, báo cáo hằng quý, kiểm tra và đơn thư trải trên chừng ấy năm."),
        )
        parser.add_argument(
            "--province-count", type=int, default=PROVINCE_COUNT,
            help=_("Số tỉnh/thành phố được dùng, theo thứ tự mã (mặc định cả 34)."),
        )
        parser.add_argument("--seed", type=int, default=1, help=_("Hạt giống ngẫu nhiên, để hai lần chạy giống nhau."))
        parser.add_argument(
            "--prefix", default="LG", help=_("Tiền tố mã trung tâm; lần chạy sau nối tiếp số của lần trước."),
        )

    def handle(self, *args, centers, years, province_count, seed, prefix, **options):
        if centers < 1 or years < 1 or not 1 <= province_count <= PROVINCE_COUNT:
            raise CommandError(_("Cần --centers ≥ 1, --years ≥ 1 và --province-count từ 1 đến 34."))
        started = time.monotonic()
        result = load_generate(
            centers=centers, years=years, province_count=province_count, seed=seed, prefix=prefix,
            progress=lambda text: self.stdout.write(_("  đã tạo %(done)s trung tâm") % {"done": text}),
        )
        provinces = sorted({pk for pk in result.province_ids})
        obligations = obligations_load(
            province_ids=provinces, years=years, seed=seed,
            progress=lambda text: self.stdout.write(_("  đã tạo %(done)s nghĩa vụ báo cáo") % {"done": text}),
        )
        compliance = compliance_load(province_ids=provinces, years=years, seed=seed)
        # Everything above is written in bulk, past the model signals: every center's
        # compliance flags at once, as the nightly re-derivation does.
        flags_started = time.monotonic()
        flags_rebuild()
        self.stdout.write(_("  đã tính cảnh báo tuân thủ trong %(seconds).1f giây") % {
            "seconds": time.monotonic() - flags_started})
        self.stdout.write(self.style.SUCCESS(_(
            "Đã tạo %(centers)d trung tâm trên %(provinces)d tỉnh/thành phố, %(documents)d văn bản, "
            "%(directors)d giám đốc, %(staff)d nhân sự, %(changes)d thay đổi trạng thái, "
            "%(obligations)d nghĩa vụ báo cáo, %(inspections)d cuộc kiểm tra, %(violations)d vi phạm, "
            "%(complaints)d đơn thư, %(assignments)d lượt giao nhiệm vụ "
            "(dữ liệu %(years)d năm) trong %(seconds).1f giây."
        ) % {
            "centers": result.centers, "provinces": result.provinces, "documents": result.documents,
            "directors": result.directors, "staff": result.staff, "changes": result.status_changes,
            "obligations": obligations, **compliance,
            "years": result.years, "seconds": time.monotonic() - started,
        }))
