from decimal import Decimal

import pytest
from django.db.models import Q, Sum

from reports import workflow
from reports.consolidation import consolidate
from reports.models import (
    Cell,
    ColumnType,
    QualityRule,
    ReportStatus,
    ReportTemplate,
    TableColumn,
    Unit,
    UnitType,
    VersionCell,
)
from reports.outline import freeze_template
from tests.factories import create_report, fill_report

pytestmark = pytest.mark.django_db


def approve_children(round_, parent, make_user, *, skip=(), submit_only=()):
    """Fill, submit and approve the report of every child of ``parent``.

    Children whose code is in ``skip`` get no report; in ``submit_only`` are
    submitted but not approved. Each child gets its own seed and model count.
    """
    reviewer = make_user(parent.code, "reviewer")
    reports = {}
    children = Unit.objects.filter(parent=parent, is_active=True).order_by("path")
    for seed, child in enumerate(children, start=1):
        if child.code in skip:
            continue
        staff = make_user(child.code, "staff")
        report = create_report(round_, child)
        fill_report(report, staff, seed=seed, models=seed % 4 + 1)
        workflow.submit_report(report, actor=staff)
        if child.code not in submit_only:
            workflow.approve_report(report, actor=reviewer)
        reports[child.code] = report
    return reports


@pytest.fixture
def province(demo, unit, make_user):
    parent = unit("72")
    reports = approve_children(demo, parent, make_user)
    return parent, reports


def leaf(table, code):
    return next(c for c in table.layout.leaves if c.code == code)


def table_of(result, code):
    return next(t for t in result.tables if t.table.code == code)


def approved_cells(reports, table_code, column_code):
    return VersionCell.objects.filter(
        version__in=[r.approved_version_id for r in reports],
        column__table__code=table_code,
        column__code=column_code,
    )


def summed_rate(reports, numerator, denominator):
    """Biểu 1.4: the sum of ``numerator`` × 100 / the sum of ``denominator``."""
    sums = [
        approved_cells(reports, "1.4", code).aggregate(s=Sum("num"))["s"]
        for code in (numerator, denominator)
    ]
    return (sums[0] * 100 / sums[1]).quantize(Decimal("0.01"))


def test_province_consolidates_every_district_and_member_org(province, demo):
    parent, reports = province
    result = consolidate(parent, demo)
    assert [t.table.code for t in result.tables] == [
        "1.1",
        "1.2",
        "1.3",
        "1.4",
        "1.5",
        "2",
    ]
    assert len(result.rows) == 14
    assert all(row.source == "approved" for row in result.rows)
    assert result.missing_units == []
    for row in result.rows:
        assert row.version == reports[row.unit.code].approved_version


def test_numeric_totals_equal_sums_computed_from_the_cells(province, demo):
    parent, reports = province
    result = consolidate(parent, demo)
    for table in result.tables:
        if table.table.source != "entered":
            continue
        for column in table.layout.leaves:
            if column.col_type not in ("integer", "money", "area"):
                continue
            expected = approved_cells(
                reports.values(), table.table.code, column.code
            ).aggregate(s=Sum("num"))["s"]
            assert table.total[column.pk] == Decimal(expected), column.code
            assert isinstance(table.total[column.pk], Decimal)


def test_member_orgs_appear_only_in_the_tables_their_template_has(province, demo):
    parent, reports = province
    result = consolidate(parent, demo)
    member_codes = {u.code for u in Unit.objects.filter(unit_type=UnitType.TO_CHUC)}
    for table in result.tables:
        codes = {row.unit.code for row in table.rows}
        if table.table.code == "1.5":
            assert member_codes <= codes
            assert len(codes) == 14
        else:
            assert not codes & member_codes
            assert len(codes) == 9
    # Biểu 1.5's total includes the member organisations' numbers.
    giam_sat = leaf(table_of(result, "1.5"), "giam-sat")
    member_sum = sum(
        Cell.objects.get(report=reports[code], column__code="giam-sat").num
        for code in member_codes
    )
    district_sum = sum(
        Cell.objects.get(report=r, column__code="giam-sat").num
        for code, r in reports.items()
        if code not in member_codes
    )
    assert table_of(result, "1.5").total[giam_sat.pk] == member_sum + district_sum


def test_yes_no_counts_the_yes_answers(province, demo):
    parent, reports = province
    table = table_of(consolidate(parent, demo), "1.1")
    column = leaf(table, "phat-dong-cap")
    expected = approved_cells(reports.values(), "1.1", "phat-dong-cap").filter(
        flag=True
    )
    # Odd seeds answer "có": five of the nine districts.
    assert table.total[column.pk] == expected.count() == 5
    assert [row.values[column.pk] for row in table.rows].count(True) == 5


