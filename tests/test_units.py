import pytest
from django.core.management import CommandError, call_command

from reports.models import Level, Unit
from reports.units import UnitImportError, import_units, set_parent

pytestmark = pytest.mark.django_db

HEADER = "code,name,type,parent_code\n"


def test_demo_has_the_real_tay_ninh_units(demo):
    assert Unit.objects.filter(level__code="tinh").count() == 1
    districts = Unit.objects.filter(level__code="huyen").exclude(unit_type="to_chuc")
    assert districts.count() == 9
    assert Unit.objects.filter(level__code="xa").count() == 94
    assert Unit.objects.filter(unit_type="phuong").count() == 17
    assert Unit.objects.filter(unit_type="thi_tran").count() == 6
    assert Unit.objects.filter(unit_type="xa").count() == 71
    assert Unit.objects.filter(unit_type="to_chuc", parent__code="72").count() == 5


def test_two_communes_share_a_name_and_are_keyed_by_code(demo):
    same = Unit.objects.filter(name="Xã Tân Bình")
    assert same.count() == 2
    assert {u.parent.code for u in same} == {"703", "705"}


def test_subtree_query_returns_a_district_and_its_communes_only(demo, unit):
    tan_bien = unit("705")
    subtree = Unit.objects.subtree_of(tan_bien)
    assert subtree.count() == 1 + Unit.objects.filter(parent=tan_bien).count()
    assert all(u.path.startswith("72/705/") for u in subtree)
    assert not Unit.objects.subtree_of(tan_bien).filter(code="25474").exists()
    assert tan_bien not in Unit.objects.subtree_of(tan_bien, include_self=False)


def test_province_subtree_holds_every_unit(demo, unit):
    assert Unit.objects.subtree_of(unit("72")).count() == Unit.objects.count()


def test_moving_a_unit_repaths_its_subtree(demo, unit):
    commune = unit("25489")
    set_parent(commune, unit("703"))
    commune.refresh_from_db()
    assert commune.path == "72/703/25489/"
    assert commune in Unit.objects.subtree_of(unit("703"))
    district = unit("705")
    new_province = Unit.objects.create(
        code="99",
        name="Tỉnh Thử",
        unit_type="tinh",
        level=Level.objects.get(code="tinh"),
        path="99/",
    )
    set_parent(district, new_province)
    assert all(
        u.path.startswith("99/705/") for u in Unit.objects.filter(parent__code="705")
    )


def test_import_good_file_creates_and_then_updates(db):
    data = HEADER + "1,Tỉnh A,tinh,\n101,Huyện B,huyen,1\n10101,Xã C,xa,101\n"
    result = import_units(data)
    assert sorted(result.created) == ["1", "101", "10101"]
    commune = Unit.objects.get(code="10101")
    assert commune.path == "1/101/10101/"
    assert commune.level.code == "xa"
    result = import_units(HEADER + "10101,Xã C mới,xa,101\n")
    assert result.updated == ["10101"]
    assert Unit.objects.get(code="10101").name == "Xã C mới"


def test_reimporting_the_real_file_changes_nothing(demo):
    from django.conf import settings

    before = list(Unit.objects.values_list("code", "name", "path"))
    data = (settings.BASE_DIR / "fixtures" / "units-tay-ninh-2020.csv").read_bytes()
    result = import_units(data)
    assert len(result.updated) == 104 and not result.created
    assert list(Unit.objects.values_list("code", "name", "path")) == before


def test_import_accepts_children_before_parents(db):
    import_units(HEADER + "10101,Xã C,xa,101\n101,Huyện B,huyen,1\n1,Tỉnh A,tinh,\n")
    assert Unit.objects.get(code="10101").path == "1/101/10101/"


@pytest.mark.parametrize(
    "body, expected",
    [
        (
            "1,Tỉnh A,tinh,\n2,Huyện B,huyen,999\n",
            "Dòng 3: không tìm thấy đơn vị cấp trên có mã 999",
        ),
        ("1,Tỉnh A,tinh,\n1,Tỉnh A lần hai,tinh,\n", "Dòng 3: mã 1 trùng với dòng 2"),
        (
            "1,Tỉnh A,tinh,\n2,Huyện B,quan_huyen,1\n",
            "Dòng 3: loại đơn vị “quan_huyen” không hợp lệ",
        ),
        ("1,Tỉnh A,tinh,\n2,Huyện B,huyen\n", "Dòng 3: cần 4 cột, dòng có 3 cột"),
        ('1,Tỉnh A,tinh,\n2,"Huyện B,huyen,1\n', "Dòng 3"),
        ("1,Tỉnh A,tinh,\n2,,huyen,1\n", "Dòng 3: thiếu tên đơn vị"),
        ("1,A,tinh,2\n2,B,huyen,1\n", "tạo thành vòng"),
    ],
    ids=[
        "unknown-parent",
        "duplicate",
        "bad-type",
        "short-line",
        "broken-quote",
        "no-name",
        "cycle",
    ],
)
def test_bad_file_names_the_line_and_imports_nothing(db, body, expected):
    before = Unit.objects.count()
    with pytest.raises(UnitImportError) as info:
        import_units(HEADER + body)
    assert any(expected in error for error in info.value.errors), info.value.errors
    assert Unit.objects.count() == before


def test_bad_file_lists_every_bad_line(db):
    body = "1,Tỉnh A,tinh,\n2,B,huyen,9\n3,C,khac,1\n"
    with pytest.raises(UnitImportError) as info:
        import_units(HEADER + body)
    text = "\n".join(info.value.errors)
    assert "Dòng 3" in text and "Dòng 4" in text


def test_wrong_header_and_non_utf8_are_refused(db):
    with pytest.raises(UnitImportError, match="Dòng 1: tiêu đề"):
        import_units("ma,ten\n1,A\n")
    with pytest.raises(UnitImportError, match="UTF-8"):
        import_units(HEADER.encode() + "1,Tây Ninh,tinh,\n".encode("latin-1"))
    with pytest.raises(UnitImportError, match="rỗng"):
        import_units(b"")


def test_import_units_command(db, tmp_path):
    before = Unit.objects.count()
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "1,Tỉnh A,tinh,\n101,Huyện B,huyen,1\n", encoding="utf-8")
    call_command("import_units", str(good), "--dry-run")
    assert Unit.objects.count() == before
    call_command("import_units", str(good))
    assert Unit.objects.count() == before + 2
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "5,X,xa,777\n", encoding="utf-8")
    with pytest.raises(CommandError, match="777"):
        call_command("import_units", str(bad))
    assert Unit.objects.count() == before + 2
