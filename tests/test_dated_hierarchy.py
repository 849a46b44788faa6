"""A round reads the hierarchy as of its own date (issue 13).

The 2016–2020 round must show, count and export the same before and after the
2025 reform (communes directly under the province from 01/07/2025, districts and
their communes retired on that day); a 2021–2025 round counts only the units
that exist on its reference date.
"""

import datetime as dt
import io
from collections import Counter

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from reports import workflow
from reports.cockpit import build_cockpit
from reports.consolidation import children_level_name, consolidate
from reports.exports import data, files
from reports.models import (
    Deadline,
    Level,
    Round,
    Unit,
    UnitType,
)
from reports.reminders import due_reminders
from reports.timeliness import timeliness_for
from tests.factories import create_later_round, create_report, fill_report

pytestmark = pytest.mark.django_db

REFORM = dt.date(2025, 7, 1)
NEW_COMMUNES = [
    ("30001", "Phường Tân Ninh", UnitType.PHUONG),
    ("30002", "Xã Tân Biên", UnitType.XA),
    ("30003", "Xã Tân Lập", UnitType.XA),
]
NOW_2021 = timezone.make_aware(dt.datetime(2021, 3, 1, 9, 0))


def approve_children(round_, parent, make_user):
    reviewer = make_user(parent.code, "reviewer")
    children = parent.children_as_of(round_.as_of).order_by("path")
    for seed, child in enumerate(children, start=1):
        staff = make_user(child.code, "staff")
        report = create_report(round_, child)
        fill_report(report, staff, seed=seed, models=seed % 4 + 1)
        workflow.submit_report(report, actor=staff)
        workflow.approve_report(report, actor=reviewer)


def reform_2025(*, untick=True):
    """The 2025 hierarchy: new communes under the province; the old districts
    and communes retired (and, by default, unticked) as of 01/07/2025."""
    province = Unit.objects.get(code="72")
    xa = Level.objects.get(code="xa")
    old = Unit.objects.filter(path__startswith="72/", depth__gte=1).exclude(
        unit_type=UnitType.TO_CHUC
    )
    assert old.count() > 90
    old.update(valid_to=REFORM, is_active=not untick)
    for code, name, unit_type in NEW_COMMUNES:
        Unit.objects.create(
            code=code,
            name=name,
            unit_type=unit_type,
            level=xa,
            parent=province,
            path=f"{province.path}{code}/",
            depth=1,
            valid_from=REFORM,
        )


def new_round(demo):
    round_ = create_later_round(demo.campaign)
    Deadline.objects.create(
        round=round_, level=Level.objects.get(code="xa"), due_date=dt.date(2025, 12, 1)
    )
    return round_


def snapshot(round_, province, district):
    """Everything the 2020 round shows of the province and one district."""
    shots = {}
    for parent in (province, district):
        result = consolidate(parent, round_)
        shots[parent.code, "rows"] = [
            (row.unit.code, row.source) for row in result.rows
        ]
        shots[parent.code, "tables"] = [
            (
                table.table.code,
                [(row.unit.code, row.values) for row in table.rows],
                table.total,
                sorted(table.partial),
            )
            for table in result.tables
        ]
        shots[parent.code, "document"] = data.build_consolidated_document(result)
    scope = Unit.objects.filter(path__startswith=province.path)
    shots["timeliness"] = Counter(
        item.status
        for item in timeliness_for(round_, round_.units(), now=NOW_2021).values()
    )
    cockpit = build_cockpit(round_, scope.exclude(pk=province.pk), now=NOW_2021)
    shots["cockpit"] = (
        cockpit.total.expected,
        cockpit.total.reported,
        cockpit.total.approved,
        [(lt.level.code, lt.tally.expected) for lt in cockpit.levels],
    )
    return shots


@pytest.fixture
def approved_2020(demo, unit, make_user):
    province, district = unit("72"), unit("705")
    approve_children(demo, district, make_user)
    approve_children(demo, province, make_user)
    return province, district


