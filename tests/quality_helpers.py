"""Setting figures and submitting peers for the data-quality tests."""

from decimal import Decimal

from reports import workflow
from reports.models import Cell, TableColumn, Unit
from tests.factories import create_report, fill_report


def set_cell(report, code, num=None, **fields):
    """Set the draft cell of column ``code``: its number and any other fields."""
    column = TableColumn.objects.get(table__template=report.template, code=code)
    defaults = {"num": None if num is None else Decimal(num), **fields}
    Cell.objects.update_or_create(report=report, column=column, defaults=defaults)


def districts():
    """Tây Ninh's nine district-level units (not the member organisations)."""
    return Unit.objects.filter(parent__code="72").exclude(unit_type="to_chuc")


def submit_districts(round_, make_user, *, but="705"):
    """Every district but ``but`` filled (seeds 2, 3, …) and submitted."""
    peers = districts().exclude(code=but).order_by("code")
    for seed, unit in enumerate(peers, start=2):
        staff = make_user(unit.code, "staff")
        report = fill_report(create_report(round_, unit), staff, seed=seed)
        workflow.submit_report(report, actor=staff)
    return peers
