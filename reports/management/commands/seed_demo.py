import datetime as dt
import json

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from reports.models import Deadline, Level, Membership, Role, Unit, UnitType
from reports.outline import load_spec
from reports.units import ensure_levels, import_units, set_parent

FIXTURES = settings.BASE_DIR / "fixtures"
DEMO_PASSWORD = "sokket-demo-2020"

MEMBER_ORGS = [
    ("72-HND", "Hội Nông dân tỉnh"),
    ("72-HLHPN", "Hội Liên hiệp Phụ nữ tỉnh"),
    ("72-TD", "Tỉnh Đoàn (Đoàn TNCS Hồ Chí Minh)"),
    ("72-HCCB", "Hội Cựu chiến binh tỉnh"),
    ("72-LDLD", "Liên đoàn Lao động tỉnh"),
]

# username, full name, unit code, role, title
DEMO_USERS = [
    ("quantri", "Quản trị hệ thống", "72", Role.ADMIN, "Văn phòng - Tổ chức"),
    (
        "tinh.pttg",
        "Trần Thị Thẩm Định",
        "72",
        Role.REVIEWER,
        "Ban Phong trào - Tuyên giáo",
    ),
    (
        "tinh.soanthao",
        "Lê Văn Tổng Hợp",
        "72",
        Role.STAFF,
        "Ban Phong trào - Tuyên giáo",
    ),
    ("tanbien", "Nguyễn Văn Huyện", "705", Role.STAFF, "Ban Thường trực MTTQ huyện"),
    (
        "tanbien.duyet",
        "Phạm Thị Duyệt",
        "705",
        Role.REVIEWER,
        "Ban Thường trực MTTQ huyện",
    ),
    ("xa.tanlap", "Võ Văn Xã", "25489", Role.STAFF, "Ủy ban MTTQ xã Tân Lập"),
    ("hoinongdan", "Đặng Thị Hội", "72-HND", Role.STAFF, "Hội Nông dân tỉnh"),
]


class Command(BaseCommand):
    help = (
        "Nạp dữ liệu mẫu: đơn vị Tây Ninh 2020, tổ chức thành viên, Cuộc vận động, "
        "đợt sơ kết 2016–2020 với đề cương, biểu và hạn nộp, và tài khoản demo. "
        "Chạy lại nhiều lần không tạo trùng."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-users", action="store_true", help="Không tạo tài khoản demo."
        )

    @transaction.atomic
    def handle(self, *args, no_users=False, **options):
        ensure_levels()
        import_units((FIXTURES / "units-tay-ninh-2020.csv").read_bytes())
        province = Unit.objects.get(code="72")
        huyen = Level.objects.get(code="huyen")
        for code, name in MEMBER_ORGS:
            unit = Unit.objects.filter(code=code).first() or Unit(code=code)
            unit.name = name
            unit.unit_type = UnitType.TO_CHUC
            unit.level = huyen
            set_parent(unit, province)
        spec = json.loads((FIXTURES / "outline-2016-2020.json").read_text("utf-8"))
        round_ = load_spec(spec)
        self._deadlines(round_, province)
        if not no_users:
            self._users()
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã nạp dữ liệu mẫu: {Unit.objects.count()} đơn vị, đợt “{round_}”."
            )
        )

    def _deadlines(self, round_, province):
        levels = {level.code: level for level in Level.objects.all()}
        rules = [
            {"level": levels["huyen"], "unit_type": "", "due": dt.date(2020, 12, 15)},
            {
                "level": None,
                "unit_type": UnitType.TO_CHUC,
                "due": dt.date(2020, 12, 15),
            },
            {"level": levels["tinh"], "unit_type": "", "due": dt.date(2021, 1, 31)},
        ]
        for rule in rules:
            Deadline.objects.get_or_create(
                round=round_,
                level=rule["level"],
                unit_type=rule["unit_type"],
                set_by=None,
                defaults={"due_date": rule["due"]},
            )
        # Each district sets its communes' deadline; the demo gives them all
        # 30/11/2020, two weeks before the district's own.
        for district in Unit.objects.filter(
            parent=province, level=levels["huyen"]
        ).exclude(unit_type=UnitType.TO_CHUC):
            Deadline.objects.get_or_create(
                round=round_,
                level=levels["xa"],
                unit_type="",
                set_by=district,
                defaults={"due_date": dt.date(2020, 11, 30)},
            )

    def _users(self):
        User = get_user_model()
        for username, full_name, unit_code, role, title in DEMO_USERS:
            user, created = User.objects.get_or_create(username=username)
            if created:
                # Vietnamese names read family name first: keep the whole name in
                # first_name so get_full_name() prints it in that order.
                user.first_name = full_name
                user.email = f"{username}@example.invalid"
                user.set_password(DEMO_PASSWORD)
                if role == Role.ADMIN:
                    user.is_staff = True
                    user.is_superuser = True
                user.save()
            Membership.objects.get_or_create(
                user=user,
                unit=Unit.objects.get(code=unit_code),
                role=role,
                defaults={"title": title},
            )
