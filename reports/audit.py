"""Reading the audit trail: recent changes across the audited models, as diffs."""

import dataclasses
import json
from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db.models import CharField, F, ForeignKey, OuterRef, Q, Subquery, Value
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.template_utils import HistoricalRecordContextHelper

from .models import (
    Deadline,
    Extension,
    Membership,
    Report,
    ReportTemplate,
    Round,
    Unit,
)

User = get_user_model()

# key -> model; the key is what the page's model filter sends.
AUDITED = {
    "unit": Unit,
    "round": Round,
    "deadline": Deadline,
    "extension": Extension,
    "user": User,
    "membership": Membership,
    "template": ReportTemplate,
    "report": Report,
}

# Fields whose values are secrets: a change is shown, its values never are.
SECRET_FIELDS = {"password"}
# Fields that change on their own (logins, activity) and say nothing of who
# changed what.
NOISE_FIELDS = {"last_login", "last_activity_at"}

# Fields naming the object in the list, by model key.
OBJECT_LABEL = {
    "unit": ["name", "code"],
    "round": ["name"],
    "deadline": ["level", "unit_type", "set_by", "due_date"],
    "extension": ["unit", "new_date"],
    "user": ["username"],
    "membership": ["user", "role", "unit"],
    "template": ["name", "version"],
    "report": ["unit", "round"],
}

ACTIONS = {
    "+": gettext_lazy("Tạo mới"),
    "~": gettext_lazy("Sửa"),
    "-": gettext_lazy("Xóa"),
}
MAX_VALUE_CHARS = 200


@dataclass
class FieldChange:
    field: str
    old: str
    new: str
    secret: bool = False


@dataclass
class AuditEntry:
    key: str
    model_name: str
    object_id: int
    object_label: str
    action: str
    history_type: str
    when: datetime
    user: object
    changes: list = field(default_factory=list)
    history_url: str = ""


def history_model(model):
    return model.history.model


def recent_changes(*, model_key="", user_id=None):
    """All history rows of the audited models, newest first, as one query.

    Rows are dicts (key, history_id, history_date); :func:`entries_for` turns a
    page of them into readable entries.
    """
    parts = []
    for key, model in AUDITED.items():
        if model_key and key != model_key:
            continue
        qs = history_model(model).objects.order_by()
        if user_id is not None:
            qs = qs.filter(history_user_id=user_id)
        parts.append(
            qs.annotate(
                a_key=Value(key, output_field=CharField()),
                a_history_id=F("history_id"),
                a_date=F("history_date"),
            ).values("a_key", "a_history_id", "a_date")
        )
    if not parts:
        return history_model(Unit).objects.none().values("history_id")
    first, *rest = parts
    return first.union(*rest, all=True).order_by("-a_date", "-a_history_id")


