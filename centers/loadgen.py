"""Bulk invented data for benchmarks (`manage.py generate_load`): tens of thousands of
centers over up to all 34 provinces, with their licences, directors and staff.

Rows are written with bulk_create (bulk_create_with_history for the history-tracked
models, so the history stays complete) in batches of a few thousand centers, each batch
in its own transaction; the derived columns then come from centers_refresh, the same
code the portal runs, so benchmarks measure the real data shape.
"""

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from geo.models import AdministrativeUnit
from geo.services import units_load

from .choices import STATUS_OF_DOCUMENT, CenterKind, CenterStatus, DocumentKind, StaffPosition
from .models import DIRECTOR_TERM_YEARS, Center, Director, LicenceDocument, Staff, StatusChange, add_years
from .services import centers_refresh

PROVINCE_COUNT = 34
BATCH_CENTERS = 2000
INSERT_BATCH = 500
REFRESH_BATCH = 1000

# Shares of each kind: about 40 % of names contain "Ngoại ngữ", the broad-search case of
# the benchmark (shared/performance.md).
_KIND_WEIGHTS = [
    (CenterKind.LANGUAGE, 35), (CenterKind.LANGUAGE_IT, 5), (CenterKind.IT, 12),
    (CenterKind.INCLUSIVE, 3), (CenterKind.COMMUNITY, 35), (CenterKind.VOCATIONAL, 10),
]
_KIND_TITLE = {
    CenterKind.LANGUAGE: "Trung tâm Ngoại ngữ", CenterKind.LANGUAGE_IT: "Trung tâm Ngoại ngữ - Tin học",
    CenterKind.IT: "Trung tâm Tin học", CenterKind.INCLUSIVE: "Trung tâm Hỗ trợ phát triển giáo dục hòa nhập",
    CenterKind.COMMUNITY: "Trung tâm học tập cộng đồng", CenterKind.VOCATIONAL: "Trung tâm GDNN-GDTX",
}
# valid, expiring, expired, none (never licensed), suspended, dissolved.
_SCENARIO_WEIGHTS = [("valid", 70), ("expiring", 6), ("expired", 8), ("unlicensed", 5),
                     ("suspended", 6), ("dissolved", 5)]
_PROPER = ["Ánh Dương", "Đông Á", "Sao Khuê", "Hải Đăng", "Minh Tâm", "Hồng Hà", "Ngọc Lan", "Phúc An",
           "Thiên Ân", "Việt Mỹ", "Kim Long", "Lam Sơn", "Quang Minh", "Trí Đức", "Xuân Mai", "Hoàng Long",
           "Nhật Tân", "An Khang", "Bình Minh", "Tâm Việt"]
_FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương", "Lý"]
_MIDDLE = ["Văn", "Thị", "Đức", "Thu", "Minh", "Ngọc", "Quang", "Thanh"]
_GIVEN = ["Hùng", "Lan", "Tuấn", "Hương", "Long", "Mai", "Sơn", "Thảo", "Hải", "Trang", "Nam", "Linh"]
_STREETS = ["Lý Thái Tổ", "Trần Hưng Đạo", "Nguyễn Trãi", "Lê Lợi", "Hùng Vương", "Lý Thường Kiệt",
            "Nguyễn Văn Cừ", "Hoàng Hoa Thám", "Lê Thánh Tông", "Quang Trung"]
_FOREIGN_GIVEN = ["Oliver", "Grace", "Daniel", "Chloe", "Liam", "Isla", "Marcus", "Ella"]
_FOREIGN_FAMILY = ["Hartley", "Caldwell", "Langford", "Whitfield", "Pennington", "Ashcombe"]
_NATIONALITIES = ["Vương quốc Anh", "Hoa Kỳ", "Úc", "Canada", "Philippines", "Nhật Bản", "Hàn Quốc"]


@dataclass
class LoadResult:
    centers: int = 0
    documents: int = 0
    directors: int = 0
    staff: int = 0
    status_changes: int = 0
    provinces: int = 0
    # For the reports and compliance generators: the same years and provinces.
    years: int = 0
    province_ids: list = field(default_factory=list)
    kinds: dict = field(default_factory=dict)


