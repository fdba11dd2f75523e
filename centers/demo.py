"""Demo data for `manage.py seed_demo`: the merged Bắc Ninh province (code 24) with about
150 invented centers of every kind and one account of every role.

The communes and wards are the real 2025 units; every center, person, decision number,
phone number and address line is invented. Document dates are fixed relative to
BASE_DATE, so every run plans the same records; the dates that decide a state (licence
and work-permit expiry) are relative to today, so whenever the demo is loaded it shows
valid, expiring (within 60 days) and expired licences side by side.

Running it again changes nothing: centers are found by code, accounts by username, and a
center's documents, directors, staff and locations by their number or name.
"""

import datetime
import random
from collections import Counter
from dataclasses import dataclass, field
from itertools import product

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from geo.models import AdministrativeUnit
from geo.services import units_load

from .choices import GRANTING_KINDS, CenterKind, CenterStatus, DocumentKind, LicenceState, StaffPosition
from .legal import TWO_LEVEL_FROM
from .models import Center, Location, Staff, add_years
from .selectors import with_licence_state
from .services import center_save, center_set_status, centers_refresh, director_appoint, licence_document_create
from .signals import centers_changed_send

# The password of every demo account (README.md lists the accounts).
DEMO_PASSWORD = "demo@2026"
DEMO_SEED = 2026
PROVINCE_CODE = "24"
# The fixed anchor of the planned document dates; clamped to today on a clock set earlier.
BASE_DATE = datetime.date(2026, 1, 15)
# Bắc Giang merged into Bắc Ninh and the districts were abolished on this day.
MERGER_DATE = TWO_LEVEL_FROM
# The Department of Home Affairs took over work permits from the labour department.
PERMITS_TO_HOME_AFFAIRS = datetime.date(2025, 3, 1)
DIRECTOR_WARD = "Phường Kinh Bắc"

# How a few of today's communes were written on decisions signed before 1/7/2025:
# (former commune-level unit, former district). The former province follows from the code.
LEGACY_PLACES = {
    "Phường Kinh Bắc": ("phường Kinh Bắc", "thành phố Bắc Ninh"),
    "Phường Võ Cường": ("phường Võ Cường", "thành phố Bắc Ninh"),
    "Phường Vũ Ninh": ("phường Vũ Ninh", "thành phố Bắc Ninh"),
    "Xã Yên Phong": ("thị trấn Chờ", "huyện Yên Phong"),
    "Xã Văn Môn": ("xã Văn Môn", "huyện Yên Phong"),
    "Xã Tiên Du": ("thị trấn Lim", "huyện Tiên Du"),
    "Xã Gia Bình": ("thị trấn Gia Bình", "huyện Gia Bình"),
    "Xã Lương Tài": ("thị trấn Thứa", "huyện Lương Tài"),
    "Phường Bắc Giang": ("phường Trần Phú", "thành phố Bắc Giang"),
    "Xã Hiệp Hoà": ("thị trấn Thắng", "huyện Hiệp Hòa"),
    "Xã Tân Yên": ("thị trấn Cao Thượng", "huyện Tân Yên"),
    "Xã Lạng Giang": ("thị trấn Vôi", "huyện Lạng Giang"),
    "Xã Lục Nam": ("thị trấn Đồi Ngô", "huyện Lục Nam"),
    "Xã Yên Thế": ("thị trấn Cầu Gồ", "huyện Yên Thế"),
    "Xã Sơn Động": ("thị trấn An Châu", "huyện Sơn Động"),
}

# Invented proper names: two syllables each, none taken from a real center.
_NAME_FIRST = ["Ánh", "Bình", "Đông", "Hải", "Hồng", "Kim", "Lam", "Minh", "Ngọc", "Phúc",
               "Quang", "Sao", "Tâm", "Thiên", "Trí", "Việt", "Xuân", "Hoàng", "Nhật", "An"]
_NAME_SECOND = ["Dương", "Á", "Đăng", "Hà", "Khuê", "Long", "Mai", "Nguyên", "Phong", "Sơn",
                "Thành", "Tín", "Vân", "Đức", "Minh", "Quang", "An", "Việt"]
_FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô",
           "Dương", "Lý", "Đào", "Trịnh", "Phan", "Hà", "Lưu", "Tạ", "Nghiêm", "Chu"]
_MIDDLE = {"m": ["Văn", "Đức", "Minh", "Quang", "Hữu", "Thành", "Tiến"],
           "f": ["Thị", "Thu", "Ngọc", "Thanh", "Hồng", "Minh", "Phương"]}
_GIVEN = {"m": ["Hùng", "Dũng", "Tuấn", "Khánh", "Long", "Phong", "Sơn", "Thắng", "Hải", "Nam",
                "Quân", "Trung", "Đạt", "Kiên"],
          "f": ["Hà", "Lan", "Hương", "Mai", "Thảo", "Trang", "Linh", "Yến", "Nhung", "Hạnh",
                "Huyền", "Giang", "Ánh", "Ngân"]}
_STREETS = ["Lý Thái Tổ", "Trần Hưng Đạo", "Nguyễn Văn Cừ", "Ngô Gia Tự", "Lê Thánh Tông",
            "Hoàng Hoa Thám", "Nguyễn Trãi", "Lý Thường Kiệt", "Huyền Quang", "Kinh Dương Vương",
            "Xương Giang", "Hùng Vương", "Lê Lợi", "Nguyễn Thị Minh Khai", "Thiên Đức"]
_HAMLETS = ["Đông", "Đoài", "Trung", "Thượng", "Hạ", "Nam", "Bắc", "Tiền", "Hậu"]

