"""Every state × every action × every role: who may move a report where."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from reports import workflow
from reports.models import ReopenRequest, ReportEvent, ReportStatus
from tests.factories import create_report, fill_report

pytestmark = pytest.mark.django_db

S = ReportStatus
ROLES = [
    "anonymous",
    "unit_staff",
    "other_staff",
    "district_reviewer",
    "provincial_reviewer",
    "admin",
]
STATES = [
    "draft",
    "submitted",
    "returned",
    "approved",
    "approved_with_request",
    "reopened",
]
ACTIONS = [
    "submit",
    "return",
    "approve",
    "reopen",
    "request_reopen",
    "accept_reopen",
    "refuse_reopen",
]

# (action, state) -> (the one role allowed, the status it leads to). Everything
# not listed is refused for every role.
ALLOWED = {
    ("submit", "draft"): ("unit_staff", S.SUBMITTED),
    ("submit", "returned"): ("unit_staff", S.SUBMITTED),
    ("submit", "reopened"): ("unit_staff", S.SUBMITTED),
    ("return", "submitted"): ("provincial_reviewer", S.RETURNED),
    ("approve", "submitted"): ("provincial_reviewer", S.APPROVED),
    ("reopen", "approved"): ("provincial_reviewer", S.REOPENED),
    ("reopen", "approved_with_request"): ("provincial_reviewer", S.REOPENED),
    ("request_reopen", "approved"): ("unit_staff", S.APPROVED),
    ("accept_reopen", "approved_with_request"): ("provincial_reviewer", S.REOPENED),
    ("refuse_reopen", "approved_with_request"): ("provincial_reviewer", S.APPROVED),
}


@pytest.fixture
def people(demo, make_user):
    return {
        "anonymous": AnonymousUser(),
        "unit_staff": make_user("705", "staff"),
        "other_staff": make_user("703", "staff"),
        # A reviewer at the district itself: the district's own report is not
        # theirs to review.
        "district_reviewer": make_user("705", "reviewer"),
        "provincial_reviewer": make_user("72", "reviewer"),
        "admin": make_user("72", "admin"),
    }


def reach(state, report, people):
    """Bring ``report`` to ``state`` through the workflow verbs."""
    staff, reviewer = people["unit_staff"], people["provincial_reviewer"]
    fill_report(report, staff)
    if state == "draft":
        return
    workflow.submit_report(report, actor=staff)
    if state == "returned":
        workflow.return_report(report, actor=reviewer, reason="Bổ sung số liệu")
    elif state in ("approved", "approved_with_request", "reopened"):
        workflow.approve_report(report, actor=reviewer)
        if state == "approved_with_request":
            workflow.request_reopen(report, actor=staff, reason="Sai số liệu")
        elif state == "reopened":
            workflow.reopen_report(report, actor=reviewer, reason="Sửa số liệu")


def act(action, report, user):
    match action:
        case "submit":
            workflow.submit_report(report, actor=user)
        case "return":
            workflow.return_report(report, actor=user, reason="Lý do trả lại")
        case "approve":
            workflow.approve_report(report, actor=user)
        case "reopen":
            workflow.reopen_report(report, actor=user, reason="Mở lại")
        case "request_reopen":
            workflow.request_reopen(report, actor=user, reason="Đề nghị")
        case "accept_reopen":
            workflow.decide_reopen(report, actor=user, accept=True)
        case "refuse_reopen":
            workflow.decide_reopen(report, actor=user, accept=False, note="Không")


# What ``allowed_transitions`` names each action (accepting a request reopens).
BUTTON = {"accept_reopen": "reopen"}


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", ACTIONS)
def test_every_role_in_every_state(action, state, demo, unit, people):
    report = create_report(demo, unit("705"))
    reach(state, report, people)
    start = report.status
    allowed_role, target = ALLOWED.get((action, state), (None, None))
    for role in ROLES:
        if role == allowed_role:
            continue
        events = ReportEvent.objects.filter(report=report).count()
        user = people[role]
        # (Accepting shares the "reopen" button, which a reviewer has anyway.)
        if user.is_authenticated and action != "accept_reopen":
            assert action not in workflow.allowed_transitions(report, user)
        with pytest.raises(workflow.TransitionNotAllowed):
            act(action, report, user)
        report.refresh_from_db()
        assert report.status == start, (role, action, state)
        assert ReportEvent.objects.filter(report=report).count() == events
    if allowed_role is None:
        return
    user = people[allowed_role]
    assert BUTTON.get(action, action) in workflow.allowed_transitions(report, user)
    events = ReportEvent.objects.filter(report=report).count()
    act(action, report, user)
    report.refresh_from_db()
    assert report.status == target
    event = ReportEvent.objects.filter(report=report).latest("created_at", "pk")
    assert ReportEvent.objects.filter(report=report).count() == events + 1
    assert (event.from_status, event.to_status, event.actor) == (start, target, user)


def test_district_reviewer_reviews_a_commune_but_not_another_districts(
    demo, unit, make_user
):
    commune_staff = make_user("25489", "staff")  # Xã Tân Lập, Huyện Tân Biên
    tan_bien_reviewer = make_user("705", "reviewer")
    city_reviewer = make_user("703", "reviewer")
    report = create_report(demo, unit("25489"))
    fill_report(report, commune_staff)
    workflow.submit_report(report, actor=commune_staff)
    assert workflow.allowed_transitions(report, city_reviewer) == []
    with pytest.raises(workflow.TransitionNotAllowed, match="không có quyền"):
        workflow.approve_report(report, actor=city_reviewer)
    with pytest.raises(workflow.TransitionNotAllowed, match="không có quyền"):
        workflow.approve_report(report, actor=commune_staff)
    workflow.approve_report(report, actor=tan_bien_reviewer)
    assert report.status == S.APPROVED


def test_nobody_approves_their_own_units_report(demo, unit, make_user):
    # Staff of the district who is also a provincial reviewer.
    both = make_user("705", "staff")
    from reports.models import Membership

    Membership.objects.create(user=both, unit=unit("72"), role="reviewer")
    report = create_report(demo, unit("705"))
    fill_report(report, both)
    workflow.submit_report(report, actor=both)
    assert workflow.allowed_transitions(report, both) == []
    with pytest.raises(workflow.TransitionNotAllowed, match="không có quyền"):
        workflow.approve_report(report, actor=both)


def test_inactive_reviewer_can_do_nothing(demo, unit, make_user):
    staff = make_user("705", "staff")
    reviewer = make_user("72", "reviewer", is_active=False)
    report = create_report(demo, unit("705"))
    fill_report(report, staff)
    workflow.submit_report(report, actor=staff)
    with pytest.raises(workflow.TransitionNotAllowed):
        workflow.approve_report(report, actor=reviewer)


def test_anonymous_is_sent_to_login_for_every_review_action(client, demo, unit):
    report = create_report(demo, unit("705"))
    for name in ["review_action", "review_comment", "reopen_request"]:
        response = client.post(reverse(name, args=[report.pk]), {"action": "approve"})
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    assert not ReopenRequest.objects.exists()


def test_a_stranger_replaying_a_form_learns_nothing_of_what_happened(
    demo, unit, people
):
    report = create_report(demo, unit("705"))
    reach("approved", report, people)
    with pytest.raises(workflow.TransitionNotAllowed) as info:
        workflow.approve_report(
            report, actor=people["other_staff"], expected_status="submitted"
        )
    assert not isinstance(info.value, workflow.AlreadyDone)
    assert "không có quyền" in str(info.value)