def test_the_2020_round_is_unchanged_by_the_2025_reform(demo, approved_2020):
    province, district = approved_2020
    before = snapshot(demo, province, district)
    xlsx_before = xlsx_of(province, demo)
    assert before["705", "rows"] and before["72", "rows"]
    assert all(source == "approved" for _code, source in before["72", "rows"])

    reform_2025()
    new = new_round(demo)
    Unit.objects.get(code="30001")  # the new round's units exist

    after = snapshot(demo, unit_fresh("72"), unit_fresh("705"))
    assert after == before
    xlsx_after = xlsx_of(unit_fresh("72"), demo)
    assert xlsx_after == xlsx_before
    assert new.units().filter(code="705").count() == 0


def xlsx_of(parent, round_):
    """Every sheet's cells (values and merges) of the consolidated Excel, built
    afresh (not from the export cache; the zip's timestamps are left aside)."""
    document = data.build_consolidated_document(consolidate(parent, round_))
    book = openpyxl.load_workbook(io.BytesIO(files.render(document, "xlsx")))
    return [
        (
            sheet.title,
            [[cell.value for cell in row] for row in sheet.iter_rows()],
            sorted(str(merged) for merged in sheet.merged_cells.ranges),
        )
        for sheet in book.worksheets
    ]


def unit_fresh(code):
    return Unit.objects.select_related("level").get(code=code)


def test_unticking_active_does_not_empty_the_2020_consolidation(demo, approved_2020):
    province, _district = approved_2020
    before = consolidate(province, demo)
    Unit.objects.filter(path__startswith="72/", depth=1).update(is_active=False)
    after = consolidate(unit_fresh("72"), demo)
    assert [r.unit.code for r in after.rows] == [r.unit.code for r in before.rows]
    assert [t.total for t in after.tables] == [t.total for t in before.tables]


def test_the_2021_2025_round_counts_exactly_the_units_of_its_date(demo):
    reform_2025()
    new = new_round(demo)
    assert new.as_of == dt.date(2025, 12, 31)
    province = unit_fresh("72")
    children = set(province.children_as_of(new.as_of).values_list("code", flat=True))
    members = set(
        Unit.objects.filter(unit_type=UnitType.TO_CHUC).values_list("code", flat=True)
    )
    assert children == {code for code, _n, _t in NEW_COMMUNES} | members
    # Progress: the new communes, the member organisations, no retired unit.
    counted = timeliness_for(new, new.units().exclude(pk=province.pk))
    assert {item.unit.code for item in counted.values()} == children
    cockpit = build_cockpit(new, Unit.objects.exclude(pk=province.pk))
    assert cockpit.total.expected == len(children)
    # Consolidation rows: the same units.
    assert {row.unit.code for row in consolidate(province, new).rows} == children
    # Reminders on the communes' due day: only the new communes.
    owed = due_reminders(new, dt.date(2025, 12, 1), [0])
    assert {r.unit.code for r in owed} == {code for code, _n, _t in NEW_COMMUNES}
    # The 2020 round still sees its districts and not the new communes.
    old_children = set(
        province.children_as_of(demo.as_of).values_list("code", flat=True)
    )
    assert "705" in old_children and "30001" not in old_children


def test_the_cockpit_page_of_the_new_round_lists_only_its_units(
    demo, client, make_user
):
    reform_2025(untick=False)  # retired by date alone
    new_round(demo)
    demo.is_open = False
    demo.save()
    client.force_login(make_user("72", "reviewer"))
    response = client.get(reverse("cockpit"))
    assert response.status_code == 200
    codes = {item.unit.code for item in response.context["data"].items}
    assert "705" not in codes and "25489" not in codes
    assert {"30001", "30002", "30003"} <= codes


