import datetime

from django.core.management.base import BaseCommand, CommandError

from conferences.services.reminders import task_reminders_sweep


class Command(BaseCommand):
    help = "Gửi nhắc hạn nhiệm vụ của văn bản chỉ đạo (như tác vụ định kỳ 15 phút một lần); chạy lại không gửi trùng."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Coi như hôm nay là ngày này (YYYY-MM-DD).")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ liệt kê, không gửi.")

    def handle(self, *args, date=None, dry_run=False, **options):
        try:
            today = datetime.date.fromisoformat(date) if date else None
        except ValueError as error:
            raise CommandError("Ngày không hợp lệ, cần dạng YYYY-MM-DD.") from error
        result = task_reminders_sweep(today=today, dry_run=dry_run)
        for assignment, step in result.planned:
            task = assignment.task
            self.stdout.write(f"{assignment.assignee_name}\t{task.directive.number_text}\t{task.number}\t{step}")
        verb = "Sẽ gửi" if dry_run else "Đã đưa vào hàng đợi"
        count = len(result.planned) if dry_run else len(result.claimed)
        self.stdout.write(self.style.SUCCESS(f"{verb} {count} lượt nhắc; bỏ qua {result.passed} bước đã quá."))
