import time

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from inspections.flags import flags_check, flags_rebuild


class Command(BaseCommand):
    help = _(
        "Tính lại cảnh báo tuân thủ của mọi trung tâm theo các quy tắc, so với bảng cảnh báo đang lưu, báo và sửa "
        "các sai lệch (như lần chạy hằng đêm). Với --rebuild: tính và ghi lại toàn bộ, không so sánh."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help=_("Ghi lại toàn bộ bảng, không so sánh."))

    def handle(self, *args, rebuild=False, **options):
        started = time.monotonic()
        if rebuild:
            count = flags_rebuild()
            self.stdout.write(self.style.SUCCESS(_("Đã tính cảnh báo của %(n)d trung tâm trong %(s).1f giây.") % {
                "n": count, "s": time.monotonic() - started}))
            return
        check = flags_check()
        message = _(
            "Đã tính lại %(n)d trung tâm trong %(s).1f giây: %(dated)d thay đổi theo ngày, %(diff)d sai lệch đã sửa."
        ) % {"n": check.centers, "s": time.monotonic() - started, "dated": check.dated, "diff": check.differences}
        style = self.style.ERROR if check.differences else self.style.SUCCESS
        self.stdout.write(style(message))
        for entry in check.sample:
            self.stdout.write(f"  {entry}")
