"""Renders sample PDFs to test-artifacts/ for a person to look at (not a check)."""

import subprocess
from pathlib import Path

import pytest

from reports.exports import data, pdf
from tests._consolidation_stub import consolidate
from tests.test_exports import approved

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.mark.django_db
def test_render_district_and_consolidated_pages(demo, unit, make_user):
    reviewer = make_user("72", "reviewer")
    versions = []
    for seed, code in enumerate(["705", "703", "707", "709"], start=1):
        versions.append(
            approved(demo, unit(code), make_user(code, "staff"), reviewer, seed=seed)[1]
        )
    ARTIFACTS.mkdir(exist_ok=True)
    outputs = {
        "export-district": pdf.render_pdf(data.build_version_document(versions[0])),
        "export-consolidated": pdf.render_pdf(
            data.build_consolidated_document(consolidate(unit("72"), demo))
        ),
        "export-blank-xa": pdf.render_pdf(
            data.build_blank_document(demo.templates.get(code="xa"))
        ),
    }
    for name, content in outputs.items():
        path = ARTIFACTS / f"{name}.pdf"
        path.write_bytes(content)
        subprocess.run(
            ["pdftoppm", "-r", "60", "-png", str(path), str(ARTIFACTS / name)],
            check=True,
        )
