"""Exemplary models (mô hình điển hình tiên tiến): counts per content area, saving."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from . import attachments
from .models import AnswerShape, AttachmentKind, ReportVersion

ALL_AREAS = "*"


def content_areas(template):
    """The sections a model can belong to: those answered as achieved/limits."""
    return [
        s for s in template.sections.all() if s.shape == AnswerShape.ACHIEVED_LIMITS
    ]


def content_area_choices(template):
    return [(s.code, f"{s.code}. {s.title}") for s in content_areas(template)]


def _model_rows(source):
    """(content_area, name, unit_in_charge) for models, a report or a version."""
    if isinstance(source, ReportVersion):
        source = source.models_data
    elif hasattr(source, "models") and hasattr(source, "unit_id"):
        source = source.models.all()
    rows = []
    for m in source:
        if isinstance(m, dict):
            m_area, m_name = m["content_area"], m.get("name", "")
            rows.append((m_area, m_name, m.get("unit_in_charge", "")))
        else:
            rows.append((m.content_area, m.name, m.unit_in_charge))
    return rows


@dataclass
class AreaSummary:
    code: str
    title: str
    count: int = 0
    models: list = field(default_factory=list)


@dataclass
class ModelsSummary:
    areas: list
    total: int
    # Models whose area is not (or no longer) in the template's outline.
    others: list = field(default_factory=list)


def models_summary(source, template):
    """Section II.2: the number of models per content area, each with its units."""
    areas = {s.code: AreaSummary(s.code, s.title) for s in content_areas(template)}
    others = []
    rows = _model_rows(source)
    for area, name, unit_in_charge in rows:
        item = {"name": name, "unit_in_charge": unit_in_charge, "area": area}
        if area in areas:
            areas[area].count += 1
            areas[area].models.append(item)
        else:
            others.append(item)
    return ModelsSummary(areas=list(areas.values()), total=len(rows), others=others)


def save_model(report, model, *, user, upload=None):
    """Save ``model`` (new or changed) for ``report``, with an optional file.

    Raises ``ValidationError`` (nothing saved) when the file is refused.
    """
    is_new = model.pk is None
    try:
        with transaction.atomic():
            model.report = report
            model.save()
            if upload is not None:
                attachments.store_upload(
                    report,
                    upload,
                    kind=AttachmentKind.MODEL,
                    user=user,
                    exemplary_model=model,
                )
    except ValidationError:
        if is_new:
            model.pk = None
        raise
    return model


def delete_model(model):
    """Delete a model together with the files attached to it."""
    with transaction.atomic():
        for attachment in model.attachments.all():
            attachments.delete_attachment(attachment)
        model.delete()
