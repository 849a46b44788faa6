"""The sealed copy says what it is, on every page, and is served byte for byte."""

import hashlib

import pytest
from django.urls import reverse

from reports.exports import files
from reports.models import ReportEvent, ReportStatus
from tests import test_exports
from tests.test_docx_export import page_images
from tests.test_pdf_layout import lines, pages

pytestmark = pytest.mark.django_db

district = test_exports.district


def page_texts(content, tmp_path):
    return [" ".join(lines(words)) for _w, _h, words in pages(content, tmp_path)]


def test_every_page_of_the_sealed_copy_names_version_time_and_approver(
    district, client, make_user, tmp_path
):
    report, version = district
    event = ReportEvent.objects.filter(
        report=report, to_status=ReportStatus.APPROVED
    ).latest("pk")
    approver = event.actor.get_full_name() or event.actor.username
    copy = files.seal_version(version)
    with copy.file.open("rb") as handle:
        sealed = handle.read()
    texts = page_texts(sealed, tmp_path)
    assert len(texts) > 3
    for number, text in enumerate(texts, 1):
        assert "Bản lưu báo cáo đã duyệt – lần nộp 1" in text, number
        assert f"người duyệt: {approver}" in text, number
        assert "duyệt lúc " in text, number
    ordinary, _name = files.version_export(version, "pdf")
    assert "Bản lưu" not in " ".join(page_texts(ordinary, tmp_path))
    assert ordinary != sealed
    client.force_login(make_user("705", "staff", username="nv-seal"))
    served = [
        client.get(reverse("sealed_copy_download", args=[report.pk])) for _ in range(2)
    ]
    bodies = [b"".join(r.streaming_content) for r in served]
    assert bodies[0] == bodies[1] == sealed
    assert served[0]["X-Content-SHA256"] == hashlib.sha256(sealed).hexdigest()
    # Page images for a person to look at.
    path = tmp_path / "sealed-copy.pdf"
    path.write_bytes(sealed)
    page_images(path, "sealed-copy")