def test_documents_list_per_row_and_count_in_total(province, demo):
    parent, reports = province
    table = table_of(consolidate(parent, demo), "1.1")
    column = leaf(table, "vb-ct10")
    expected = sum(
        len(cell.docs) for cell in approved_cells(reports.values(), "1.1", "vb-ct10")
    )
    assert table.total[column.pk] == expected == 9
    first = table.rows[0].values[column.pk]
    assert isinstance(first, list) and first[0]["number"] == "1/KH-MTTQ"


def test_percent_is_recomputed_from_summed_parts_not_summed(province, demo):
    parent, reports = province
    table = table_of(consolidate(parent, demo), "1.4")
    rate = leaf(table, "ty-le-ho")
    assert table.total[rate.pk] == summed_rate(reports.values(), "ho-dat", "tong-ho")
    summed_rates = sum(row.values[rate.pk] for row in table.rows)
    assert table.total[rate.pk] != summed_rates
    for row in table.rows:
        cells = {
            c.column.code: c.num
            for c in VersionCell.objects.filter(version=row.version).select_related(
                "column"
            )
        }
        assert row.values[rate.pk] == (
            cells["ho-dat"] * 100 / cells["tong-ho"]
        ).quantize(Decimal("0.01"))


def test_percent_is_none_when_the_denominator_is_zero(demo, unit, make_user):
    parent = unit("72")
    reviewer = make_user("72", "reviewer")
    district = unit("705")
    staff = make_user("705", "staff")
    report = create_report(demo, district)
    fill_report(report, staff)
    # No households at all (a rule keeps the part at most its whole).
    Cell.objects.filter(report=report, column__code__in=["tong-ho", "ho-dat"]).update(
        num=0
    )
    workflow.submit_report(report, actor=staff)
    workflow.approve_report(report, actor=reviewer)
    table = table_of(consolidate(parent, demo), "1.4")
    rate = leaf(table, "ty-le-ho")
    row = next(r for r in table.rows if r.unit == district)
    assert row.values[rate.pk] is None
    assert table.total[rate.pk] is None


def test_models_table_counts_models_per_content_area(province, demo):
    parent, reports = province
    table = table_of(consolidate(parent, demo), "2")
    districts = {
        code: r for code, r in reports.items() if r.unit.unit_type != "to_chuc"
    }
    for area in range(1, 6):
        column = leaf(table, f"mh-{area}")
        expected = sum(
            1
            for r in districts.values()
            for m in r.approved_version.models_data
            if m["content_area"] == f"II.1.{area}"
        )
        assert table.total[column.pk] == expected
    total_column = leaf(table, "mh-tong")
    expected_total = sum(
        len(r.approved_version.models_data) for r in districts.values()
    )
    assert table.total[total_column.pk] == expected_total
    assert expected_total == sum(seed % 4 + 1 for seed in range(1, 10))


def test_no_data_cell_is_none_and_keeps_its_note(demo, unit, make_user):
    parent = unit("72")
    reviewer = make_user("72", "reviewer")
    district = unit("705")
    staff = make_user("705", "staff")
    report = create_report(demo, district)
    fill_report(report, staff, seed=3)
    Cell.objects.filter(report=report, column__code="hien-dat").update(
        num=None, no_data=True, note="Huyện không thống kê"
    )
    workflow.submit_report(report, actor=staff)
    workflow.approve_report(report, actor=reviewer)
    table = table_of(consolidate(parent, demo), "1.2")
    column = leaf(table, "hien-dat")
    row = next(r for r in table.rows if r.unit == district)
    assert row.values[column.pk] is None
    assert row.notes[column.pk] == "Huyện không thống kê"
    assert table.total[column.pk] is None
    money = leaf(table, "tien")
    assert table.total[money.pk] == row.values[money.pk] != None  # noqa: E711


