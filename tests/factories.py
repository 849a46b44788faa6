"""Building reports in known states for tests (states reached through workflow)."""

import hashlib
from decimal import Decimal

from django.core.files.base import ContentFile
from django.test import RequestFactory
from simple_history.middleware import HistoryRequestMiddleware

from reports.models import (
    Answer,
    Attachment,
    AttachmentKind,
    Cell,
    ColumnType,
    ExemplaryModel,
    Report,
    TableColumn,
    TableSource,
)
from reports.outline import template_for_unit

TINY_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def create_report(round_, unit):
    report, _ = Report.objects.get_or_create(
        unit=unit, round=round_, defaults={"template": template_for_unit(round_, unit)}
    )
    return report


# Parts the outline's rules keep at most their whole (xa-ntm, kien-nghi-tong)
# or near it (90 % of households are "gia đình văn hóa"): they grow with the
# seed at their own pace.
PARTS = {"xa-ntm-nc": 1, "kien-nghi-gq": 1, "ho-dat": 90}


def value_for(column, seed=1):
    """A deterministic value for a leaf column: numbers grow with ``seed``, and
    pass the outline's blocking rules."""
    match column.col_type:
        case ColumnType.DOCUMENTS:
            return {
                "docs": [
                    {
                        "kind": "Kế hoạch",
                        "number": f"{seed}/KH-MTTQ",
                        "date": "2017-03-15",
                        "summary": "Triển khai Cuộc vận động",
                    }
                ]
            }
        case ColumnType.YES_NO:
            return {"flag": seed % 2 == 1}
        case ColumnType.TEXT:
            return {"text": f"Ghi chú {seed}"}
        case ColumnType.INTEGER | ColumnType.MONEY | ColumnType.AREA:
            base = 100 if column.code.startswith("tong") else 10
            base = PARTS.get(column.code, base)
            return {"num": Decimal(base * seed + column.order)}
    return {}


def fill_report(report, user, *, seed=1, models=1, scan=True):
    """Fill every section, every entered table cell, models and the signed scan."""
    for section in report.template.sections.all():
        if not section.takes_answer:
            continue
        Answer.objects.update_or_create(
            report=report,
            section=section,
            defaults={
                "text": f"Kết quả mục {section.code} của {report.unit.name}.",
                "shortcomings": (
                    f"Hạn chế mục {section.code}."
                    if section.shape == "achieved_limits"
                    else ""
                ),
            },
        )
    columns = TableColumn.objects.filter(
        table__template=report.template, table__source=TableSource.ENTERED
    ).exclude(col_type__in=["", ColumnType.PERCENT])
    for column in columns:
        Cell.objects.update_or_create(
            report=report, column=column, defaults=value_for(column, seed)
        )
    for i in range(models):
        ExemplaryModel.objects.create(
            report=report,
            name=f"Mô hình {i + 1} của {report.unit.name}",
            content_area=f"II.1.{i % 5 + 1}",
            unit_in_charge="Ban Thường trực",
            year_started=2017,
            description="Mô tả",
            results="Kết quả: 120 hộ tham gia",
        )
    if scan:
        add_attachment(report, user, AttachmentKind.SIGNED_SCAN, TINY_PDF, "ban-ky.pdf")
        if report.template.requires_written_report:
            add_attachment(
                report, user, AttachmentKind.WRITTEN_REPORT, TINY_PDF, "bao-cao.pdf"
            )
    return report


def add_attachment(report, user, kind, data, name):
    attachment = Attachment(
        report=report,
        kind=kind,
        original_name=name,
        content_type="application/pdf",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=user,
    )
    attachment.file.save(name, ContentFile(data), save=False)
    attachment.save()
    return attachment


def as_request_by(user, change):
    """Run ``change`` inside a request by ``user``, through the history middleware."""
    request = RequestFactory().post("/")
    request.user = user

    def view(request):
        change()
        return None

    HistoryRequestMiddleware(view)(request)


def create_later_round(campaign):
    """The 2021–2025 round beside the demo's 2016–2020 one (reads the
    hierarchy on 31/12/2025, after the 2025 reform)."""
    from reports.models import Round

    return Round.objects.create(
        campaign=campaign,
        code="tong-ket-2021-2025",
        name="Tổng kết 2021–2025",
        period_start=2021,
        period_end=2025,
    )
