import datetime as dt
import json
import random
import time
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from reports.models import (
    Answer,
    Cell,
    ColumnType,
    EventAction,
    ExemplaryModel,
    Level,
    Report,
    ReportEvent,
    ReportStatus,
    ReportTemplate,
    ReportVersion,
    Round,
    TableColumn,
    TableSource,
    Unit,
    UnitType,
    VersionCell,
)
from reports.outline import freeze_template, load_spec

ROOT_CODE = "VN"
PREFIX = "S"
BATCH = 5000


def _spread(total_avg, count, index):
    """Integer share of item ``index`` when ``count`` items average ``total_avg``."""
    return int(total_avg * (index + 1)) - int(total_avg * index)


class Command(BaseCommand):
    help = (
        "Sinh bộ dữ liệu quy mô toàn quốc cho benchmark: một nút trung ương, các tỉnh, "
        "huyện, xã (mặc định khoảng 63 / 700 / 10.600) với báo cáo đã nộp và duyệt, "
        "đủ mục đề cương và biểu phụ lục. Mã đơn vị bắt đầu bằng “S”; --clear xóa bộ "
        "dữ liệu cũ."
    )

    def add_arguments(self, parser):
        parser.add_argument("--provinces", type=int, default=63)
        parser.add_argument(
            "--districts", type=float, default=11.1, help="số huyện trung bình mỗi tỉnh"
        )
        parser.add_argument(
            "--communes", type=float, default=15.2, help="số xã trung bình mỗi huyện"
        )
        parser.add_argument("--seed", type=int, default=2020)
        parser.add_argument(
            "--clear", action="store_true", help="xóa dữ liệu cũ rồi sinh lại"
        )
        parser.add_argument("--dry-run", action="store_true", help="chỉ in số lượng")

    def handle(self, *args, provinces, districts, communes, seed, clear, dry_run, **kw):
        n_districts = sum(_spread(districts, provinces, i) for i in range(provinces))
        n_communes = sum(_spread(communes, n_districts, i) for i in range(n_districts))
        if dry_run:
            self.stdout.write(
                f"Sẽ sinh {provinces} tỉnh, {n_districts} huyện, {n_communes} xã."
            )
            return
        started = time.perf_counter()
        if clear or Unit.objects.filter(code=ROOT_CODE).exists():
            self._clear()
        round_ = Round.objects.filter(code="so-ket-2016-2020").first()
        if round_ is None:
            spec = json.loads(
                (settings.BASE_DIR / "fixtures" / "outline-2016-2020.json").read_text(
                    "utf-8"
                )
            )
            round_ = load_spec(spec)
        rng = random.Random(seed)
        with transaction.atomic():
            units = self._units(provinces, districts, communes)
            count = self._reports(round_, units, rng)
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã sinh {len(units)} đơn vị và {count} báo cáo đã duyệt trong "
                f"{time.perf_counter() - started:.1f} giây."
            )
        )

    def _clear(self):
        scale = Unit.objects.filter(path__startswith=f"{ROOT_CODE}/")
        reports = Report.objects.filter(unit__in=scale)
        with transaction.atomic():
            Report.objects.filter(pk__in=reports).update(approved_version=None)
            VersionCell.objects.filter(version__report__in=reports).delete()
            Cell.objects.filter(report__in=reports).delete()
            ReportEvent.objects.filter(report__in=reports).delete()
            ReportVersion.objects.filter(report__in=reports).delete()
            Answer.objects.filter(report__in=reports).delete()
            ExemplaryModel.objects.filter(report__in=reports).delete()
            reports.delete()
            for depth in range(3, -1, -1):
                scale.filter(depth=depth).delete()

    def _units(self, provinces, districts, communes):
        levels = {level.code: level for level in Level.objects.all()}
        root = Unit.objects.create(
            code=ROOT_CODE,
            name="Ủy ban Trung ương MTTQ Việt Nam (dữ liệu quy mô)",
            unit_type=UnitType.QUOC_GIA,
            level=levels["trung-uong"],
            path=f"{ROOT_CODE}/",
            depth=0,
        )
        units = []

        def make(code, name, unit_type, level, parent):
            return Unit(
                code=code,
                name=name,
                unit_type=unit_type,
                level=levels[level],
                parent=parent,
                path=f"{parent.path}{code}/",
                depth=parent.depth + 1,
            )

        province_objs = [
            make(
                f"{PREFIX}{p:02d}", f"Tỉnh Quy Mô {p:02d}", UnitType.TINH, "tinh", root
            )
            for p in range(1, provinces + 1)
        ]
        Unit.objects.bulk_create(province_objs, batch_size=BATCH)
        units += province_objs
        district_objs = []
        for p_index, province in enumerate(province_objs):
            for d in range(1, _spread(districts, provinces, p_index) + 1):
                district_objs.append(
                    make(
                        f"{province.code}-{d:02d}",
                        f"Huyện {d:02d} ({province.name})",
                        UnitType.HUYEN,
                        "huyen",
                        province,
                    )
                )
        Unit.objects.bulk_create(district_objs, batch_size=BATCH)
        units += district_objs
        commune_objs = []
        for d_index, district in enumerate(district_objs):
            for c in range(1, _spread(communes, len(district_objs), d_index) + 1):
                commune_objs.append(
                    make(
                        f"{district.code}-{c:03d}",
                        f"Xã {c:03d}",
                        UnitType.XA,
                        "xa",
                        district,
                    )
                )
        Unit.objects.bulk_create(commune_objs, batch_size=BATCH)
        units += commune_objs
        return units

    def _reports(self, round_, units, rng):
        actor = self._actor()
        templates = {
            t.code: t
            for t in ReportTemplate.objects.filter(round=round_, is_current=True)
        }
        by_type = {}
        for template in templates.values():
            for unit_type in template.unit_types:
                by_type[unit_type] = template
        columns = {}
        sections = {}
        for template in templates.values():
            columns[template.pk] = list(
                TableColumn.objects.filter(
                    table__template=template, table__source=TableSource.ENTERED
                ).exclude(col_type__in=["", ColumnType.PERCENT])
            )
            sections[template.pk] = [
                s for s in template.sections.all() if s.takes_answer
            ]
        now = timezone.now()
        submitted = timezone.make_aware(dt.datetime(2020, 12, 10, 9, 0))
        reports = [
            Report(
                unit=unit,
                round=round_,
                template=by_type[unit.unit_type],
                status=ReportStatus.APPROVED,
                submitted_at=submitted,
                first_submitted_at=submitted,
                approved_at=now,
            )
            for unit in units
        ]
        Report.objects.bulk_create(reports, batch_size=BATCH)
        versions = []
        answers = []
        for report in reports:
            template_sections = sections[report.template_id]
            texts = {
                s.code: {
                    "text": f"{report.unit.name}: kết quả mục {s.code}.",
                    "shortcomings": "Còn hạn chế."
                    if s.shape == "achieved_limits"
                    else "",
                }
                for s in template_sections
            }
            answers += [
                Answer(report=report, section=s, **texts[s.code])
                for s in template_sections
            ]
            versions.append(
                ReportVersion(
                    report=report,
                    number=1,
                    template_id=report.template_id,
                    created_at=submitted,
                    created_by=actor,
                    answers=texts,
                    models_data=[],
                )
            )
        Answer.objects.bulk_create(answers, batch_size=BATCH)
        ReportVersion.objects.bulk_create(versions, batch_size=BATCH)
        cells = []
        version_cells = []
        for report, version in zip(reports, versions, strict=True):
            for column in columns[report.template_id]:
                value = _random_value(column, rng)
                cells.append(Cell(report=report, column=column, **value))
                version_cells.append(
                    VersionCell(version=version, column=column, **value)
                )
            if len(cells) >= BATCH * 4:
                Cell.objects.bulk_create(cells, batch_size=BATCH)
                VersionCell.objects.bulk_create(version_cells, batch_size=BATCH)
                cells, version_cells = [], []
        Cell.objects.bulk_create(cells, batch_size=BATCH)
        VersionCell.objects.bulk_create(version_cells, batch_size=BATCH)
        for report, version in zip(reports, versions, strict=True):
            report.approved_version = version
        Report.objects.bulk_update(reports, ["approved_version"], batch_size=BATCH)
        # As submitting does: a template with submitted versions is frozen.
        for template_id in {report.template_id for report in reports}:
            freeze_template(ReportTemplate.objects.get(pk=template_id))
        events = []
        for report, version in zip(reports, versions, strict=True):
            events.append(
                ReportEvent(
                    report=report,
                    version=version,
                    action=EventAction.SUBMIT,
                    from_status=ReportStatus.DRAFT,
                    to_status=ReportStatus.SUBMITTED,
                    actor=actor,
                    created_at=submitted,
                )
            )
            events.append(
                ReportEvent(
                    report=report,
                    version=version,
                    action=EventAction.APPROVE,
                    from_status=ReportStatus.SUBMITTED,
                    to_status=ReportStatus.APPROVED,
                    actor=actor,
                    created_at=now,
                )
            )
        ReportEvent.objects.bulk_create(events, batch_size=BATCH)
        return len(reports)

    def _actor(self):
        User = get_user_model()
        user, _ = User.objects.get_or_create(
            username="scale.bot", defaults={"first_name": "Dữ liệu quy mô"}
        )
        return user


def _random_value(column, rng):
    match column.col_type:
        case ColumnType.DOCUMENTS:
            return {
                "docs": [
                    {
                        "kind": "Kế hoạch",
                        "number": f"{rng.randint(1, 300)}/KH-MTTQ",
                        "date": "2017-05-12",
                        "summary": "Triển khai Cuộc vận động",
                    }
                    for _ in range(rng.randint(1, 3))
                ]
            }
        case ColumnType.YES_NO:
            return {"flag": rng.random() < 0.8}
        case ColumnType.TEXT:
            return {"text": "Ghi chú"}
        case ColumnType.MONEY:
            return {"num": Decimal(rng.randint(100, 500_000)) / 10}
        case _:
            top = 5000 if column.code.startswith("tong") else 400
            return {"num": Decimal(rng.randint(0, top))}
