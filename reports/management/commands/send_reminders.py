import datetime

from django.core.management.base import BaseCommand, CommandError

from reports.services import reminders_sweep


class Command(BaseCommand):
    help = "Gửi nhắc hạn nộp báo cáo (như tác vụ định kỳ 15 phút một lần); chạy lại không gửi trùng."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Coi như hôm nay là ngày này (YYYY-MM-DD).")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ liệt kê, không gửi.")

    def handle(self, *args, date=None, dry_run=False, **options):
        try:
            today = datetime.date.fromisoformat(date) if date else None
        except ValueError as error:
            raise CommandError("Ngày không hợp lệ, cần dạng YYYY-MM-DD.") from error
        result = reminders_sweep(today=today, dry_run=dry_run)
        for obligation, step in result.planned:
            self.stdout.write(f"{obligation.center.code}\t{obligation.center.name}\t{obligation.period}\t{step}")
        verb = "Sẽ gửi" if dry_run else "Đã đưa vào hàng đợi"
        self.stdout.write(self.style.SUCCESS(
            f"{verb} {len(result.claimed) if not dry_run else len(result.planned)} lượt nhắc; "
            f"bỏ qua {result.passed} bước đã quá."
        ))
