"""Test data. Names are invented; the administrative units mimic the official ones."""

import datetime

import factory
from factory.django import DjangoModelFactory

from accounts.models import User
from centers.choices import CenterKind, CenterStatus, DocumentKind
from centers.models import Center, Director, LicenceDocument, Staff
from geo.models import AdministrativeUnit

DEFAULT_PASSWORD = "matkhau-thu-nghiem"


class ProvinceFactory(DjangoModelFactory):
    class Meta:
        model = AdministrativeUnit
        django_get_or_create = ("level", "code")

    level = AdministrativeUnit.Level.PROVINCE
    code = factory.Sequence(lambda n: f"{90 + n % 9}{n}")
    name = factory.Sequence(lambda n: f"Tỉnh Thử {n}")
    unit_type = "tỉnh"


class CommuneFactory(DjangoModelFactory):
    class Meta:
        model = AdministrativeUnit
        django_get_or_create = ("level", "code")

    level = AdministrativeUnit.Level.COMMUNE
    code = factory.Sequence(lambda n: f"9{n:05d}")
    name = factory.Sequence(lambda n: f"Phường Đông Thử {n}")
    unit_type = "phường"
    parent = factory.SubFactory(ProvinceFactory)


class CenterFactory(DjangoModelFactory):
    class Meta:
        model = Center
        skip_postgeneration_save = True

    commune = factory.SubFactory(CommuneFactory)
    province = factory.LazyAttribute(lambda o: o.commune.parent)
    code = factory.Sequence(lambda n: f"TT{n:05d}")
    name = factory.Sequence(lambda n: f"Trung tâm Ngoại ngữ Ánh Dương {n}")
    kind = CenterKind.LANGUAGE
    status = CenterStatus.OPERATING
    street = factory.Sequence(lambda n: f"Số {n} đường Lý Thái Tổ")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Through the registry's write path, as every caller of the product does.
        from centers.services import center_save

        return center_save(center=model_class(*args, **kwargs))


class DocumentFactory(DjangoModelFactory):
    class Meta:
        model = LicenceDocument
        skip_postgeneration_save = True

    center = factory.SubFactory(CenterFactory)
    kind = DocumentKind.ESTABLISHMENT_OPERATION
    number = factory.Sequence(lambda n: f"{n + 100}/QĐ-SGDĐT")
    signed_on = datetime.date(2024, 3, 5)
    issuer = "Sở GDĐT Bắc Ninh"
    valid_until = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from centers.services import licence_document_save

        return licence_document_save(document=model_class(*args, **kwargs))


class DirectorFactory(DjangoModelFactory):
    class Meta:
        model = Director

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from centers.services import director_save

        return director_save(director=model_class(*args, **kwargs))

    center = factory.SubFactory(CenterFactory)
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn Đức {n}")
    recognition_number = factory.Sequence(lambda n: f"{n + 500}/QĐ-SGDĐT")
    recognition_date = datetime.date(2024, 1, 10)
    term_end = datetime.date(2029, 1, 10)
    started_on = datetime.date(2024, 1, 10)


class StaffFactory(DjangoModelFactory):
    class Meta:
        model = Staff

    center = factory.SubFactory(CenterFactory)
    full_name = factory.Sequence(lambda n: f"Trần Thị Hoa {n}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"Người dùng {n}")
    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or DEFAULT_PASSWORD)
        if create:
            obj.save(update_fields=["password"])


def make_user(role: str, *, center=None, province=None, commune=None, **kwargs) -> User:
    """A user of the given role, tied to the unit the role needs."""
    if role == User.Role.DIRECTOR:
        kwargs.update(center=center, province=center.province)
    elif role == User.Role.LOCAL_OFFICER:
        kwargs.update(commune=commune, province=commune.parent)
    else:
        kwargs.update(province=province, is_staff=(role == User.Role.DEPARTMENT))
    return UserFactory(role=role, **kwargs)