# Foreign teachers by the language a center teaches: (nationalities, given names, family names).
_FOREIGN = {
    "Anh": (["Vương quốc Anh", "Hoa Kỳ", "Úc", "Canada", "Philippines", "Nam Phi"],
            ["Oliver", "Harriet", "Daniel", "Grace", "Liam", "Chloe", "Nathan", "Isla", "Marcus", "Ella"],
            ["Bramwell", "Ashcombe", "Pennington", "Hartley", "Caldwell", "Whitfield", "Langford", "Ransome"]),
    "Nhật": (["Nhật Bản"], ["Haruka", "Yui", "Kenta", "Sora", "Riku"], ["Takeda", "Morikawa", "Ishida", "Nomura"]),
    "Hàn": (["Hàn Quốc"], ["Ji-woo", "Min-seo", "Do-yun", "Ha-eun"], ["Park", "Seo", "Han", "Yoon"]),
    "Trung": (["Trung Quốc"], ["Jing", "Wei", "Yan", "Hao"], ["Liu", "Zhou", "Xu", "Gao"]),
}
_LANGUAGE_SCOPE = {
    "Anh": "Dạy tiếng Anh theo Khung năng lực ngoại ngữ 6 bậc dùng cho Việt Nam; tiếng Anh thiếu nhi; "
           "luyện thi chứng chỉ quốc tế.",
    "Nhật": "Dạy tiếng Nhật sơ cấp, trung cấp; tiếng Nhật cho người đi làm việc ở nước ngoài.",
    "Hàn": "Dạy tiếng Hàn sơ cấp, trung cấp; tiếng Hàn giao tiếp.",
    "Trung": "Dạy tiếng Trung sơ cấp, trung cấp; tiếng Trung thương mại.",
}
_IT_SCOPE = "Đào tạo, bồi dưỡng ứng dụng công nghệ thông tin cơ bản và nâng cao theo Chuẩn kỹ năng sử dụng CNTT."
_SUSPENSION_REASONS = [
    "không bảo đảm điều kiện về cơ sở vật chất, thiết bị theo Điều 43 Nghị định 125/2024/NĐ-CP",
    "không tổ chức hoạt động giáo dục trong thời hạn 01 năm kể từ ngày được cho phép thành lập",
    "bị xử phạt vi phạm hành chính với hình thức đình chỉ hoạt động",
    "không đủ giáo viên đáp ứng tiêu chuẩn theo quy định",
]

# Private centers: how many of each kind, and which licence or status story each gets.
_PRIVATE_KINDS = [(CenterKind.LANGUAGE, 64), (CenterKind.LANGUAGE_IT, 14), (CenterKind.IT, 15),
                  (CenterKind.INCLUSIVE, 4)]
_SCENARIOS = [("valid", 48), ("expiring", 10), ("expired", 12), ("renewed", 3), ("unlicensed", 7),
              ("suspended", 7), ("dissolved", 5), ("revoked", 3), ("stopped", 2)]
# Scenarios whose licence is older than the merger of 1/7/2025, and those whose decision
# itself stated a term (an expiry printed on it; the others' expiry dates are the
# Department's follow-up only).
_OLD_LICENCES = frozenset({"expired", "renewed", "dissolved", "revoked"})
_STATED_TERMS = frozenset({"expiring", "expired", "renewed"})
_COMMUNITY_CENTERS = 40
_COMMUNES_PER_VOCATIONAL = 8
_CODE_PREFIX = {
    CenterKind.LANGUAGE: "NN", CenterKind.LANGUAGE_IT: "NT", CenterKind.IT: "TH",
    CenterKind.INCLUSIVE: "HN", CenterKind.COMMUNITY: "CD", CenterKind.VOCATIONAL: "GD",
}
_KIND_TITLE = {
    CenterKind.LANGUAGE: "Trung tâm Ngoại ngữ", CenterKind.LANGUAGE_IT: "Trung tâm Ngoại ngữ - Tin học",
    CenterKind.IT: "Trung tâm Tin học", CenterKind.INCLUSIVE: "Trung tâm Hỗ trợ phát triển giáo dục hòa nhập",
}


@dataclass
class DocPlan:
    kind: str
    number: str
    signed_on: datetime.date
    issuer: str
    valid_until: datetime.date | None = None
    scope: str = ""
    # What the document printed on the day it was signed (LicenceDocument's "as printed"
    # fields): set by _Planner.as_printed for the decisions the register prints.
    printed: dict = field(default_factory=dict)


@dataclass
class DirectorPlan:
    full_name: str
    started_on: datetime.date
    birth_date: datetime.date
    phone: str
    recognition_number: str = ""
    recognition_date: datetime.date | None = None
    recognition_issuer: str = ""


@dataclass
class StaffPlan:
    full_name: str
    position: str = StaffPosition.TEACHER
    qualifications: str = ""
    is_foreign: bool = False
    nationality: str = ""
    work_permit_number: str = ""
    work_permit_issuer: str = ""
    work_permit_valid_until: datetime.date | None = None
    work_permit_exempt: bool = False
    is_active: bool = True


@dataclass
class LocationPlan:
    address: str
    commune: AdministrativeUnit
    document_number: str


@dataclass
class CenterPlan:
    code: str
    name: str
    kind: str
    commune: AdministrativeUnit
    street: str
    status: str = CenterStatus.OPERATING
    address_as_printed: str = ""
    investor_name: str = ""
    investor_tax_code: str = ""
    founding_authority: str = ""
    managing_authority: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    documents: list[DocPlan] = field(default_factory=list)
    directors: list[DirectorPlan] = field(default_factory=list)
    staff: list[StaffPlan] = field(default_factory=list)
    locations: list[LocationPlan] = field(default_factory=list)
    stopped: tuple[datetime.date, str] | None = None


@dataclass
class DemoResult:
    province: AdministrativeUnit
    centers_created: int = 0
    documents_created: int = 0
    directors_created: int = 0
    staff_created: int = 0
    users_created: int = 0


