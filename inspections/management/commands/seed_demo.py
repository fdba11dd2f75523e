import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.demo import invitations_seed, invitations_summary, lockout_seed
from centers.demo import DEMO_PASSWORD, demo_seed, demo_summary
from conferences.demo import conferences_seed, conferences_summary
from inspections.demo import inspections_seed
from inspections.flags import flags_check, flags_deferred
from notifications.demo import demo_notices, notices_summary
from reports.demo import reports_seed


class Command(BaseCommand):
    help = _(
        "Tạo dữ liệu mẫu: tỉnh Bắc Ninh với khoảng 150 trung tâm, báo cáo định kỳ, các văn bản chỉ đạo kèm nhiệm "
        "vụ, một số cuộc kiểm tra và đơn thư, bốn tài khoản demo (sogd, thanhtra, giamdoc, canboxa; mật khẩu "
        "%(password)s); năm hội nghị của các bài viết nguồn, mỗi hội nghị thuộc Sở GDĐT của tỉnh, thành phố mình "
        "(Bắc Ninh, Hà Nội, Điện Biên, Ninh Bình, Huế). Chạy lại không tạo trùng."
    ) % {"password": DEMO_PASSWORD}

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true",
            help=_("Chạy cả khi DJANGO_DEBUG tắt (các tài khoản demo có mật khẩu công khai)."),
        )

    def handle(self, *args, force=False, **options):
        # The command lives in inspections, the highest app, because it seeds the registry,
        # the reports and directives that hang on it and the inspections that read them all
        # (centers imports no other app; inspections may import every one).
        # The demo accounts have a published password: never create them on a production
        # installation by accident.
        if not settings.DEBUG and not force:
            raise CommandError(_(
                "Lệnh này tạo tài khoản demo với mật khẩu công khai nên chỉ chạy khi DJANGO_DEBUG bật. "
                "Nếu chắc chắn muốn chạy trên máy này, thêm tùy chọn --force."
            ))
        started = time.monotonic()
        # The services leave real notices in the bells, but send no e-mail for these past
        # events (notifications.demo explains why); send_reminders shows the mail.
        # Each center's compliance flags are refreshed once, at the end, by the write paths
        # the seed goes through (inspections.flags), not after every row it saves.
        with demo_notices(), flags_deferred():
            result = demo_seed()
            reports = reports_seed(province=result.province)
            conferences = conferences_seed(province=result.province)
            inspections = inspections_seed(province=result.province)
            lockout_seed()
        # Last: the director accounts made by reports and conferences are left alone.
        invitations_seed(province=result.province)
        # A first nightly check, once the flags were refreshed at the end of the block
        # above (inside it they are not yet): the compliance page then says when its flags
        # were last re-derived, as on a server where beat runs. It finds nothing to repair.
        flags_check()
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(_(
            "Đã tạo %(centers)d trung tâm, %(documents)d văn bản, %(directors)d giám đốc, %(staff)d nhân sự "
            "và %(users)d tài khoản mới trong %(seconds).1f giây."
        ) % {
            "centers": result.centers_created, "documents": result.documents_created,
            "directors": result.directors_created, "staff": result.staff_created,
            "users": result.users_created, "seconds": elapsed,
        }))
        self.stdout.write(_("Báo cáo: %(types)d loại mới, %(periods)d kỳ mới, %(obligations)d nghĩa vụ mới.") % reports)
        self.stdout.write(_("Báo cáo mẫu đã nộp: %(submitted)d.") % reports)
        self.stdout.write(_(
            "Hội nghị, văn bản chỉ đạo: %(conferences)d hội nghị mới của %(departments)d Sở GDĐT, %(divisions)d "
            "phòng ban mới, %(directives)d văn bản mới (%(issued)d đã ban hành), %(assignments)d lượt giao nhiệm vụ "
            "mới, %(users)d tài khoản mới."
        ) % conferences)
        self.stdout.write(_("Kiểm tra, đơn thư: %(inspections)d cuộc kiểm tra mới, %(complaints)d đơn thư mới.")
                          % inspections)
        for line in demo_summary(result.province):
            self.stdout.write(line)
        for line in conferences_summary(result.province):
            self.stdout.write(line)
        for line in invitations_summary(result.province):
            self.stdout.write(line)
        for line in notices_summary():
            self.stdout.write(line)
