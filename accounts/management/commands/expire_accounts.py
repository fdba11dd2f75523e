import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.lifecycle import accounts_expire, accounts_past_access


class Command(BaseCommand):
    help = _(
        "Khoá các tài khoản đã hết quyền truy cập (giám đốc đã hết nhiệm kỳ, trung tâm dừng hoạt động hoặc "
        "giải thể quá 90 ngày): việc của tác vụ chạy hằng đêm, chạy tay khi cần. Chạy lại không khoá trùng."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help=_("Coi như hôm nay là ngày này (YYYY-MM-DD)."))
        parser.add_argument("--dry-run", action="store_true", help=_("Chỉ liệt kê, không khoá."))

    def handle(self, *args, date=None, dry_run=False, **options):
        try:
            today = datetime.date.fromisoformat(date) if date else None
        except ValueError:
            raise CommandError(_("Ngày không hợp lệ: %(date)s (cần dạng YYYY-MM-DD).") % {"date": date}) from None
        if dry_run:
            for account in accounts_past_access(today).order_by("username"):
                self.stdout.write(_("%(username)s: hết quyền sau ngày %(day)s") % {
                    "username": account.username, "day": account.access_ends_on.strftime("%d/%m/%Y")})
            return
        count = accounts_expire(today=today)
        self.stdout.write(self.style.SUCCESS(_("Đã khoá %(count)d tài khoản hết quyền truy cập.") % {"count": count}))