def _provinces(count: int) -> list[tuple[AdministrativeUnit, list[int]]]:
    """The first `count` provinces by code with their commune ids, loading the units if needed."""
    Level = AdministrativeUnit.Level
    if AdministrativeUnit.objects.filter(level=Level.PROVINCE).count() < PROVINCE_COUNT:
        units_load()
    provinces = list(AdministrativeUnit.objects.filter(level=Level.PROVINCE).order_by("code")[:count])
    communes: dict[int, list[int]] = {p.pk: [] for p in provinces}
    rows = AdministrativeUnit.objects.filter(level=Level.COMMUNE, parent__in=provinces).order_by("code")
    for pk, parent_id in rows.values_list("pk", "parent_id"):
        communes[parent_id].append(pk)
    return [(p, communes[p.pk]) for p in provinces if communes[p.pk]]


def _next_index(prefix: str) -> int:
    """Codes run on from a previous run with the same prefix, so runs add up."""
    last = Center.objects.filter(code__startswith=prefix).order_by("-code").values_list("code", flat=True).first()
    if last and last[len(prefix):].isdigit():
        return int(last[len(prefix):]) + 1
    return 1


def load_generate(
    *, centers: int, years: int, province_count: int = PROVINCE_COUNT, seed: int = 1, prefix: str = "LG",
    today: datetime.date | None = None, progress: Callable[[str], None] | None = None,
) -> LoadResult:
    """Create `centers` invented centers over the first `province_count` provinces, their
    documents signed over the last `years` years, directors and staff."""
    today = today or timezone.localdate()
    rng = random.Random(seed)
    provinces = _provinces(province_count)
    if not provinces:
        raise ValueError("no administrative units loaded")
    # Bigger provinces (more communes) get more centers, as in life.
    weights = [len(communes) for _, communes in provinces]
    kinds, kind_weights = zip(*_KIND_WEIGHTS, strict=True)
    scenarios, scenario_weights = zip(*_SCENARIO_WEIGHTS, strict=True)
    span = max(365, int(years * 365.25))
    start_index = _next_index(prefix)
    result = LoadResult(provinces=len(provinces), years=years, province_ids=[p.pk for p, _ in provinces])
    now = timezone.now()

    def person() -> str:
        return f"{rng.choice(_FAMILY)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"

    def signed(latest: datetime.date) -> datetime.date:
        return latest - datetime.timedelta(days=rng.randint(0, span))

    for batch_start in range(0, centers, BATCH_CENTERS):
        size = min(BATCH_CENTERS, centers - batch_start)
        with transaction.atomic():
            rows: list[Center] = []
            stories: list[tuple[str, str]] = []
            for offset in range(size):
                index = start_index + batch_start + offset
                province, communes = rng.choices(provinces, weights=weights)[0]
                kind = rng.choices(kinds, weights=kind_weights)[0]
                scenario = rng.choices(scenarios, weights=scenario_weights)[0]
                status = {"unlicensed": CenterStatus.UNLICENSED, "suspended": CenterStatus.SUSPENDED,
                          "dissolved": CenterStatus.DISSOLVED}.get(scenario, CenterStatus.OPERATING)
                rows.append(Center(
                    province=province, commune_id=rng.choice(communes), code=f"{prefix}{index:06d}",
                    name=f"{_KIND_TITLE[kind]} {rng.choice(_PROPER)} {index}", kind=kind, status=status,
                    street=f"Số {rng.randint(1, 400)} đường {rng.choice(_STREETS)}",
                    investor_name="" if kind in (CenterKind.COMMUNITY, CenterKind.VOCATIONAL)
                    else f"Công ty TNHH Giáo dục {rng.choice(_PROPER)} {index}",
                    managing_authority=f"Sở GDĐT {province.name}",
                ))
                stories.append((kind, scenario))
                result.kinds[kind] = result.kinds.get(kind, 0) + 1
            rows = bulk_create_with_history(rows, Center, batch_size=INSERT_BATCH, default_date=now)

            documents: list[LicenceDocument] = []
            directors: list[Director] = []
            staff: list[Staff] = []
            for center, (kind, scenario) in zip(rows, stories, strict=True):
                issuer = f"Sở GDĐT {center.province.name}"
                if scenario != "unlicensed":
                    valid_until = {
                        "expiring": today + datetime.timedelta(days=rng.randint(0, 60)),
                        "expired": today - datetime.timedelta(days=rng.randint(1, span // 2 + 1)),
                    }.get(scenario)
                    if scenario in ("valid", "suspended", "dissolved") and rng.random() < 0.4:
                        valid_until = today + datetime.timedelta(days=rng.randint(61, 1800))
                    latest = min(today, valid_until) if valid_until else today
                    licensed = signed(latest - datetime.timedelta(days=60))
                    documents.append(LicenceDocument(
                        center=center, kind=DocumentKind.ESTABLISHMENT_OPERATION,
                        number=f"{rng.randint(1, 3000)}/QĐ-SGDĐT", signed_on=licensed, issuer=issuer,
                        valid_until=valid_until,
                    ))
                    if scenario in ("suspended", "dissolved"):
                        ended = licensed + datetime.timedelta(days=rng.randint(1, max(1, (today - licensed).days)))
                        documents.append(LicenceDocument(
                            center=center, number=f"{rng.randint(1, 3000)}/QĐ-SGDĐT", signed_on=ended, issuer=issuer,
                            kind=DocumentKind.SUSPENSION if scenario == "suspended" else DocumentKind.DISSOLUTION,
                        ))
                if rng.random() < 0.9:
                    recognised = signed(today) if rng.random() < 0.8 else None
                    directors.append(Director(
                        center=center, full_name=person(), started_on=recognised or signed(today),
                        recognition_number=f"{rng.randint(1, 3000)}/QĐ-SGDĐT" if recognised else "",
                        recognition_date=recognised, recognition_issuer=issuer if recognised else "",
                        term_end=add_years(recognised, DIRECTOR_TERM_YEARS) if recognised else None,
                    ))
                for _ in range(rng.randint(0, 3)):
                    staff.append(Staff(center=center, full_name=person(), position=StaffPosition.TEACHER))
                if kind in (CenterKind.LANGUAGE, CenterKind.LANGUAGE_IT) and rng.random() < 0.5:
                    exempt = rng.random() < 0.1
                    staff.append(Staff(
                        center=center, full_name=f"{rng.choice(_FOREIGN_GIVEN)} {rng.choice(_FOREIGN_FAMILY)}",
                        is_foreign=True,
                        nationality=rng.choice(_NATIONALITIES), work_permit_exempt=exempt,
                        work_permit_number="" if exempt else f"{rng.randint(1, 9999):04d}/GPLĐ",
                        work_permit_valid_until=None if exempt
                        else today + datetime.timedelta(days=rng.randint(-400, 700)),
                    ))
            documents = bulk_create_with_history(documents, LicenceDocument, batch_size=INSERT_BATCH, default_date=now)
            bulk_create_with_history(directors, Director, batch_size=INSERT_BATCH, default_date=now)
            bulk_create_with_history(staff, Staff, batch_size=INSERT_BATCH, default_date=now)
            # The status each ending document set, dated and tied to it, as the services record it.
            changes = [
                StatusChange(
                    center_id=doc.center_id, old_status=CenterStatus.OPERATING, new_status=STATUS_OF_DOCUMENT[doc.kind],
                    effective_on=doc.signed_on, document=doc, reason=doc.get_kind_display(),
                )
                for doc in documents if doc.kind in (DocumentKind.SUSPENSION, DocumentKind.DISSOLUTION)
            ]
            StatusChange.objects.bulk_create(changes, batch_size=INSERT_BATCH)
            ids = [c.pk for c in rows]
            for refresh_start in range(0, len(ids), REFRESH_BATCH):
                centers_refresh(ids[refresh_start:refresh_start + REFRESH_BATCH])

        result.centers += len(rows)
        result.documents += len(documents)
        result.directors += len(directors)
        result.staff += len(staff)
        result.status_changes += len(changes)
        if progress:
            progress(f"{result.centers}/{centers}")
    return result
