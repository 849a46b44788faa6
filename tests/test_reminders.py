import datetime as dt
import zoneinfo
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from reports import workflow
from reports.models import Extension, ReminderLog
from reports.reminders import due_reminders, parse_steps, step_key
from tests.factories import create_report, fill_report

pytestmark = pytest.mark.django_db
HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
DISTRICTS_AND_ORGS = 14


def run(*args):
    out = StringIO()
    call_command("send_deadline_reminders", *args, stdout=out)
    return out.getvalue()


def codes(reminders):
    return {r.unit.code for r in reminders}


def test_steps_are_read_from_the_setting_form():
    assert parse_steps("-5,-2,+1") == [-5, -2, 1]
    assert parse_steps(" +1 , -5,,-5") == [-5, 1]
    assert [step_key(s) for s in (-5, -2, 0, 1)] == [
        "before-5",
        "before-2",
        "due-day",
        "after-1",
    ]
    with pytest.raises(ValueError, match="không phải số ngày"):
        parse_steps("-5,hai")


def test_steps_fall_on_their_days_relative_to_each_units_deadline(demo):
    steps = [-5, -2, 1]
    # Districts and member organisations are due 15/12, communes 30/11.
    on_10th = due_reminders(demo, dt.date(2020, 12, 10), steps)
    assert len(on_10th) == DISTRICTS_AND_ORGS
    assert {r.step for r in on_10th} == {"before-5"}
    assert {r.step for r in due_reminders(demo, dt.date(2020, 12, 13), steps)} == {
        "before-2"
    }
    assert {r.step for r in due_reminders(demo, dt.date(2020, 12, 16), steps)} == {
        "after-1"
    }
    assert due_reminders(demo, dt.date(2020, 12, 11), steps) == []
    communes = due_reminders(demo, dt.date(2020, 11, 25), steps)
    assert len(communes) == 94 and "25489" in codes(communes)
    # The province itself is due 31/01/2021.
    assert codes(due_reminders(demo, dt.date(2021, 1, 26), steps)) == {"72"}


def test_only_units_that_have_not_submitted_are_reminded(
    demo, make_user, unit, monkeypatch
):
    reviewer = make_user("72", "reviewer")
    submitted = {}
    for code in ("705", "703", "707"):
        staff = make_user(code, "staff")
        submitted[code] = fill_report(create_report(demo, unit(code)), staff)
        monkeypatch.setattr(
            timezone, "now", lambda: dt.datetime(2020, 12, 8, tzinfo=HCM)
        )
        workflow.submit_report(submitted[code], actor=staff)
    workflow.return_report(submitted["703"], actor=reviewer, reason="Bổ sung")
    workflow.approve_report(submitted["707"], actor=reviewer)
    create_report(demo, unit("706"))  # a draft
    got = codes(due_reminders(demo, dt.date(2020, 12, 10), [-5]))
    assert "705" not in got and "707" not in got
    assert {"703", "706", "708"} <= got


def test_dry_run_lists_and_sends_nothing(demo):
    out = run("--today", "2020-12-10")
    assert "CHẠY THỬ" in out
    assert "705 Huyện Tân Biên – before-5 – hạn 15/12/2020" in out
    assert "tanbien@example.invalid" in out
    assert "Chạy thử: không gửi thư nào" in out
    assert mail.outbox == []
    assert not ReminderLog.objects.exists()


def test_send_mails_logs_and_never_sends_a_step_twice(demo):
    out = run("--send", "--today", "2020-12-10")
    logs = ReminderLog.objects.filter(step="before-5")
    # Only units with staff holding an e-mail get one: 705 and the Farmers' union.
    assert set(logs.values_list("unit__code", flat=True)) == {"705", "72-HND"}
    assert len(mail.outbox) == 2
    message = next(m for m in mail.outbox if m.to == ["tanbien@example.invalid"])
    assert "hạn 15/12/2020" in message.subject
    assert "còn 5 ngày" in message.body and "Huyện Tân Biên" in message.body
    assert "Đã gửi 705" in out and "không có cán bộ nào có e-mail" in out
    log = logs.get(unit__code="705")
    assert log.recipients == "tanbien@example.invalid"
    assert log.subject == message.subject and log.due_date == dt.date(2020, 12, 15)
    out = run("--send", "--today", "2020-12-10")
    assert len(mail.outbox) == 2
    assert "Đã gửi 0 thư nhắc" in out
    assert ReminderLog.objects.count() == 2