def _bare(commune: AdministrativeUnit) -> str:
    """"Phường Kinh Bắc" -> "Kinh Bắc"."""
    prefix = f"{commune.unit_type} ".lower()
    return commune.name[len(prefix):] if commune.name.lower().startswith(prefix) else commune.name


def _lower_type(commune: AdministrativeUnit) -> str:
    """"Phường Kinh Bắc" -> "phường Kinh Bắc", as written inside a sentence."""
    return commune.name[:1].lower() + commune.name[1:]


def _former_province(commune: AdministrativeUnit) -> str:
    # Former Bắc Giang units carry codes below 09000, former Bắc Ninh ones 09xxx.
    return "Bắc Giang" if int(commune.code) < 9000 else "Bắc Ninh"


def _department(commune: AdministrativeUnit, on: datetime.date) -> str:
    """The Department that signed on that day: before the merger, the former province's."""
    return f"Sở GDĐT {_former_province(commune) if on < MERGER_DATE else 'Bắc Ninh'}"


class _Planner:
    """Builds the whole demo as plain data before anything touches the database, so the
    plan (and the random draws behind it) is the same on every run."""

    def __init__(self, *, rng: random.Random, communes: list[AdministrativeUnit], today: datetime.date):
        self.rng = rng
        self.communes = communes
        self.today = today
        self.anchor = min(BASE_DATE, today)
        self.codes: Counter = Counter()
        self.by_name = {c.name: c for c in communes}

    # Small helpers -----------------------------------------------------------------

    def between(self, start: datetime.date, end: datetime.date) -> datetime.date:
        # Exactly one draw whatever the span: some spans depend on today, and the draws
        # after this one (names, numbers) must not shift from one day to the next, or a
        # re-run on another day would plan new records.
        fraction = self.rng.random()
        if end <= start:
            return start
        return start + datetime.timedelta(days=int(fraction * ((end - start).days + 1)))

    def days(self, n: int) -> datetime.timedelta:
        return datetime.timedelta(days=n)

    def code(self, kind: str) -> str:
        self.codes[kind] += 1
        return f"{_CODE_PREFIX[kind]}{self.codes[kind]:03d}"

    def person(self, taken: set[str]) -> str:
        while True:
            sex = self.rng.choice("mf")
            name = " ".join([self.rng.choice(_FAMILY), self.rng.choice(_MIDDLE[sex]), self.rng.choice(_GIVEN[sex])])
            if name not in taken:
                taken.add(name)
                return name

    def number(self, symbol: str, taken: set[str]) -> str:
        while True:
            number = f"{self.rng.randint(12, 2999)}/{symbol}"
            if number not in taken:
                taken.add(number)
                return number

    def phone(self, commune: AdministrativeUnit) -> str:
        area = "0204" if _former_province(commune) == "Bắc Giang" else "0222"
        return f"{area} 3{self.rng.randint(100, 999)} {self.rng.randint(100, 999)}"

    def mobile(self) -> str:
        return f"09{self.rng.randint(10, 99)} {self.rng.randint(100, 999)} {self.rng.randint(100, 999)}"

    def street(self, commune: AdministrativeUnit) -> str:
        if commune.unit_type == "phường":
            return f"Số {self.rng.randint(1, 250)} đường {self.rng.choice(_STREETS)}"
        return f"Thôn {self.rng.choice(_HAMLETS)}"

    def director(self, taken: set[str], started_on: datetime.date, recognised_on: datetime.date | None,
                 number: str = "", issuer: str = "") -> DirectorPlan:
        return DirectorPlan(
            full_name=self.person(taken), started_on=started_on, phone=self.mobile(),
            birth_date=datetime.date(self.rng.randint(1965, 1992), self.rng.randint(1, 12), self.rng.randint(1, 28)),
            recognition_number=number if recognised_on else "", recognition_date=recognised_on,
            recognition_issuer=issuer if recognised_on else "",
        )

    def vietnamese_staff(self, taken: set[str], count: int, qualifications: list[str]) -> list[StaffPlan]:
        return [StaffPlan(full_name=self.person(taken), qualifications=self.rng.choice(qualifications))
                for _ in range(count)]

    def foreign_teacher(self, taken: set[str], commune: AdministrativeUnit, language: str, state: str) -> StaffPlan:
        nationalities, given, family = _FOREIGN[language]
        while True:
            name = f"{self.rng.choice(given)} {self.rng.choice(family)}"
            if language in ("Nhật", "Hàn", "Trung"):
                name = " ".join(reversed(name.split(" ", 1)))  # family name first
            if name not in taken:
                taken.add(name)
                break
        teacher = StaffPlan(
            full_name=name, is_foreign=True, nationality=self.rng.choice(nationalities),
            qualifications=self.rng.choice(["Cử nhân, chứng chỉ TESOL", "Cử nhân, chứng chỉ CELTA",
                                            "Thạc sĩ, chứng chỉ giảng dạy ngoại ngữ", "Cử nhân sư phạm"]),
        )
        if state == "exempt":
            teacher.work_permit_exempt = True
            return teacher
        if state == "expired":
            valid_until = self.today - self.days(self.rng.randint(5, 400))
        else:
            valid_until = self.today + self.days(self.rng.randint(60, 700))
        issued = add_years(valid_until, -2)  # a work permit runs at most two years
        home_affairs = issued >= PERMITS_TO_HOME_AFFAIRS
        province = "Bắc Ninh" if issued >= MERGER_DATE else _former_province(commune)
        teacher.work_permit_number = f"{self.rng.randint(100, 9999):04d}/GPLĐ-{'SNV' if home_affairs else 'SLĐTBXH'}"
        teacher.work_permit_issuer = f"{'Sở Nội vụ' if home_affairs else 'Sở LĐTBXH'} tỉnh {province}"
        teacher.work_permit_valid_until = valid_until
        return teacher

    def printed_address(self, street: str, commune: AdministrativeUnit, on: datetime.date) -> str:
        """The address as the licence wrote it: districts and the old province before the merger."""
        if on >= MERGER_DATE:
            return f"{street}, {_lower_type(commune)}, tỉnh Bắc Ninh"
        if commune.name in LEGACY_PLACES:
            locality, district = LEGACY_PLACES[commune.name]
            return f"{street}, {locality}, {district}, tỉnh {_former_province(commune)}"
        return ""

    # Centers ------------------------------------------------------------------------

    def private_center(self, kind: str, proper: str, commune: AdministrativeUnit, scenario: str) -> CenterPlan:
        rng, anchor, today = self.rng, self.anchor, self.today
        language = rng.choices(["Anh", "Nhật", "Hàn", "Trung"], weights=[7, 1, 1, 1])[0]
        street = self.street(commune)
        code = self.code(kind)
        company = rng.choice(["Công ty TNHH Giáo dục", "Công ty Cổ phần Đào tạo", "Công ty TNHH Giáo dục và Đào tạo"])
        plan = CenterPlan(
            code=code, name=f"{_KIND_TITLE[kind]} {proper}", kind=kind, commune=commune, street=street,
            investor_name=f"{company} {proper}",
            # Enterprise codes of the former provinces start 23 (Bắc Ninh) and 24 (Bắc Giang).
            investor_tax_code=f"{'24' if _former_province(commune) == 'Bắc Giang' else '23'}0"
                              f"{rng.randint(1000000, 9999999)}",
            managing_authority="Sở GDĐT Bắc Ninh", phone=self.phone(commune),
            email=f"lienhe.{code.lower()}@example.com",
            website=f"https://{code.lower()}.example.com" if rng.random() < 0.5 else "",
        )
        numbers: set[str] = set()
        people: set[str] = set()

        # When the licence was signed; centers in a ward named in LEGACY_PLACES mostly hold
        # a pre-merger licence, so the register shows addresses with the old districts.
        # A center elsewhere was licensed under today's units: the demo knows the former
        # district and province of the places in LEGACY_PLACES only, and a decision never
        # prints an address it does not know (plan() puts the scenarios whose licence is
        # older than the merger in those places).
        earliest = datetime.date(2014, 1, 1)
        if commune.name in LEGACY_PLACES and rng.random() < 0.8:
            licensed = self.between(earliest, MERGER_DATE - self.days(1))
        else:
            start = earliest if commune.name in LEGACY_PLACES else MERGER_DATE
            licensed = self.between(start, anchor - self.days(60))
        valid_until = None if rng.random() < 0.5 else today + self.days(rng.randint(120, 1800))
        if scenario == "expiring":
            valid_until = today + self.days(rng.randint(5, 55))
        elif scenario == "expired":
            valid_until = today - self.days(rng.randint(10, 700))
            licensed = min(licensed, add_years(valid_until, -2))
        elif scenario in ("dissolved", "revoked"):
            licensed = min(licensed, add_years(anchor, -2))

        scope = _IT_SCOPE if kind == CenterKind.IT else _LANGUAGE_SCOPE[language]
        if kind == CenterKind.LANGUAGE_IT:
            scope = f"{_LANGUAGE_SCOPE[language]} {_IT_SCOPE}"
        elif kind == CenterKind.INCLUSIVE:
            scope = "Đánh giá, tư vấn, can thiệp sớm và hỗ trợ giáo dục trẻ khuyết tật."

        if scenario != "unlicensed":
            plan.address_as_printed = self.printed_address(street, commune, licensed)
            if scenario == "renewed":
                # The first licence ran out and a new one took over shortly before.
                first_end = today - self.days(rng.randint(100, 800))
                first = add_years(first_end, -5)
                licensed = first
                plan.address_as_printed = self.printed_address(street, commune, first)
                plan.documents.append(DocPlan(
                    DocumentKind.ESTABLISHMENT_OPERATION, self.number("QĐ-SGDĐT", numbers), first,
                    _department(commune, first), first_end, scope))
                renewed = first_end - self.days(rng.randint(5, 60))
                plan.documents.append(DocPlan(
                    DocumentKind.OPERATION, self.number("QĐ-SGDĐT", numbers), renewed,
                    _department(commune, renewed), add_years(renewed, 5), scope))
            elif licensed < datetime.date(2018, 10, 1) and rng.random() < 0.5:
                # Before Decree 135/2018 one decision established the center, another let it operate.
                established = licensed - self.days(rng.randint(60, 180))
                plan.documents.append(DocPlan(
                    DocumentKind.ESTABLISHMENT, self.number("QĐ-SGDĐT", numbers), established,
                    _department(commune, established), None, scope))
                plan.documents.append(DocPlan(
                    DocumentKind.OPERATION, self.number("QĐ-SGDĐT", numbers), licensed,
                    _department(commune, licensed), valid_until, scope))
            else:
                plan.documents.append(DocPlan(
                    DocumentKind.ESTABLISHMENT_OPERATION, self.number("QĐ-SGDĐT", numbers), licensed,
                    _department(commune, licensed), valid_until, scope))

        if scenario in ("valid", "expiring", "suspended") and rng.random() < 0.25:
            amended = self.between(licensed + self.days(180), anchor)
            other = rng.choice(self.communes)
            branch_street = self.street(other)
            number = self.number("QĐ-SGDĐT", numbers)
            plan.documents.append(DocPlan(
                DocumentKind.AMENDMENT, number, amended, _department(commune, amended), None,
                f"Bổ sung địa điểm đặt lớp tại {branch_street}, {other.name}."))
            plan.locations.append(LocationPlan(f"{branch_street}, {other.name}, tỉnh Bắc Ninh", other, number))

        if scenario == "suspended" or (scenario == "dissolved" and rng.random() < 0.5):
            start = max(licensed + self.days(400), datetime.date(2025, 1, 1))
            end = anchor - self.days(120) if scenario == "dissolved" else anchor - self.days(10)
            suspended = self.between(min(start, end), end)
            reason = rng.choice(_SUSPENSION_REASONS)
            plan.documents.append(DocPlan(
                DocumentKind.SUSPENSION, self.number("QĐ-SGDĐT", numbers), suspended,
                _department(commune, suspended), suspended + self.days(rng.randint(90, 365)),
                f"Đình chỉ hoạt động giáo dục do {reason}."))
        if scenario == "dissolved":
            last = max(d.signed_on for d in plan.documents)
            dissolved = self.between(last + self.days(60), anchor)
            plan.documents.append(DocPlan(
                DocumentKind.DISSOLUTION, self.number("QĐ-SGDĐT", numbers), dissolved,
                _department(commune, dissolved), None,
                rng.choice(["Giải thể theo đề nghị của chủ đầu tư.",
                            "Giải thể do hết thời hạn đình chỉ mà không khắc phục được nguyên nhân."])))
        elif scenario == "revoked":
            revoked = self.between(licensed + self.days(365), anchor)
            plan.documents.append(DocPlan(
                DocumentKind.REVOCATION, self.number("QĐ-SGDĐT", numbers), revoked,
                _department(commune, revoked), None,
                "Thu hồi quyết định cho phép hoạt động do vi phạm điều kiện hoạt động."))
        elif scenario == "stopped":
            plan.stopped = (self.between(licensed + self.days(365), anchor),
                            "Trung tâm thông báo dừng hoạt động; chưa có quyết định của cơ quan có thẩm quyền.")
        elif scenario == "unlicensed":
            plan.status = CenterStatus.UNLICENSED
        plan.documents.sort(key=lambda d: d.signed_on)
        self.as_printed(plan, stated=scenario in _STATED_TERMS)

        # Directors: recognised, recognised long ago (term over), never recognised, or a
        # second director after the first one left.
        mode = rng.choices(["current", "expired", "none", "history"], weights=[60, 15, 12, 13])[0]
        if scenario == "unlicensed":
            mode = "none"
        if mode == "expired" and licensed > add_years(anchor, -5) - self.days(90):
            mode = "current"
        if mode == "history" and licensed > add_years(anchor, -2) - self.days(30):
            mode = "current"
        if mode == "none":
            started = licensed if scenario != "unlicensed" else anchor - self.days(rng.randint(100, 700))
            plan.directors.append(self.director(people, started, None))
        elif mode == "expired":
            recognised = licensed + self.days(rng.randint(0, 60))
            plan.directors.append(self.director(
                people, recognised, recognised, self.number("QĐ-SGDĐT", numbers), _department(commune, recognised)))
        else:
            if mode == "history":
                plan.directors.append(self.director(
                    people, licensed, licensed, self.number("QĐ-SGDĐT", numbers), _department(commune, licensed)))
                recognised = self.between(licensed + self.days(730), anchor - self.days(30))
            else:
                # Recognised while the licence still ran.
                latest = anchor - self.days(10)
                if valid_until and scenario == "expired":
                    latest = min(latest, valid_until - self.days(30))
                recognised = self.between(max(licensed, add_years(anchor, -4)), latest)
            plan.directors.append(self.director(
                people, recognised, recognised, self.number("QĐ-SGDĐT", numbers), _department(commune, recognised)))

        # Staff.
        if kind in (CenterKind.LANGUAGE, CenterKind.LANGUAGE_IT):
            quals = {
                "Anh": ["Cử nhân Sư phạm Tiếng Anh", "Thạc sĩ Ngôn ngữ Anh",
                        "Cử nhân Ngôn ngữ Anh, chứng chỉ nghiệp vụ sư phạm"],
                "Nhật": ["Cử nhân Ngôn ngữ Nhật", "Cử nhân Ngôn ngữ Nhật, chứng chỉ JLPT N1"],
                "Hàn": ["Cử nhân Ngôn ngữ Hàn Quốc", "Cử nhân Ngôn ngữ Hàn Quốc, chứng chỉ TOPIK 6"],
                "Trung": ["Cử nhân Ngôn ngữ Trung Quốc", "Cử nhân Sư phạm Tiếng Trung"],
            }[language]
            plan.staff += self.vietnamese_staff(people, rng.randint(2, 4), quals)
            for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
                state = rng.choices(["valid", "expired", "exempt"], weights=[60, 25, 15])[0]
                plan.staff.append(self.foreign_teacher(people, commune, language, state))
        if kind in (CenterKind.IT, CenterKind.LANGUAGE_IT):
            plan.staff += self.vietnamese_staff(
                people, rng.randint(1, 3), ["Cử nhân Công nghệ thông tin", "Cử nhân Sư phạm Tin học",
                                            "Kỹ sư Khoa học máy tính"])
        if kind == CenterKind.INCLUSIVE:
            plan.staff += self.vietnamese_staff(
                people, rng.randint(2, 3), ["Cử nhân Giáo dục đặc biệt", "Thạc sĩ Tâm lý học giáo dục"])
        if rng.random() < 0.3:
            plan.staff.append(StaffPlan(full_name=self.person(people), position=StaffPosition.MANAGER,
                                        qualifications="Cử nhân Quản lý giáo dục"))
        if rng.random() < 0.2:
            plan.staff.append(StaffPlan(full_name=self.person(people), position=StaffPosition.OTHER,
                                        qualifications="Trung cấp Kế toán", is_active=False))
        return plan

    def community_center(self, commune: AdministrativeUnit) -> CenterPlan:
        """One per commune, established by the commune since 1/7/2025."""
        rng = self.rng
        numbers: set[str] = set()
        people: set[str] = set()
        authority = f"UBND {_lower_type(commune)}"
        street = f"Trụ sở UBND {_lower_type(commune)}"
        code = self.code(CenterKind.COMMUNITY)
        plan = CenterPlan(
            code=code, name=f"Trung tâm học tập cộng đồng {_lower_type(commune)}",
            kind=CenterKind.COMMUNITY, commune=commune, street=street,
            address_as_printed=f"{street}, tỉnh Bắc Ninh", founding_authority=authority,
            managing_authority=authority, phone=self.phone(commune),
            # Every demo center has an address at a reserved domain (RFC 2606): reminders
            # and notices to it show on the console.
            email=f"lienhe.{code.lower()}@example.com",
        )
        established = self.between(datetime.date(2025, 7, 15), min(datetime.date(2025, 12, 31), self.anchor))
        plan.documents.append(DocPlan(
            DocumentKind.ESTABLISHMENT_OPERATION, self.number("QĐ-UBND", numbers), established, authority, None,
            "Thành lập Trung tâm học tập cộng đồng trên cơ sở sắp xếp các trung tâm của các xã, phường cũ."))
        recognised = established if rng.random() < 0.8 else None
        plan.directors.append(self.director(
            people, established, recognised, self.number("QĐ-UBND", numbers), authority))
        plan.staff += self.vietnamese_staff(people, rng.randint(1, 2), ["Cử nhân Sư phạm", "Cử nhân Văn hóa học"])
        self.as_printed(plan)
        return plan

    def vocational_center(self, commune: AdministrativeUnit, state: str) -> CenterPlan:
        """A public GDNN-GDTX center; the former district ones passed to the Department in 2025."""
        rng = self.rng
        numbers: set[str] = set()
        people: set[str] = set()
        street = self.street(commune)
        plan = CenterPlan(
            code=self.code(CenterKind.VOCATIONAL), name=f"Trung tâm GDNN-GDTX khu vực {_bare(commune)}",
            kind=CenterKind.VOCATIONAL, commune=commune, street=street,
            founding_authority="UBND tỉnh Bắc Ninh", managing_authority="Sở GDĐT Bắc Ninh",
            phone=self.phone(commune), email=f"lienhe.{self.codes[CenterKind.VOCATIONAL]:03d}.gdnn@example.com",
        )
        # GDNN-GDTX centers were formed from 2016 by merging a district's vocational and
        # continuing-education centers; the demo records that decision, under the name and
        # address of the time, where it knows the former district (LEGACY_PLACES).
        established = self.between(datetime.date(2016, 1, 1), datetime.date(2019, 12, 31))
        number = self.number("QĐ-UBND", numbers)
        if commune.name in LEGACY_PLACES:
            old_province = f"UBND tỉnh {_former_province(commune)}"
            plan.documents.append(DocPlan(
                DocumentKind.ESTABLISHMENT, number, established, old_province, None,
                "Thành lập trung tâm trên cơ sở hợp nhất trung tâm dạy nghề và trung tâm giáo dục thường xuyên.",
                printed={"center_name_as_printed": "Trung tâm Giáo dục nghề nghiệp - Giáo dục thường xuyên "
                                                   f"{LEGACY_PLACES[commune.name][1]}",
                         "proposer": "Giám đốc Sở Nội vụ"}))
        registered = self.between(datetime.date(2025, 8, 1), self.anchor)
        valid_until = {"valid": None, "expiring": self.today + self.days(rng.randint(5, 55)),
                       "expired": self.today - self.days(rng.randint(10, 200))}[state]
        if state == "expired":
            registered = min(registered, valid_until - self.days(30))
        plan.documents.append(DocPlan(
            DocumentKind.REGISTRATION, self.number("GCN-SGDĐT", numbers), registered, "Sở GDĐT Bắc Ninh",
            valid_until, "Đăng ký hoạt động giáo dục nghề nghiệp trình độ sơ cấp; giáo dục thường xuyên."))
        appointed = self.between(add_years(self.anchor, -4), self.anchor - self.days(30))
        plan.directors.append(self.director(
            people, appointed, appointed, self.number("QĐ-UBND", numbers), "UBND tỉnh Bắc Ninh"))
        plan.staff += self.vietnamese_staff(
            people, rng.randint(3, 5), ["Cử nhân Sư phạm Toán", "Cử nhân Sư phạm Ngữ văn",
                                        "Kỹ sư Điện công nghiệp", "Cử nhân Sư phạm Tin học"])
        self.as_printed(plan, stated=state != "valid")
        return plan

    def as_printed(self, plan: CenterPlan, *, stated: bool = False) -> None:
        """What each decision or certificate the register prints showed on the day it was
        signed: the issuer's header of that day (before the merger, the former province's),
        the address in the units of that day, the applicant, the division that proposed it,
        and whether it stated a term (`stated`; otherwise the expiry is the Department's
        own follow-up and is not printed). The center's own "address as printed" is its
        current licence's. No random draw: the plan stays the same on every run."""
        printed_kinds = (DocumentKind.ESTABLISHMENT, *GRANTING_KINDS)
        for doc in plan.documents:
            if doc.kind not in printed_kinds:
                continue
            if plan.kind == CenterKind.COMMUNITY:
                address = plan.address_as_printed  # "Trụ sở UBND xã ..., tỉnh Bắc Ninh"
            else:
                address = self.printed_address(plan.street, plan.commune, doc.signed_on)
            fields = {"address_as_printed": address, "validity_stated": stated and doc.valid_until is not None}
            if doc.issuer.startswith("Sở GDĐT "):
                province = doc.issuer.removeprefix("Sở GDĐT ")
                fields |= {
                    "issuer_parent_as_printed": f"UBND TỈNH {province.upper()}",
                    "issuer_name_as_printed": "SỞ GIÁO DỤC VÀ ĐÀO TẠO", "place_as_printed": province,
                    # The division that handles the centers: in Bắc Ninh the primary
                    # education division hosted the centers' conference of 2022 (seeds).
                    "proposer": "Trưởng phòng Giáo dục Tiểu học" if province == "Bắc Ninh"
                    else "Trưởng phòng Giáo dục thường xuyên",
                }
            elif doc.issuer.startswith("UBND ") and plan.kind == CenterKind.COMMUNITY:
                fields["proposer"] = "Trưởng phòng Văn hóa - Xã hội"
            if plan.investor_name and doc.kind != DocumentKind.REGISTRATION:
                fields["applicant_as_printed"] = plan.investor_name
            doc.printed = {**fields, **doc.printed}
        granting = [d for d in plan.documents if d.kind in GRANTING_KINDS]
        if granting:
            plan.address_as_printed = granting[-1].printed.get("address_as_printed", "")

    def plan(self) -> list[CenterPlan]:
        rng = self.rng
        kinh_bac = self.by_name[DIRECTOR_WARD]
        proper_pool = [f"{a} {b}" for a, b in product(_NAME_FIRST, _NAME_SECOND) if a != b]
        proper_pool.remove("Ánh Dương")
        proper_pool.remove("Đông Á")
        rng.shuffle(proper_pool)

        kinds = [kind for kind, count in _PRIVATE_KINDS for _ in range(count)]
        scenarios = [name for name, count in _SCENARIOS for _ in range(count)]
        assert len(kinds) == len(scenarios)
        # The first two are fixed: the demo director's center and a second center in the
        # same ward, so the local officer sees a language center it may not edit.
        kinds.remove(CenterKind.LANGUAGE)
        kinds.remove(CenterKind.IT)
        scenarios.remove("valid")
        scenarios.remove("expiring")
        rng.shuffle(kinds)
        rng.shuffle(scenarios)
        weights = [(3 if c.unit_type == "phường" else 1) + (3 if c.name in LEGACY_PLACES else 0)
                   for c in self.communes]

        plans = [
            self.private_center(CenterKind.LANGUAGE, "Ánh Dương", kinh_bac, "valid"),
            self.private_center(CenterKind.IT, "Đông Á", kinh_bac, "expiring"),
        ]
        director_center = plans[0]
        # The demo director's center shows every work-permit case.
        taken = {s.full_name for s in director_center.staff} | {d.full_name for d in director_center.directors}
        director_center.staff = [s for s in director_center.staff if not s.is_foreign]
        for state in ("valid", "expired", "exempt"):
            director_center.staff.append(self.foreign_teacher(taken, kinh_bac, "Anh", state))

        legacy = [c for c in self.communes if c.name in LEGACY_PLACES]
        legacy_weights = [3 if c.unit_type == "phường" else 1 for c in legacy]
        for kind, scenario in zip(kinds, scenarios, strict=True):
            # A licence older than the merger needs the place as it was then.
            if scenario in _OLD_LICENCES:
                commune = rng.choices(legacy, weights=legacy_weights)[0]
            else:
                commune = rng.choices(self.communes, weights=weights)[0]
            plans.append(self.private_center(kind, proper_pool.pop(), commune, scenario))

        others = [c for c in self.communes if c != kinh_bac]
        community = sorted([kinh_bac, *rng.sample(others, _COMMUNITY_CENTERS - 1)], key=lambda c: c.code)
        plans += [self.community_center(c) for c in community]

        groups = [self.communes[i:i + _COMMUNES_PER_VOCATIONAL]
                  for i in range(0, len(self.communes), _COMMUNES_PER_VOCATIONAL)]
        for index, group in enumerate(groups):
            state = {1: "expiring", 4: "expired"}.get(index, "valid")
            known = [c for c in group if c.name in LEGACY_PLACES and c.unit_type != "phường"]
            plans.append(self.vocational_center(known[0] if known else group[0], state))
        return plans


