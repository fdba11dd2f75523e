import os
import time

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.models import User
from geo.models import AdministrativeUnit

from ...excel import too_big_message
from ...imports import center_import_file


class Command(BaseCommand):
    # argparse cannot take lazy translations: the help is Vietnamese, like load_units'.
    help = (
        "Nhập sổ đăng ký trung tâm từ tệp .xlsx hoặc .csv có tiêu đề cột như tệp xuất của cổng. "
        "Mọi dòng được kiểm tra trước; có dòng lỗi thì không ghi gì, trừ khi dùng --valid-only."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Đường dẫn tới tệp .xlsx hoặc .csv.")
        parser.add_argument(
            "--province", help="Mã tỉnh/thành phố (ví dụ 24): chỉ nhận các dòng của tỉnh này.",
        )
        parser.add_argument(
            "--valid-only", action="store_true", help="Chỉ nhập các dòng hợp lệ, bỏ qua các dòng có lỗi.",
        )
        parser.add_argument(
            "--user",
            help="Tên đăng nhập của người nhập: ghi vào lịch sử và giới hạn theo tỉnh của người đó.",
        )

    def handle(self, *args, file, province=None, valid_only=False, user=None, **options):
        by = None
        if user:
            by = User.objects.filter(username=user).first()
            if by is None:
                raise CommandError(_("Không có người dùng «%(user)s».") % {"user": user})
        unit = None
        if province:
            unit = AdministrativeUnit.objects.filter(level=AdministrativeUnit.Level.PROVINCE, code=province).first()
            if unit is None:
                raise CommandError(
                    _("Không có tỉnh/thành phố mã «%(code)s» (chạy load_units trước).") % {"code": province}
                )
        try:
            if os.path.getsize(file) > settings.IMPORT_MAX_BYTES:
                raise CommandError(too_big_message())
            with open(file, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            raise CommandError(_("Không đọc được tệp: %(error)s") % {"error": exc}) from exc

        started = time.monotonic()
        try:
            result = center_import_file(
                data=data, filename=os.path.basename(file), by=by, province=unit, valid_only=valid_only,
            )
        except PermissionDenied:
            raise CommandError(
                _("Người dùng này không được nhập sổ đăng ký (hoặc không thuộc tỉnh đã chọn).")
            ) from None
        seconds = time.monotonic() - started

        for error in result.errors:
            self.stderr.write(str(error))
        if not result.written:
            raise CommandError(
                _("Không nhập gì: %(errors)s lỗi trong %(rows)s dòng.")
                % {"errors": result.error_count, "rows": result.total_rows}
            )
        summary = _(
            "Đã nhập %(rows)s dòng trong %(seconds).1f giây: thêm mới %(created)s, "
            "cập nhật %(updated)s, không thay đổi %(unchanged)s."
        ) % {
            "rows": result.total_rows - result.skipped, "seconds": seconds, "created": result.created,
            "updated": result.updated, "unchanged": result.unchanged,
        }
        if result.skipped:
            summary += " " + _("Bỏ qua %(count)s dòng có lỗi.") % {"count": result.skipped}
        self.stdout.write(self.style.SUCCESS(summary))