def test_home_does_not_invite_a_retired_unit_to_the_new_round(demo, client, make_user):
    reform_2025()
    new_round(demo)
    demo.is_open = False
    demo.save()
    client.force_login(make_user("25489", "staff"))
    response = client.get(reverse("home"))
    assert response.context["tasks"] == []
    client.force_login(make_user("30002", "staff"))
    response = client.get(reverse("home"))
    assert [t.membership.unit.code for t in response.context["tasks"]] == ["30002"]
    client.force_login(make_user("72", "reviewer"))
    response = client.get(reverse("home"))
    below = response.context["tasks"][0].below
    members = Unit.objects.filter(unit_type=UnitType.TO_CHUC).count()
    assert below["total"] == len(NEW_COMMUNES) + members


def test_unit_as_of_bounds(demo):
    reform_2025()
    on_eve = Unit.objects.as_of(dt.date(2025, 6, 30))
    on_day = Unit.objects.as_of(REFORM)
    assert on_eve.filter(code="705").exists()
    assert not on_eve.filter(code="30001").exists()
    assert not on_day.filter(code="705").exists()
    assert on_day.filter(code="30001").exists()


def level_labels(result):
    """The printed header labels of the columns labelled "Cấp {level}"."""
    return {
        cell.label
        for table in result.tables
        for row in table.layout.rows
        for cell in row
        if cell.column.label == "Cấp {level}"
    }


def test_level_label_is_the_consolidating_units_own_not_the_first_childs(demo):
    # A consolidation is its unit's appendix: the province's form says
    # "Cấp tỉnh", a district's "Cấp huyện" (as the plan's forms print them).
    assert level_labels(consolidate(unit_fresh("705"), demo)) == {"Cấp huyện"}
    province = unit_fresh("72")
    before = consolidate(province, demo)
    assert level_labels(before) == {"Cấp tỉnh"}
    # A commune directly under the province, sorting before every district.
    Unit.objects.create(
        code="10000",
        name="Xã Đầu Danh Sách",
        unit_type=UnitType.XA,
        level=Level.objects.get(code="xa"),
        parent=province,
        path=f"{province.path}10000/",
        depth=1,
    )
    after = consolidate(unit_fresh("72"), demo)
    assert after.rows[0].unit.code == "10000"
    assert after.level_name == "tỉnh"
    assert level_labels(after) == {"Cấp tỉnh"}
    # Without a level of its own, the level most children hold names it.
    assert children_level_name(after.rows) == "huyện"
    document = repr(data.build_consolidated_document(after))
    assert "label='Cấp tỉnh'" in document


def test_the_2020_export_keeps_its_level_label_after_the_reform(demo):
    reform_2025()
    new_round(demo)
    old = consolidate(unit_fresh("72"), demo)
    assert level_labels(old) == {"Cấp tỉnh"}
    assert children_level_name(old.rows) == "huyện"
    new = Round.objects.get(code="tong-ket-2021-2025")
    # The new round's children are communes (beside the member organisations).
    assert children_level_name(consolidate(unit_fresh("72"), new).rows) == "xã"


def test_the_consolidated_download_follows_what_shapes_it(demo, approved_2020):
    province, _district = approved_2020
    files.consolidated_export(province, demo, "xlsx")  # now cached
    # A consolidated file labels "Cấp {level}" with the consolidating unit's
    # own level (the province's, as the seed prints it).
    level = Level.objects.get(code="tinh")
    level.name = "tỉnh/thành phố"
    level.save()
    content, _name = files.consolidated_export(unit_fresh("72"), demo, "xlsx")
    book = openpyxl.load_workbook(io.BytesIO(content), rich_text=True)
    texts = {
        str(cell.value)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    }
    assert "Cấp tỉnh/thành phố\n(có/không)" in texts
    assert "Cấp tỉnh\n(có/không)" not in texts


def test_a_retired_unit_cannot_start_a_report_in_the_new_round(demo, client, make_user):
    reform_2025()
    new = new_round(demo)
    demo.is_open = False
    demo.save()
    commune = unit_fresh("25489")
    client.force_login(make_user("25489", "staff"))
    page = client.get(reverse("my_reports"))
    assert commune not in [row["unit"] for row in page.context["rows"]]
    response = client.post(reverse("report_start"), {"unit": commune.pk}, follow=True)
    assert "không thuộc đợt" in response.content.decode()
    assert not new.reports.exists()
