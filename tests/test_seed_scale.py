import pytest
from django.core.management import call_command

from reports.models import Report, ReportStatus, Unit, VersionCell

pytestmark = pytest.mark.django_db


def test_seed_scale_builds_a_filled_hierarchy(demo):
    call_command(
        "seed_scale",
        "--provinces",
        "2",
        "--districts",
        "2.5",
        "--communes",
        "3",
        verbosity=0,
    )
    scale = Unit.objects.filter(path__startswith="VN/")
    assert scale.filter(level__code="tinh").count() == 2
    assert scale.filter(level__code="huyen").count() == 5
    assert scale.filter(level__code="xa").count() == 15
    reports = Report.objects.filter(unit__in=scale)
    assert reports.count() == 22
    assert not reports.exclude(status=ReportStatus.APPROVED).exists()
    district = reports.filter(unit__level__code="huyen").first()
    assert district.approved_version.answers["II.1.1"]["text"]
    cells = VersionCell.objects.filter(version=district.approved_version)
    assert cells.filter(column__col_type="documents").exclude(docs=[]).exists()
    assert cells.filter(column__col_type="integer", num__isnull=False).count() > 10
    # Run again: the old data set is replaced, not duplicated.
    call_command(
        "seed_scale",
        "--provinces",
        "1",
        "--districts",
        "1",
        "--communes",
        "1",
        verbosity=0,
    )
    # The national root, one province, one district, one commune.
    assert Unit.objects.filter(path__startswith="VN/").count() == 4
