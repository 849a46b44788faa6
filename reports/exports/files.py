"""Export files: rendered once per immutable input and kept on disk; sealed copies.

A version never changes, so its Excel and PDF are rendered once and cached under
``MEDIA_ROOT/exports/`` (written to a temporary name, then renamed: a reader
never sees half a file). A consolidation is cached under a digest of the
document it prints (figures, labels, rows, template), so anything that changes
what the screen shows makes a new file. This keeps repeated
downloads of large PDFs off the web worker's clock.
"""

import hashlib
import logging
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from .. import consolidation as consolidation_module
from ..models import ReportVersion, SealedCopy
from . import data, docx, pdf, xlsx

logger = logging.getLogger(__name__)

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
FORMATS = tuple(CONTENT_TYPES)
# Part of every cached file's name: raise it when the printed layout changes, so
# no file rendered by an older layout is served again (the sealed copy is not a
# cache: it stays as approved).
PRINT_LAYOUT = 2


class ExportTooLarge(Exception):
    """A consolidated export with more rows than the web may build at once."""


RENDERERS = {
    "pdf": pdf.render_pdf,
    "xlsx": xlsx.render_xlsx,
    "docx": docx.render_docx,
}


def render(document, fmt):
    return RENDERERS[fmt](document)


def _cache_dir():
    return Path(settings.MEDIA_ROOT) / "exports"


def _cached(name, build):
    """The bytes stored under ``name``, built (and stored) on first use."""
    path = _cache_dir() / name
    if path.exists():
        return path.read_bytes()
    content = build()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
    os.replace(tmp, path)
    return content


def version_export(version, fmt):
    """(content, filename) of a submitted version; cached, the version is frozen."""
    document = None

    def build():
        nonlocal document
        document = data.build_version_document(version)
        return render(document, fmt)

    content = _cached(f"versions/{version.pk}-layout{PRINT_LAYOUT}.{fmt}", build)
    report = version.report
    stem = f"bao-cao-{report.unit.code}-{report.round.code}-lan-{version.number}"
    return content, f"{stem}.{fmt}"


def draft_export(report, fmt):
    """(content, filename) of a draft preview; never cached (the draft moves)."""
    document = data.build_draft_document(report)
    return render(document, fmt), f"{document.filename_stem}.{fmt}"


def consolidated_export(parent, round_, fmt, *, include_submitted=False):
    """(content, filename) of ``parent``'s consolidated report.

    Raises ``ExportTooLarge`` when a PDF would hold more unit rows than
    ``EXPORT_PDF_MAX_ROWS`` (the command ``export_report`` has no such limit).
    """
    consolidation = consolidation_module.consolidate(
        parent, round_, include_submitted=include_submitted
    )
    rows = max((len(t.rows) for t in consolidation.tables), default=0)
    if fmt == "pdf" and rows > settings.EXPORT_PDF_MAX_ROWS:
        raise ExportTooLarge(rows)
    own = parent.reports.filter(round=round_).first()
    own_version = own.versions.newest() if own is not None else None
    # The key is the document itself: versions, template, labels, the
    # hierarchy on the round's date and row statuses all shape it, and only
    # the rendering (the slow part) is kept.
    document = data.build_consolidated_document(consolidation, own_version=own_version)
    key = hashlib.sha256(repr(document).encode()).hexdigest()[:24]

    def build():
        return render(document, fmt)

    content = _cached(
        f"consolidated/{parent.code}/{round_.code}/{key}-layout{PRINT_LAYOUT}.{fmt}",
        build,
    )
    return content, f"tong-hop-{parent.code}-{round_.code}.{fmt}"


def blank_export(template, fmt, unit=None):
    document = data.build_blank_document(template, unit)
    return render(document, fmt), f"{document.filename_stem}.{fmt}"


def seal_version(version):
    """The sealed copy of ``version``: made once, then returned unchanged forever."""
    existing = SealedCopy.objects.filter(version=version).first()
    if existing is not None:
        return existing
    content = pdf.render_pdf(data.build_sealed_document(version))
    digest = hashlib.sha256(content).hexdigest()
    copy = SealedCopy(version=version, sha256=digest, size=len(content))
    copy.file.save(
        f"lan-{version.number}-{digest[:16]}.pdf", ContentFile(content), save=False
    )
    try:
        with transaction.atomic():
            copy.save()
    except IntegrityError:
        # Another request sealed it first: theirs is the copy; drop ours.
        copy.file.delete(save=False)
        return SealedCopy.objects.get(version=version)
    return copy


def seal_after_approval(version_pk):
    """on_commit hook of ``workflow.approve_report``; a failure must not undo the
    approval (the copy is then made on its first download)."""
    try:
        version = ReportVersion.objects.select_related(
            "report__unit__level", "report__unit__parent", "report__round", "template"
        ).get(pk=version_pk)
        seal_version(version)
    except Exception:
        logger.exception("Không tạo được bản lưu của phiên bản %s", version_pk)