def test_a_no_data_cell_without_a_note_is_still_marked_no_data(demo, unit, make_user):
    # Stored before notes were required (or through the admin): the cell is
    # still "không có số liệu", never a silent blank.
    district = unit("705")
    staff = make_user("705", "staff")
    report = create_report(demo, district)
    fill_report(report, staff, seed=3)
    Cell.objects.filter(report=report, column__code="hien-dat").update(
        num=None, no_data=True, note="x"
    )
    workflow.submit_report(report, actor=staff)
    workflow.approve_report(report, actor=make_user("72", "reviewer"))
    VersionCell.objects.filter(version__report=report, column__code="hien-dat").update(
        note=""
    )
    table = table_of(consolidate(unit("72"), demo), "1.2")
    column = leaf(table, "hien-dat")
    row = next(r for r in table.rows if r.unit == district)
    assert row.notes[column.pk] == ""
    assert column.pk in table.partial


def test_text_total_is_attributed_to_each_unit(demo, unit, make_user):
    parent = unit("72")
    column = TableColumn.objects.get(
        table__template__code="huyen", table__code="1.5", code="giam-sat"
    )
    # Turn a column into free text to check the rule (templates are data).
    for template_code in ("huyen", "tinh", "to-chuc"):
        TableColumn.objects.filter(
            table__template__code=template_code, table__code="1.5", code="giam-sat"
        ).update(col_type=ColumnType.TEXT)
    # The quality rules that read it as a number go with it.
    QualityRule.objects.filter(
        Q(expression__contains="giam-sat") | Q(condition__contains="giam-sat")
    ).delete()
    approve_children(demo, parent, make_user, skip=_all_but(parent, {"705", "703"}))
    table = table_of(consolidate(parent, demo), "1.5")
    column = leaf(table, "giam-sat")
    assert table.total[column.pk] == (
        "Thành phố Tây Ninh: Ghi chú 1\nHuyện Tân Biên: Ghi chú 2"
    )


def _all_but(parent, keep):
    return set(
        Unit.objects.filter(parent=parent)
        .exclude(code__in=keep)
        .values_list("code", flat=True)
    )


def test_missing_and_submitted_children(demo, unit, make_user):
    parent = unit("72")
    reports = approve_children(
        demo,
        parent,
        make_user,
        skip={"709", "72-HND"},
        submit_only={"705"},
    )
    result = consolidate(parent, demo)
    by_code = {row.unit.code: row for row in result.rows}
    assert by_code["705"].source == "missing"
    assert by_code["705"].version is None
    assert {u.code for u in result.missing_units} == {"705", "709", "72-HND"}
    table = table_of(result, "1.2")
    column = leaf(table, "ngay-cong")
    approved = [r for code, r in reports.items() if code != "705"]
    assert (
        table.total[column.pk]
        == approved_cells(approved, "1.2", "ngay-cong").aggregate(s=Sum("num"))["s"]
    )
    assert next(r for r in table.rows if r.unit.code == "709").values[column.pk] is None

    with_submitted = consolidate(parent, demo, include_submitted=True)
    row = next(r for r in with_submitted.rows if r.unit.code == "705")
    assert row.source == "submitted"
    assert row.version == reports["705"].versions.get()
    assert reports["705"].status == ReportStatus.SUBMITTED
    table = table_of(with_submitted, "1.2")
    expected = VersionCell.objects.filter(
        version__report__in=reports.values(), column__code="ngay-cong"
    ).aggregate(s=Sum("num"))["s"]
    assert table.total[column.pk] == expected
    assert {u.code for u in with_submitted.missing_units} == {"709", "72-HND"}


def test_resubmitted_approved_report_uses_approved_unless_switch_on(
    demo, unit, make_user
):
    parent = unit("72")
    reports = approve_children(demo, parent, make_user, skip=_all_but(parent, {"705"}))
    report = reports["705"]
    reviewer = make_user("72", "reviewer")
    staff = make_user("705", "staff")
    approved = report.approved_version
    workflow.reopen_report(report, actor=reviewer, reason="Sửa số liệu")
    Cell.objects.filter(report=report, column__code="ngay-cong").update(num=99999)
    workflow.submit_report(report, actor=staff)
    table = table_of(consolidate(parent, demo), "1.2")
    column = leaf(table, "ngay-cong")
    row = next(r for r in table.rows if r.unit.code == "705")
    assert (row.version, row.source) == (approved, "approved")
    assert table.total[column.pk] != Decimal(99999)
    table = table_of(consolidate(parent, demo, include_submitted=True), "1.2")
    row = next(r for r in table.rows if r.unit.code == "705")
    assert (row.version.number, row.source) == (2, "submitted")
    assert table.total[column.pk] == Decimal(99999)


