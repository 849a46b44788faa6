from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.exports import data, files
from reports.models import Report, Round, Unit


class Command(BaseCommand):
    help = (
        "Xuất báo cáo của một đơn vị (phiên bản đã duyệt, nếu chưa có thì lần nộp "
        "gần nhất) hoặc bản tổng hợp các đơn vị trực thuộc (--consolidated) ra tệp "
        "Excel, PDF hoặc Word (docx). Ví dụ: export_report --round so-ket-2016-2020 "
        "--unit 72 "
        "--consolidated --format pdf --output tong-hop.pdf"
    )

    def add_arguments(self, parser):
        parser.add_argument("--round", required=True, help="mã đợt báo cáo")
        parser.add_argument("--unit", required=True, help="mã đơn vị")
        parser.add_argument(
            "--consolidated",
            action="store_true",
            help="xuất bản tổng hợp các đơn vị trực thuộc",
        )
        parser.add_argument(
            "--include-submitted",
            action="store_true",
            help="tổng hợp cả báo cáo đã nộp chưa duyệt (đánh dấu)",
        )
        parser.add_argument("--format", required=True, choices=files.FORMATS)
        parser.add_argument("--output", required=True, help="đường dẫn tệp kết quả")

    def handle(self, *args, **options):
        round_ = Round.objects.filter(code=options["round"]).first()
        if round_ is None:
            raise CommandError(f"Không có đợt báo cáo mã “{options['round']}”.")
        unit = Unit.objects.select_related("level", "parent").filter(
            code=options["unit"]
        )
        unit = unit.first()
        if unit is None:
            raise CommandError(f"Không có đơn vị mã “{options['unit']}”.")
        output = Path(options["output"])
        if not output.parent.is_dir():
            raise CommandError(f"Thư mục “{output.parent}” không tồn tại.")
        fmt = options["format"]
        if options["consolidated"]:
            if not unit.children_as_of(round_.as_of).exists():
                raise CommandError(f"Đơn vị “{unit.name}” không có đơn vị trực thuộc.")
            document = data.consolidated_document(
                unit, round_, include_submitted=options["include_submitted"]
            )
            content = files.render(document, fmt)
        else:
            report = Report.objects.filter(unit=unit, round=round_).first()
            version = report.versions.newest() if report else None
            if version is None:
                raise CommandError(
                    f"“{unit.name}” chưa nộp báo cáo đợt “{round_.name}”."
                )
            content, _ = files.version_export(version, fmt)
        output.write_bytes(content)
        self.stdout.write(
            self.style.SUCCESS(f"Đã ghi {output} ({len(content):,} byte).")
        )