def _apply(plan: CenterPlan, province: AdministrativeUnit) -> tuple[Center, Counter]:
    """Write one planned center and whatever of its records is missing."""
    created = Counter()
    center = Center.objects.filter(province=province, code=plan.code).first()
    if center is None:
        center = Center(
            province=province, commune=plan.commune, code=plan.code, name=plan.name, kind=plan.kind,
            status=plan.status, street=plan.street, address_as_printed=plan.address_as_printed,
            investor_name=plan.investor_name, investor_tax_code=plan.investor_tax_code,
            founding_authority=plan.founding_authority, managing_authority=plan.managing_authority,
            phone=plan.phone, email=plan.email, website=plan.website,
        )
        center.full_clean()
        center_save(center=center)
        created["centers"] += 1
    elif plan.email and not center.email:
        # A database seeded before the demo centers all had an address gets it now.
        center.email = plan.email
        center_save(center=center, update_fields=["email"])

    documents = {(d.kind, d.number): d for d in center.documents.all()}
    directors = set(center.directors.values_list("full_name", flat=True))
    staff = set(center.staff.values_list("full_name", flat=True))
    # Documents and directors in date order, as they happened: each document moves the
    # status from its date on, and each director's appointment ends the previous one.
    events = sorted(
        [(d.signed_on, 0, d) for d in plan.documents] + [(d.started_on, 1, d) for d in plan.directors],
        key=lambda e: (e[0], e[1]),
    )
    for _day, _order, item in events:
        if isinstance(item, DocPlan):
            if (item.kind, item.number) not in documents:
                documents[(item.kind, item.number)] = licence_document_create(
                    center=center, kind=item.kind, number=item.number, signed_on=item.signed_on,
                    issuer=item.issuer, valid_until=item.valid_until, scope=item.scope, **item.printed,
                )
                created["documents"] += 1
        elif item.full_name not in directors:
            director_appoint(
                center=center, full_name=item.full_name, started_on=item.started_on,
                birth_date=item.birth_date, phone=item.phone, recognition_number=item.recognition_number,
                recognition_date=item.recognition_date, recognition_issuer=item.recognition_issuer,
            )
            directors.add(item.full_name)
            created["directors"] += 1
    if plan.stopped:
        effective_on, reason = plan.stopped
        center_set_status(center=center, status=CenterStatus.STOPPED, effective_on=effective_on, reason=reason)
    for location in plan.locations:
        Location.objects.get_or_create(
            center=center, address=location.address,
            defaults={"commune": location.commune,
                      "document": next(d for (k, n), d in documents.items() if n == location.document_number)},
        )
    new_staff = [Staff(center=center, **vars(person)) for person in plan.staff if person.full_name not in staff]
    for member in new_staff:
        member.full_clean(exclude=["center"])  # the center was just saved; skip the lookup
    # Staff have no service and no derived columns: one insert (with history) per center.
    bulk_create_with_history(new_staff, Staff)
    if new_staff:  # past the model signals: the compliance flags read foreign teachers' permits
        centers_changed_send(sender=Staff, center_ids=[center.pk])
    created["staff"] += len(new_staff)
    return center, created


