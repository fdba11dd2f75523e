import datetime

from django.core.management.base import BaseCommand, CommandError

from conferences.services.reminders import task_reminders_sweep
from reports.services import reminders_sweep


class Command(BaseCommand):
    help = (
        "Gửi nhắc hạn nộp báo cáo và hạn nhiệm vụ của văn bản chỉ đạo (như tác vụ định kỳ 15 phút một lần); "
        "chạy lại không gửi trùng."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Coi như hôm nay là ngày này (YYYY-MM-DD).")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ liệt kê, không gửi.")

    def handle(self, *args, date=None, dry_run=False, **options):
        # It lives in conferences, which may import reports: one command for both sweeps.
        try:
            today = datetime.date.fromisoformat(date) if date else None
        except ValueError as error:
            raise CommandError("Ngày không hợp lệ, cần dạng YYYY-MM-DD.") from error
        verb = "Sẽ gửi" if dry_run else "Đã đưa vào hàng đợi"
        reports = reminders_sweep(today=today, dry_run=dry_run, listing=True)
        for obligation, step in reports.planned:
            self.stdout.write(f"{obligation.center.code}\t{obligation.center.name}\t{obligation.period}\t{step}")
        self._total("Báo cáo", verb, reports, dry_run)
        tasks = task_reminders_sweep(today=today, dry_run=dry_run)
        for assignment, step in tasks.planned:
            task = assignment.task
            self.stdout.write(f"{assignment.assignee_name}\t{task.directive.number_text}"
                              f"\tnhiệm vụ {task.number}\t{step}")
        self._total("Nhiệm vụ", verb, tasks, dry_run)

    def _total(self, what, verb, result, dry_run):
        count = len(result.planned) if dry_run else len(result.claimed)
        # The escalation step's copies: one digest per person above, not one per object.
        digests = f", {result.digests} bản tổng hợp gửi cấp trên" if result.digests else ""
        self.stdout.write(self.style.SUCCESS(
            f"{what}: {verb} {count} lượt nhắc{digests}; bỏ qua {result.passed} bước đã quá."))
