import datetime

from django.core.management.base import BaseCommand, CommandError

from reports.services import GENERATE_AHEAD_DAYS, periods_generate


class Command(BaseCommand):
    help = "Tạo các kỳ báo cáo sắp đến hạn và nghĩa vụ báo cáo của từng trung tâm (chạy lại không tạo trùng)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Coi như hôm nay là ngày này (YYYY-MM-DD).")
        parser.add_argument("--ahead", type=int, default=GENERATE_AHEAD_DAYS, help="Số ngày tạo trước hạn nộp.")

    def handle(self, *args, date=None, ahead=GENERATE_AHEAD_DAYS, **options):
        try:
            today = datetime.date.fromisoformat(date) if date else None
        except ValueError as error:
            raise CommandError("Ngày không hợp lệ, cần dạng YYYY-MM-DD.") from error
        summary = periods_generate(today=today, ahead_days=ahead)
        self.stdout.write(
            self.style.SUCCESS(f"Đã tạo {summary['periods']} kỳ báo cáo và {summary['obligations']} nghĩa vụ báo cáo.")
        )
