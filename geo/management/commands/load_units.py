from django.core.management.base import BaseCommand
from django.db import transaction

from geo.services import units_load


class Command(BaseCommand):
    help = "Nạp 34 tỉnh/thành phố và các xã, phường, đặc khu (từ gói vietnam-provinces)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--province", action="append", type=int, default=None,
            help="Chỉ nạp tỉnh có mã này (có thể lặp lại), ví dụ --province 24 cho Bắc Ninh.",
        )

    @transaction.atomic
    def handle(self, *args, province=None, **options):
        provinces, communes = units_load(province_codes=province)
        self.stdout.write(self.style.SUCCESS(f"Đã nạp {provinces} tỉnh/thành phố và {communes} xã/phường."))