def _accounts(province: AdministrativeUnit, kinh_bac: AdministrativeUnit, director_center: Center) -> int:
    director = director_center.directors.filter(ended_on__isnull=True).first()
    wanted = [
        # Addresses at a reserved domain (RFC 2606): mail to them shows on the console.
        ("sogd", {"role": User.Role.DEPARTMENT, "province": province, "is_staff": True,
                  "full_name": "Nguyễn Thu Hằng", "email": "sogd@bacninh.example.org"}),
        ("thanhtra", {"role": User.Role.INSPECTOR, "province": province, "full_name": "Trịnh Văn Kiên",
                      "email": "thanhtra@bacninh.example.org"}),
        ("giamdoc", {"role": User.Role.DIRECTOR, "province": province, "center": director_center,
                     "full_name": director.full_name if director else "", "email": "giamdoc@bacninh.example.org"}),
        ("canboxa", {"role": User.Role.LOCAL_OFFICER, "province": province, "commune": kinh_bac,
                     "full_name": "Đỗ Thị Phương Thảo", "email": "canboxa@bacninh.example.org"}),
    ]
    created_count = 0
    for username, fields in wanted:
        user, created = User.objects.get_or_create(username=username, defaults=fields)
        if created:
            # Only a new account gets the demo password: a re-run leaves a changed one alone.
            user.set_password(DEMO_PASSWORD)
            user.full_clean()
            user.save()
            created_count += 1
            continue
        changed = [name for name, value in fields.items() if getattr(user, name) != value]
        if changed:
            for name in changed:
                setattr(user, name, fields[name])
            user.save(update_fields=changed)
    return created_count


