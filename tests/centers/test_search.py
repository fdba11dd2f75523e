import pytest

from centers.selectors import centers_visible_to, search_q
from geo.text import fold
from tests.factories import CenterFactory, DirectorFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "folded"),
    [("Ngoại ngữ", "ngoai ngu"), ("ĐÔNG", "dong"), ("đông", "dong"), ("Đào tạo", "dao tao"), ("Hòa  Nhập", "hoa nhap")],
)
def test_fold_drops_diacritics_case_and_d_stroke(text, folded):
    assert fold(text) == folded


@pytest.mark.parametrize("query", ["ngoai ngu", "NGOẠI NGỮ", "dong", "ĐÔNG", "đông", "dong a"])
def test_search_ignores_diacritics_and_case(commune, query):
    wanted = CenterFactory(commune=commune, name="Trung tâm Ngoại ngữ Đông Á")
    CenterFactory(commune=commune, name="Trung tâm Tin học Sao Mai", kind="it")
    found = list(type(wanted).objects.filter(search_q(query)))
    assert found == [wanted]


def test_search_finds_director_names_and_decision_numbers(center, department_user):
    DirectorFactory(center=center, full_name="Lê Thị Đào")
    from centers.services import center_refresh

    center_refresh(center)
    visible = centers_visible_to(department_user)
    assert list(visible.filter(search_q("le thi dao"))) == [center]
    assert list(visible.filter(search_q("12/qđ-sgdđt"))) == [center]
    assert not visible.filter(search_q("khong co")).exists()
