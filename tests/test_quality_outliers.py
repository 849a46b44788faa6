"""Outliers against peers ("cần kiểm tra lại", never blocking) and explanations
frozen with the submitted version."""

from decimal import Decimal

import pytest

from reports import workflow
from reports.models import ReportStatus, Unit, VersionFlag
from reports.quality import check, outliers
from tests.factories import create_report, fill_report
from tests.quality_helpers import set_cell, submit_districts

pytestmark = pytest.mark.django_db

D = Decimal


def test_quartiles_and_fence_of_a_known_distribution():
    values = [D(n) for n in range(1, 10)]
    assert outliers.quartiles(values) == (D(3), D(7))
    # IQR 4, fence 1,5 × 4 = 6 on each side.
    assert outliers.fence(values) == (D(-3), D(13))
    assert outliers.quartiles([D(1), D(2), D(3), D(4)]) == (D("1.75"), D("3.25"))
    assert outliers.fence([D(1), D(2), D(3)]) is None, "too few peers"


@pytest.fixture
def peers(demo, make_user):
    """The 8 district-level units of Tây Ninh but Tân Biên, submitted."""
    districts = submit_districts(demo, make_user)
    # A member organisation answers another template: never a district's peer.
    staff = make_user("72-HND", "staff")
    org = fill_report(create_report(demo, Unit.objects.get(code="72-HND")), staff)
    workflow.submit_report(org, actor=staff)
    return districts


@pytest.fixture
def tan_bien(demo, unit, make_user):
    staff = make_user("705", "staff")
    return fill_report(create_report(demo, unit("705")), staff, seed=5), staff


def _outliers(report):
    return {f.key: f for f in check.draft_flags(report) if f.kind == "outlier"}


def test_a_figure_far_from_the_other_districts_is_flagged_with_their_range(
    peers, tan_bien
):
    report, _staff = tan_bien
    assert _outliers(report) == {}, "seed 5 sits among seeds 2..9"
    peer_values = outliers.peer_values(report)[("1.2", "tien")]
    assert len(peer_values) == 8 == peers.count()

    set_cell(report, "tien", num=D("50000"))
    flag = _outliers(report)["outlier:1.2:tien"]
    low, high = outliers.fence(peer_values)
    assert (flag.peer_low, flag.peer_high, flag.peer_count) == (max(low, 0), high, 8)
    assert flag.message.startswith("Cần kiểm tra lại: 50.000 khác xa")
    assert "8 đơn vị" in flag.message
    assert not flag.blocking
    assert flag.anchor == "cell-1.2-tien"


def test_no_data_is_never_an_outlier_nor_a_peers_figure(
    demo, peers, tan_bien, make_user
):
    report, _staff = tan_bien
    set_cell(report, "tien", num=None, no_data=True, note="Chưa thống kê")
    assert "outlier:1.2:tien" not in _outliers(report)
    # A peer marking "no data" is left out of the distribution, not taken as 0.
    first = peers.order_by("code").first()
    VersionCell = first.reports.get().versions.get().cells
    VersionCell.filter(column__code="tien").update(num=None, no_data=True)
    assert len(outliers.peer_values(report)[("1.2", "tien")]) == 7


def test_an_outlier_never_blocks_and_its_explanation_travels_with_the_version(
    peers, tan_bien, unit, make_user
):
    report, staff = tan_bien
    set_cell(report, "tien", num=D("50000"))
    key = "outlier:1.2:tien"
    check.explain(report, key, "  Năm 2020 có   dự án đường liên xã lớn ", actor=staff)
    first = workflow.submit_report(report, actor=staff)
    assert report.status == ReportStatus.SUBMITTED
    frozen = VersionFlag.objects.get(version=first, key=key)
    assert frozen.explanation == "Năm 2020 có dự án đường liên xã lớn"
    assert frozen.peer_count == 8 and frozen.cells == ["cell-1.2-tien"]

    reviewer = make_user("72", "reviewer")
    workflow.return_report(report, actor=reviewer, reason="Xem lại Biểu 1.2")
    check.explain(report, key, "Đã đối chiếu sổ sách", actor=staff)
    second = workflow.submit_report(report, actor=staff)
    frozen.refresh_from_db()
    assert frozen.explanation == "Năm 2020 có dự án đường liên xã lớn"
    assert second.quality_flags.get(key=key).explanation == "Đã đối chiếu sổ sách"


def test_a_blocking_rule_is_not_explained_away(tan_bien):
    report, staff = tan_bien
    set_cell(report, "xa-ntm-nc", num=D(999))
    check.explain(report, "rule:1.2:ntm-nang-cao", "Đúng như vậy", actor=staff)
    [flag] = [f for f in check.draft_flags(report) if f.blocking]
    assert flag.explanation == ""
    with pytest.raises(workflow.SubmitBlocked):
        workflow.submit_report(report, actor=staff)