def demo_province() -> AdministrativeUnit:
    """Bắc Ninh, loading its units first when they are missing."""
    province = AdministrativeUnit.objects.filter(level=AdministrativeUnit.Level.PROVINCE, code=PROVINCE_CODE).first()
    if province is None or not province.children.filter(name=DIRECTOR_WARD).exists():
        units_load(province_codes=[int(PROVINCE_CODE)])
        province = AdministrativeUnit.objects.get(level=AdministrativeUnit.Level.PROVINCE, code=PROVINCE_CODE)
    return province


@transaction.atomic
def demo_seed(*, today: datetime.date | None = None) -> DemoResult:
    """Create (or complete) the demo province, its centers and the four demo accounts."""
    today = today or timezone.localdate()
    province = demo_province()
    communes = list(province.children.filter(level=AdministrativeUnit.Level.COMMUNE).order_by("code"))
    planner = _Planner(rng=random.Random(DEMO_SEED), communes=communes, today=today)
    plans = planner.plan()

    result = DemoResult(province=province)
    centers = []
    for plan in plans:
        center, created = _apply(plan, province)
        centers.append(center)
        result.centers_created += created["centers"]
        result.documents_created += created["documents"]
        result.directors_created += created["directors"]
        result.staff_created += created["staff"]
    # The services refresh after every write; once more for the centers they never touched.
    centers_refresh([c.pk for c in centers])
    result.users_created = _accounts(province, planner.by_name[DIRECTOR_WARD], centers[0])
    return result


