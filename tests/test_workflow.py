import pytest

from reports import workflow
from reports.models import ReportEvent, ReportStatus, VersionCell
from tests.factories import create_report, fill_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def district(demo, unit, make_user):
    staff = make_user("705", "staff")
    reviewer = make_user("72", "reviewer")
    report = create_report(demo, unit("705"))
    return report, staff, reviewer


def test_incomplete_report_cannot_be_submitted(district):
    report, staff, _ = district
    with pytest.raises(workflow.SubmitBlocked) as info:
        workflow.submit_report(report, actor=staff)
    anchors = {item.anchor for item in info.value.items}
    assert "section-I.1" in anchors and "models" in anchors and "attachments" in anchors
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    assert not report.versions.exists()


def test_submit_freezes_a_version_and_the_template(district):
    report, staff, _ = district
    fill_report(report, staff)
    version = workflow.submit_report(report, actor=staff)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert report.submitted_at == version.created_at
    assert version.number == 1
    assert version.answers["II.1.1"]["shortcomings"].startswith("Hạn chế")
    assert len(version.models_data) == 1
    assert VersionCell.objects.filter(version=version).count() == report.cells.count()
    assert report.template.frozen_at is not None
    event = ReportEvent.objects.get(report=report)
    assert (event.from_status, event.to_status, event.actor) == (
        "draft",
        "submitted",
        staff,
    )


def test_full_cycle_return_resubmit_approve_reopen(district):
    report, staff, reviewer = district
    fill_report(report, staff)
    workflow.submit_report(report, actor=staff)
    with pytest.raises(workflow.TransitionNotAllowed, match="lý do"):
        workflow.return_report(report, actor=reviewer, reason="  ")
    workflow.return_report(report, actor=reviewer, reason="Bổ sung số liệu Biểu 1.2")
    assert report.status == ReportStatus.RETURNED
    second = workflow.submit_report(report, actor=staff)
    assert second.number == 2
    workflow.approve_report(report, actor=reviewer)
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED
    assert report.approved_version == second
    workflow.reopen_report(report, actor=reviewer, reason="Sửa số liệu")
    assert report.status == ReportStatus.REOPENED
    report.refresh_from_db()
    assert report.approved_version == second
    actions = list(report.events.values_list("action", flat=True))
    assert actions == ["submit", "return", "submit", "approve", "reopen"]


def test_staff_cannot_approve_and_reviewer_cannot_submit(district):
    report, staff, reviewer = district
    fill_report(report, staff)
    with pytest.raises(workflow.TransitionNotAllowed, match="không có quyền"):
        workflow.submit_report(report, actor=reviewer)
    workflow.submit_report(report, actor=staff)
    with pytest.raises(workflow.TransitionNotAllowed, match="không có quyền"):
        workflow.approve_report(report, actor=staff)
    assert workflow.allowed_transitions(report, reviewer) == ["return", "approve"]
    assert workflow.allowed_transitions(report, staff) == []


def test_acting_on_a_stale_page_is_refused(district):
    report, staff, reviewer = district
    fill_report(report, staff)
    workflow.submit_report(report, actor=staff)
    workflow.approve_report(report, actor=reviewer, expected_status="submitted")
    # The same approval again says what already happened.
    with pytest.raises(workflow.AlreadyDone, match="đã được duyệt lúc"):
        workflow.approve_report(report, actor=reviewer, expected_status="submitted")
    # Another action on the page loaded before the approval is refused.
    with pytest.raises(workflow.TransitionNotAllowed, match="đã chuyển sang"):
        workflow.return_report(
            report, actor=reviewer, reason="Sửa", expected_status="submitted"
        )