def test_district_consolidates_its_communes(demo, unit, make_user):
    district = unit("705")
    reports = approve_children(demo, district, make_user, skip={"25501"})
    result = consolidate(district, demo)
    assert len(result.rows) == 10
    assert result.level_name == "huyện"  # the district's own form
    assert {u.code for u in result.missing_units} == {"25501"}
    table = table_of(result, "1.3")
    column = leaf(table, "nha-moi-can")
    expected = approved_cells(reports.values(), "1.3", "nha-moi-can").aggregate(
        s=Sum("num")
    )["s"]
    assert table.total[column.pk] == expected
    header = [cell.label for row in table_of(result, "1.1").layout.rows for cell in row]
    assert "Cấp huyện" in header and "Cấp xã" not in header


def test_query_count_does_not_grow_with_children(
    demo, unit, make_user, django_assert_num_queries
):
    parent = unit("72")
    everyone = _all_but(parent, set())
    few = {"703", "705"}
    approve_children(demo, parent, make_user, skip=everyone - few)
    # Children, reports, versions, templates, tables, columns, cells.
    with django_assert_num_queries(7):
        small = consolidate(parent, demo)
    with django_assert_num_queries(7):
        consolidate(parent, demo, include_submitted=True)
    assert sum(1 for row in small.rows if row.version) == 2
    member_orgs = {"72-HND", "72-HLHPN", "72-TD", "72-LDLD", "72-HCCB"}
    approve_children(demo, parent, make_user, skip=few | member_orgs)
    with django_assert_num_queries(7):
        large = consolidate(parent, demo)
    assert sum(1 for row in large.rows if row.version) == 9
    # Reading what the page and the exports print costs nothing more.
    with django_assert_num_queries(0):
        for row in (row for row in large.rows if row.version):
            assert row.unit.level.name and row.report.unit == row.unit
            assert row.version.number and row.version.models_data is not None
            assert row.version.report.status


def test_template_edits_show_at_once_frozen_or_not(
    demo, unit, make_user, django_assert_num_queries
):
    parent = unit("72")
    approve_children(demo, parent, make_user, skip=_all_but(parent, {"703", "705"}))
    province_template = ReportTemplate.objects.get(
        round=demo, code="tinh", is_current=True
    )
    assert province_template.frozen_at is None
    first = leaf(table_of(consolidate(parent, demo), "1.1"), "vb-ct10")
    # An admin edits the template that is still open: the next consolidation
    # shows the edit.
    TableColumn.objects.filter(pk=first.pk).update(label="Nhãn đã sửa")
    edited = table_of(consolidate(parent, demo), "1.1")
    assert leaf(edited, "vb-ct10").label == "Nhãn đã sửa"

    # Frozen (every kind of unit has submitted): nothing is kept between calls,
    # the same queries run and a change made in the database shows.
    for template in ReportTemplate.objects.filter(round=demo, is_current=True):
        freeze_template(template)
    TableColumn.objects.filter(pk=first.pk).update(label="Nhãn sửa lần hai")
    with django_assert_num_queries(7):
        again = consolidate(parent, demo)
    assert leaf(table_of(again, "1.1"), "vb-ct10").label == "Nhãn sửa lần hai"
    assert [row.source for row in again.rows].count("approved") == 2


# --- Partial totals, "no data" percentages, Biểu 2, rows without a version -------

NUMERIC_TYPES = ("integer", "money", "area")


def numeric_leaves(table):
    return {c.pk for c in table.layout.leaves if c.col_type in NUMERIC_TYPES}


def test_totals_over_every_row_are_not_partial(province, demo):
    parent, _reports = province
    for table in consolidate(parent, demo).tables:
        assert table.partial == set(), table.table.code


def test_a_child_without_an_approved_report_makes_every_numeric_total_partial(
    demo, unit, make_user
):
    parent = unit("72")
    approve_children(demo, parent, make_user, skip={"709"}, submit_only={"705"})
    result = consolidate(parent, demo)
    for code in ("1.2", "1.3", "1.4", "2"):
        table = table_of(result, code)
        assert numeric_leaves(table) <= table.partial, code
        # The total still adds up the rows that have figures.
        some = next(iter(numeric_leaves(table)))
        assert table.total[some] == sum(
            row.values[some] for row in table.rows if not row.is_missing
        )
    # Yes/no and document counts are counts, not figures left partial.
    assert table_of(result, "1.1").partial == set()
    # Member organisations answered Biểu 1.5: nothing left out there.
    assert table_of(result, "1.5").partial == {
        c.pk
        for c in table_of(result, "1.5").layout.leaves
        if c.col_type in (*NUMERIC_TYPES, "percent")
    }