def demo_summary(province: AdministrativeUnit, today: datetime.date | None = None) -> list[str]:
    """The lines `seed_demo` prints: what the demo province holds now, in Vietnamese."""
    centers = Center.objects.filter(province=province)
    kinds = dict(centers.order_by().values("kind").annotate(n=Count("id")).values_list("kind", "n"))
    statuses = dict(centers.order_by().values("status").annotate(n=Count("id")).values_list("status", "n"))
    states = Counter(with_licence_state(centers, today).values_list("licence_state", flat=True))
    lines = [
        _("Tỉnh %(province)s: %(count)d trung tâm.") % {"province": province.name, "count": centers.count()},
        _("Theo loại hình:"),
        *(f"  - {label}: {kinds.get(value, 0)}" for value, label in CenterKind.choices),
        _("Theo trạng thái:"),
        *(f"  - {label}: {statuses.get(value, 0)}" for value, label in CenterStatus.choices),
        _("Theo giấy phép:"),
        *(f"  - {label}: {states.get(value, 0)}" for value, label in LicenceState.choices),
        _("Tài khoản demo (mật khẩu %(password)s):") % {"password": DEMO_PASSWORD},
    ]
    for user in User.objects.filter(username__in=["sogd", "thanhtra", "giamdoc", "canboxa"]).select_related(
        "province", "commune", "center",
    ).order_by("username"):
        unit = user.center or user.commune or user.province
        lines.append(f"  - {user.username}: {user.get_role_display()} ({unit})")
    return lines
