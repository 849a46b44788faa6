import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reports.models import Round
from reports.reminders import due_reminders, parse_steps, send_reminders
from reports.rounds import current_round


class Command(BaseCommand):
    help = (
        "Nhắc hạn nộp báo cáo qua e-mail cho các đơn vị chưa nộp, theo các bước "
        "REMINDER_STEPS (mặc định 5 và 2 ngày trước hạn, 1 ngày sau hạn). Mặc định "
        "chỉ liệt kê (chạy thử); thêm --send để gửi. Chạy hằng ngày bằng cron; mỗi "
        "bước chỉ gửi một lần cho mỗi đơn vị."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--send", action="store_true", help="gửi thật (mặc định: chạy thử)"
        )
        parser.add_argument(
            "--today", help="coi hôm nay là ngày này (YYYY-MM-DD), ví dụ để gửi bù"
        )
        parser.add_argument("--round", help="mã đợt (mặc định: đợt đang mở)")
        parser.add_argument(
            "--steps", help="ghi đè REMINDER_STEPS cho lần chạy này, ví dụ -5,-2,+1"
        )

    def handle(self, *args, send=False, today=None, round=None, steps=None, **kw):
        today = self._today(today)
        round_ = self._round(round)
        try:
            offsets = parse_steps(steps or settings.REMINDER_STEPS)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        reminders = due_reminders(round_, today, offsets)
        mode = "GỬI" if send else "CHẠY THỬ"
        self.stdout.write(
            f"[{mode}] Đợt “{round_.name}”, ngày {today:%d/%m/%Y}, các bước "
            f"{', '.join(f'{o:+d}' for o in offsets)}: {len(reminders)} thư nhắc."
        )
        for reminder in reminders:
            for username in reminder.without_email:
                self.stdout.write(
                    f"  Bỏ qua người dùng {username} của {reminder.unit.code} "
                    "(không có e-mail)."
                )
        if not send:
            for reminder in reminders:
                self.stdout.write("  Sẽ gửi " + self._describe(reminder))
            self.stdout.write("Chạy thử: không gửi thư nào. Thêm --send để gửi.")
            return
        outcomes = send_reminders(round_, reminders, today=today)
        sent = 0
        for outcome in outcomes:
            text = self._describe(outcome.reminder)
            if outcome.sent:
                sent += 1
                self.stdout.write("  Đã gửi " + text)
            else:
                self.stdout.write(f"  Không gửi {text}: {outcome.note}.")
        self.stdout.write(self.style.SUCCESS(f"Đã gửi {sent} thư nhắc."))

    def _describe(self, reminder):
        due = reminder.deadline.due_date
        to = ", ".join(reminder.recipients) or "(không có người nhận)"
        return (
            f"{reminder.unit.code} {reminder.unit.name} – {reminder.step} – hạn "
            f"{due:%d/%m/%Y} – {reminder.item.label} – tới: {to}"
        )

    def _today(self, text):
        if not text:
            return timezone.localdate()
        try:
            return dt.date.fromisoformat(text)
        except ValueError as exc:
            raise CommandError(
                f"--today phải có dạng YYYY-MM-DD (nhận được “{text}”)."
            ) from exc

    def _round(self, code):
        if code:
            round_ = Round.objects.filter(code=code).first()
            if round_ is None:
                raise CommandError(f"Không có đợt báo cáo mã “{code}”.")
            return round_
        round_ = current_round()
        if round_ is None:
            raise CommandError("Không có đợt báo cáo nào đang mở.")
        return round_