def test_a_no_data_or_empty_cell_makes_only_its_column_partial(demo, unit, make_user):
    parent = unit("72")
    reviewer = make_user("72", "reviewer")
    staff = make_user("705", "staff")
    approve_children(demo, parent, make_user, skip={"705"})
    report = create_report(demo, unit("705"))
    fill_report(report, staff, seed=3)
    Cell.objects.filter(report=report, column__code="hien-dat").update(
        num=None, no_data=True, note="Huyện không thống kê"
    )
    # Templates are data: a column left optional may be submitted empty.
    TableColumn.objects.filter(
        table__template=report.template, code="ngay-cong"
    ).update(required=False)
    Cell.objects.filter(report=report, column__code="ngay-cong").update(num=None)
    workflow.submit_report(report, actor=staff)
    workflow.approve_report(report, actor=reviewer)
    table = table_of(consolidate(parent, demo), "1.2")
    assert table.partial == {
        leaf(table, "hien-dat").pk,
        leaf(table, "ngay-cong").pk,
    }
    others = [r for r in table.rows if r.unit.code != "705"]
    assert table.total[leaf(table, "hien-dat").pk] == sum(
        r.values[leaf(table, "hien-dat").pk] for r in others
    )


def test_a_no_data_numerator_leaves_the_row_and_total_percentage_blank(
    province, demo, unit, make_user
):
    parent, reports = province
    report = reports["705"]
    reviewer = make_user("72", "reviewer")
    staff = make_user("705", "staff")
    workflow.reopen_report(report, actor=reviewer, reason="Sửa số liệu")
    Cell.objects.filter(report=report, column__code="ho-dat").update(
        num=None, no_data=True, note="Chưa điều tra"
    )
    workflow.submit_report(report, actor=staff)
    workflow.approve_report(report, actor=reviewer)
    table = table_of(consolidate(parent, demo), "1.4")
    rate, households = leaf(table, "ty-le-ho"), leaf(table, "tong-ho")
    row = next(r for r in table.rows if r.unit.code == "705")
    # The denominator is there; dividing the other rows' sum by it would mislead.
    assert row.values[households.pk] is not None
    assert row.values[rate.pk] is None
    assert table.total[rate.pk] is None
    assert rate.pk in table.partial
    others = [r for r in table.rows if r.unit.code != "705"]
    assert all(r.values[rate.pk] is not None for r in others)
    # The other rate of the table is untouched.
    assert table.total[leaf(table, "ty-le-kdc").pk] is not None


def test_a_missing_child_keeps_the_total_percentage_of_those_who_reported(
    demo, unit, make_user
):
    parent = unit("72")
    reports = approve_children(demo, parent, make_user, skip={"709"})
    table = table_of(consolidate(parent, demo), "1.4")
    rate = leaf(table, "ty-le-ho")
    assert table.total[rate.pk] == summed_rate(reports.values(), "ho-dat", "tong-ho")
    assert rate.pk in table.partial


def test_models_total_column_counts_every_model_whether_star_or_blank(province, demo):
    parent, reports = province
    districts = [r for r in reports.values() if r.unit.unit_type != "to_chuc"]
    every_model = sum(len(r.approved_version.models_data) for r in districts)
    table = table_of(consolidate(parent, demo), "2")
    star = leaf(table, "mh-tong")
    assert star.source_key == "*"
    assert table.total[star.pk] == every_model
    for row in table.rows:
        assert row.values[star.pk] == len(row.version.models_data)
    # Templates are data: a total column whose key was left blank counts all too.
    TableColumn.objects.filter(pk=star.pk).update(source_key="")
    table = table_of(consolidate(parent, demo), "2")
    assert table.total[leaf(table, "mh-tong").pk] == every_model


def test_a_submitted_but_unapproved_child_row_is_missing_but_keeps_its_report(
    demo, unit, make_user
):
    parent = unit("72")
    reports = approve_children(
        demo, parent, make_user, skip={"709"}, submit_only={"705"}
    )
    rows = {row.unit.code: row for row in consolidate(parent, demo).rows}
    assert rows["705"].is_missing and rows["705"].version is None
    assert rows["705"].report == reports["705"]
    assert rows["705"].report.status == ReportStatus.SUBMITTED
    # No report at all: nothing to name.
    assert rows["709"].is_missing and rows["709"].report is None
    for table in consolidate(parent, demo).tables:
        row = next(r for r in table.rows if r.unit.code == "705")
        assert row.report.status == ReportStatus.SUBMITTED
