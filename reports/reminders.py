"""Deadline reminders: who is due one today, composing and sending it, the log.

Steps are days relative to a unit's effective deadline (``settings.REMINDER_STEPS``,
"-5,-2,+1" = 5 and 2 days before, 1 day after). A step is due on exactly that day
(the command runs daily; a missed day is sent later with ``--today``). Only units
that have not submitted (no report, a draft, returned or reopened) are reminded.
``ReminderLog`` holds one row per (round, unit, step), so a step is never sent
twice; an extension does not reset the steps already sent.

Manual reminders from the cockpit use the step "manual-<yyyy-mm-dd>": at most one
per unit and day, so a double click or a second reviewer does not mail twice.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Membership, ReminderLog, Role, Unit
from .timeliness import timeliness_for


def parse_steps(text):
    """Day offsets from "-5,-2,+1"; ValueError with a readable message if bad."""
    steps = []
    for part in str(text).split(","):
        part = part.strip()
        if not part:
            continue
        try:
            steps.append(int(part))
        except ValueError as exc:
            raise ValueError(
                _("Bước nhắc “%(part)s” không phải số ngày (ví dụ: -5,-2,+1).")
                % {"part": part}
            ) from exc
    return sorted(set(steps))


def step_key(offset):
    if offset < 0:
        return f"before-{-offset}"
    if offset > 0:
        return f"after-{offset}"
    return "due-day"


def manual_step(today):
    return f"manual-{today.isoformat()}"


@dataclass
class Reminder:
    unit: Unit
    step: str
    item: object
    recipients: list = field(default_factory=list)
    without_email: list = field(default_factory=list)

    @property
    def deadline(self):
        return self.item.deadline


def _with_recipients(round_, items, step_of):
    """Reminders for ``items`` with their staff's addresses (two queries)."""
    ids = [item.unit.pk for item in items]
    units = {u.pk: u for u in Unit.objects.filter(pk__in=ids)}
    staff = defaultdict(list)
    memberships = Membership.objects.filter(
        unit__in=ids, role=Role.STAFF, user__is_active=True
    ).select_related("user")
    for membership in memberships.order_by("user__username"):
        staff[membership.unit_id].append(membership.user)
    reminders = []
    for item in items:
        users = staff[item.unit.pk]
        reminders.append(
            Reminder(
                unit=units[item.unit.pk],
                step=step_of(item),
                item=item,
                recipients=[u.email for u in users if u.email],
                without_email=[u.username for u in users if not u.email],
            )
        )
    return reminders


def due_reminders(round_, today, steps):
    """The reminders the daily run owes on ``today``, not sent before."""
    now = timezone.make_aware(dt.datetime.combine(today, dt.time(8, 0)))
    items = timeliness_for(round_, round_.units(), now=now).values()
    offsets = {}
    for item in items:
        if item.deadline is None or not item.needs_report:
            continue
        offset = (today - item.deadline.due_date).days
        if offset in steps:
            offsets[item.unit.pk] = (item, step_key(offset))
    sent = set(
        ReminderLog.objects.filter(
            round=round_,
            unit__in=list(offsets),
            step__in={key for _item, key in offsets.values()},
        ).values_list("unit_id", "step")
    )
    owed = [item for pk, (item, key) in offsets.items() if (pk, key) not in sent]
    owed.sort(key=lambda item: item.unit.path)
    return _with_recipients(round_, owed, lambda item: offsets[item.unit.pk][1])


def manual_reminders(round_, units, today, *, now=None):
    """Reminders for chosen units: (to send, skipped as submitted, sent today)."""
    items = timeliness_for(round_, list(units), now=now).values()
    step = manual_step(today)
    sent = set(
        ReminderLog.objects.filter(
            round=round_, unit__in=[u.pk for u in units], step=step
        ).values_list("unit_id", flat=True)
    )
    submitted = [item for item in items if not item.needs_report]
    repeated = [item for item in items if item.needs_report and item.unit.pk in sent]
    owed = [item for item in items if item.needs_report and item.unit.pk not in sent]
    owed.sort(key=lambda item: item.unit.path)
    return _with_recipients(round_, owed, lambda item: step), submitted, repeated


def compose(round_, reminder, today):
    """Subject and body of a reminder, in Vietnamese."""
    deadline = reminder.deadline
    due = f"{deadline.due_date:%d/%m/%Y}" if deadline else _("chưa đặt")
    days = deadline.days_left(today) if deadline else None
    if days is None:
        when = ""
    elif days > 0:
        when = _("còn %(n)s ngày") % {"n": days}
    elif days == 0:
        when = _("hôm nay là hạn cuối")
    else:
        when = _("đã quá hạn %(n)s ngày") % {"n": -days}
    subject = _("[Sokket] Nhắc nộp báo cáo %(round)s – hạn %(due)s") % {
        "round": round_.name,
        "due": due,
    }
    lines = [
        _("Kính gửi %(unit)s,") % {"unit": reminder.unit.name},
        "",
        _("Báo cáo %(round)s của đơn vị chưa được nộp (%(status)s).")
        % {"round": round_.name, "status": reminder.item.label.lower()},
        _("Hạn nộp: %(due)s%(when)s.")
        % {"due": due, "when": f" ({when})" if when else ""},
    ]
    if deadline and deadline.is_extended:
        lines.append(
            _("Đơn vị đã được gia hạn: %(reason)s")
            % {"reason": deadline.extension.reason}
        )
    lines += [
        "",
        _("Đề nghị đơn vị hoàn thiện và nộp báo cáo tại: %(url)s")
        % {"url": settings.SITE_URL.rstrip("/") + reverse("home")},
        "",
        _("Thư này được gửi tự động từ hệ thống Sokket; vui lòng không trả lời."),
    ]
    return subject, "\n".join(lines)


@dataclass
class Outcome:
    reminder: Reminder
    sent: bool
    note: str = ""


def send_reminders(round_, reminders, *, today, sent_by=None, now=None):
    """Mail each reminder and log it; a step already logged is not sent again.

    The log row and the mail share a transaction: a mail that fails to go out
    leaves no log, so the next run tries again.
    """
    now = now or timezone.now()
    outcomes = []
    connection = get_connection()
    for reminder in reminders:
        if not reminder.recipients:
            outcomes.append(
                Outcome(reminder, False, _("đơn vị không có cán bộ nào có e-mail"))
            )
            continue
        subject, body = compose(round_, reminder, today)
        try:
            with transaction.atomic():
                ReminderLog.objects.create(
                    round=round_,
                    unit=reminder.unit,
                    step=reminder.step,
                    due_date=reminder.deadline.due_date if reminder.deadline else None,
                    sent_at=now,
                    sent_by=sent_by,
                    recipients=", ".join(reminder.recipients),
                    subject=subject,
                )
                EmailMessage(
                    subject, body, to=reminder.recipients, connection=connection
                ).send()
        except IntegrityError:
            outcomes.append(Outcome(reminder, False, _("bước này đã gửi trước đó")))
            continue
        outcomes.append(Outcome(reminder, True))
    return outcomes