def entries_for(rows):
    """Readable entries (who, when, what, field old → new) for a page of rows.

    One query per model present on the page (its records, each with the record
    before it and its user) and one per kind of related object named.
    """
    ids_by_key = {}
    for row in rows:
        ids_by_key.setdefault(row["a_key"], []).append(row["a_history_id"])
    records = {}
    previous = {}
    for key, ids in ids_by_key.items():
        hmodel = history_model(AUDITED[key])
        before = (
            hmodel.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("pk"))
            .order_by("-history_id")
            .values("history_id")[:1]
        )
        prev_ids = (
            hmodel.objects.filter(history_id__in=ids)
            .annotate(audit_prev_id=Subquery(before))
            .values("audit_prev_id")
        )
        # The page's records and the record before each, in one query.
        found = (
            hmodel.objects.filter(Q(history_id__in=ids) | Q(history_id__in=prev_ids))
            .select_related("history_user")
            .order_by("id", "history_id")
        )
        last_of_object = {}
        wanted_ids = set(ids)
        for record in found:
            earlier = last_of_object.get(record.id)
            if record.history_id in wanted_ids:
                records[(key, record.history_id)] = record
                previous[(key, record.history_id)] = earlier
            last_of_object[record.id] = record

    raw = []
    wanted = {}
    for row in rows:
        key = row["a_key"]
        record = records.get((key, row["a_history_id"]))
        if record is None:
            continue
        old = previous.get((key, record.history_id))
        changed = _changed_fields(record, old)
        names = set(changed) | set(OBJECT_LABEL[key])
        for name in names:
            model_field = record.instance_type._meta.get_field(name)
            if isinstance(model_field, ForeignKey):
                related = model_field.related_model
                for value in (getattr(record, model_field.attname), _old(old, name)):
                    if value is not None:
                        wanted.setdefault(related, set()).add(value)
        raw.append((key, record, old, changed))
    related = {
        model: model._base_manager.in_bulk(list(pks)) for model, pks in wanted.items()
    }

    entries = []
    for key, record, old, changed in raw:
        model = AUDITED[key]
        entries.append(
            AuditEntry(
                key=key,
                model_name=str(model._meta.verbose_name),
                object_id=record.id,
                object_label=_object_label(key, record, related),
                action=ACTIONS.get(record.history_type, record.history_type),
                history_type=record.history_type,
                when=record.history_date,
                user=record.history_user,
                changes=[_change(record, old, name, related) for name in changed],
                history_url=_history_url(model, record.id),
            )
        )
    return entries


def _old(old, name):
    if old is None:
        return None
    return getattr(old, old.instance_type._meta.get_field(name).attname)


def _changed_fields(record, old):
    names = []
    for model_field in record.instance_type._meta.concrete_fields:
        if model_field.primary_key or model_field.name in NOISE_FIELDS:
            continue
        new_value = getattr(record, model_field.attname)
        if old is None:
            if record.history_type == "+" and new_value not in (None, "", [], {}):
                names.append(model_field.name)
            continue
        if getattr(old, model_field.attname) != new_value:
            names.append(model_field.name)
    return names


def _change(record, old, name, related):
    model_field = record.instance_type._meta.get_field(name)
    label = str(model_field.verbose_name)
    if name in SECRET_FIELDS:
        shown = _("(đã đặt)") if old is None else _("(đã đổi)")
        return FieldChange(label, "", shown, secret=True)
    old_value = "" if old is None else _display(model_field, _old(old, name), related)
    new_value = _display(model_field, _old(record, name), related)
    return FieldChange(label, old_value, new_value)


def _display(model_field, value, related):
    """A value as a person reads it: labels for choices, names for links."""
    if value is None or value == "":
        return "—"
    if isinstance(model_field, ForeignKey):
        obj = related.get(model_field.related_model, {}).get(value)
        return str(obj) if obj is not None else _("#%(id)s (đã xóa)") % {"id": value}
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "d/m/Y H:i")
    if isinstance(value, date):
        return formats.date_format(value, "d/m/Y")
    if isinstance(value, (list, dict)):
        value = json.dumps(value, ensure_ascii=False)
    return Truncator(str(value)).chars(MAX_VALUE_CHARS)


def _object_label(key, record, related):
    parts = []
    for name in OBJECT_LABEL[key]:
        model_field = record.instance_type._meta.get_field(name)
        value = getattr(record, model_field.attname)
        if value in (None, ""):
            continue
        parts.append(_display(model_field, value, related))
    return " – ".join(parts) or f"#{record.id}"


def _history_url(model, object_id):
    opts = model._meta
    try:
        return reverse(
            f"admin:{opts.app_label}_{opts.model_name}_history", args=[object_id]
        )
    except NoReverseMatch:
        return ""


class AuditContextHelper(HistoricalRecordContextHelper):
    """The admin's history diffs, with secret values (password hashes) hidden."""

    def format_delta_change(self, change):
        formatted = super().format_delta_change(change)
        if change.field in SECRET_FIELDS:
            return dataclasses.replace(formatted, old="", new=_("(đã đổi)"))
        return formatted