def test_users_without_email_are_skipped_and_named(demo, make_user):
    make_user("705", "staff", username="khong.email")
    make_user("705", "staff", username="co.email", email="co.email@example.invalid")
    out = run("--send", "--today", "2020-12-13")
    assert "Bỏ qua người dùng khong.email của 705 (không có e-mail)" in out
    message = next(m for m in mail.outbox if "tanbien@example.invalid" in m.to)
    assert message.to == ["co.email@example.invalid", "tanbien@example.invalid"]


def test_extension_moves_the_steps_to_the_new_date(demo, make_user, unit):
    Extension.objects.create(
        round=demo,
        unit=unit("705"),
        new_date=dt.date(2020, 12, 22),
        reason="Bão lũ",
        granted_by=make_user("72", "reviewer"),
    )
    assert "705" not in codes(due_reminders(demo, dt.date(2020, 12, 10), [-5]))
    extended = due_reminders(demo, dt.date(2020, 12, 17), [-5])
    assert codes(extended) == {"705"}
    assert extended[0].deadline.is_extended


def test_round_steps_and_today_options(demo, settings):
    with pytest.raises(CommandError, match="Không có đợt"):
        run("--round", "khong-co")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("--today", "10/12/2020")
    settings.REMINDER_STEPS = "-3"
    assert "705 Huyện Tân Biên – before-3" in run(
        "--round", "so-ket-2016-2020", "--today", "2020-12-12"
    )
    with pytest.raises(CommandError, match="không phải số ngày"):
        run("--steps", "x")


# The cockpit's "Nhắc nhở" action.


def test_reviewer_reminds_selected_units_once_a_day(client, demo, make_user, unit):
    reviewer = make_user("72", "reviewer")
    client.force_login(reviewer)
    url = reverse("reminder_send")
    ids = [unit("705").pk, unit("72-HND").pk]
    response = client.post(url, {"units": ids}, follow=True)
    assert response.status_code == 200
    today = timezone.localdate()
    logs = ReminderLog.objects.filter(step=f"manual-{today.isoformat()}")
    assert set(logs.values_list("unit__code", flat=True)) == {"705", "72-HND"}
    assert all(log.sent_by == reviewer for log in logs)
    assert len(mail.outbox) == 2
    assert "Đã gửi nhắc nhở tới 2 đơn vị" in response.content.decode()
    response = client.post(url, {"units": ids}, follow=True)
    assert len(mail.outbox) == 2
    assert "đã được nhắc hôm nay" in response.content.decode()


def test_manual_reminder_skips_units_that_submitted(client, demo, make_user, unit):
    staff = make_user("705", "staff")
    workflow.submit_report(
        fill_report(create_report(demo, unit("705")), staff), actor=staff
    )
    client.force_login(make_user("72", "reviewer"))
    response = client.post(
        reverse("reminder_send"), {"units": [unit("705").pk]}, follow=True
    )
    assert mail.outbox == []
    assert "Bỏ qua 1 đơn vị đã nộp báo cáo" in response.content.decode()


def test_manual_reminder_outside_the_reviewers_units_is_404(
    client, demo, make_user, unit
):
    client.force_login(make_user("705", "reviewer"))
    response = client.post(
        reverse("reminder_send"), {"units": [unit("25489").pk, unit("25456").pk]}
    )
    assert response.status_code == 404
    assert mail.outbox == [] and not ReminderLog.objects.exists()


def test_manual_reminder_is_post_only_and_for_reviewers(client, demo, make_user, unit):
    url = reverse("reminder_send")
    assert client.post(url, {"units": [unit("705").pk]}).status_code == 302  # login
    client.force_login(make_user("705", "staff"))
    assert client.post(url, {"units": [unit("705").pk]}).status_code == 403
    client.force_login(make_user("72", "reviewer"))
    assert client.get(url).status_code == 405
    response = client.post(url, {}, follow=True)
    assert "Chọn ít nhất một đơn vị để nhắc." in response.content.decode()
    assert mail.outbox == []
