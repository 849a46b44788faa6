"""Resolving the deadline that applies to a unit in a round."""

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

from django.utils import timezone
from django.utils.translation import gettext as _

from . import permissions
from .models import Deadline, Extension


@dataclass(frozen=True)
class EffectiveDeadline:
    due_date: dt.date
    extension: Extension | None = None
    rule: Deadline | None = None

    @property
    def is_extended(self):
        return self.extension is not None

    @cached_property
    def closes_at(self):
        """The last moment that is still on time: the end of the due day, local."""
        end = dt.datetime.combine(self.due_date + dt.timedelta(days=1), dt.time.min)
        return timezone.make_aware(end)

    def days_left(self, today=None):
        """Days until the due date (negative when late); 0 on the day itself."""
        today = today or timezone.localdate()
        return (self.due_date - today).days

    def is_on_time(self, moment):
        return moment < self.closes_at


def _specificity(rule, unit):
    scope_depth = rule.set_by.depth + 1 if rule.set_by_id else 0
    return (scope_depth, 1 if rule.unit_type else 0)


def rule_matches(rule, unit):
    if rule.unit_type:
        if rule.unit_type != unit.unit_type:
            return False
    elif rule.level_id != unit.level_id:
        return False
    if rule.set_by_id:
        return unit.path.startswith(rule.set_by.path) and unit.pk != rule.set_by_id
    return True


def pick_deadline(unit, rules, extensions=()):
    """The effective deadline from already fetched rules and extensions.

    The unit's latest extension wins; otherwise the most specific rule (deepest
    ``set_by`` scope, then unit type over level).
    """
    own = [ext for ext in extensions if ext.unit_id == unit.pk]
    return with_extensions(rule_deadline(unit, rules), own)


def rule_deadline(unit, rules):
    """The deadline of the most specific matching rule, ignoring extensions."""
    best = _best_rule(unit, rules)
    return None if best is None else EffectiveDeadline(best.due_date, rule=best)


def with_extensions(base, own):
    """``base`` overridden by the latest of the unit's own extensions, if any."""
    if not own:
        return base
    latest = max(own, key=lambda ext: (ext.granted_at, ext.pk))
    return EffectiveDeadline(
        latest.new_date, extension=latest, rule=base.rule if base else None
    )


def _best_rule(unit, rules):
    matching = [rule for rule in rules if rule_matches(rule, unit)]
    if not matching:
        return None
    return max(matching, key=lambda rule: _specificity(rule, unit))


def round_rules(round_):
    return list(Deadline.objects.filter(round=round_).select_related("set_by"))


def effective_deadline(unit, round_):
    """The deadline that applies to ``unit`` in ``round_``, or None if none is set."""
    extensions = Extension.objects.filter(round=round_, unit=unit)
    return pick_deadline(unit, round_rules(round_), list(extensions))


class ExtensionRefused(Exception):
    """The extension cannot be granted; the message says why, in Vietnamese."""


# An extension reaches at most this far past the unit's deadline before any
# extension (a typo such as 01/01/9999 would otherwise close nothing, ever).
MAX_EXTENSION = dt.timedelta(days=365)


def check_new_date(current, new_date):
    """Raise ``ExtensionRefused`` unless ``new_date`` comes after ``current``
    (the unit's effective deadline, or None) and at most ``MAX_EXTENSION``
    after the deadline it had before any extension."""
    if current is None:
        return
    if new_date <= current.due_date:
        raise ExtensionRefused(
            _("Hạn mới phải sau hạn hiện tại (%(due)s).")
            % {"due": f"{current.due_date:%d/%m/%Y}"}
        )
    first = current.rule.due_date if current.rule else current.due_date
    latest = first + MAX_EXTENSION
    if new_date > latest:
        raise ExtensionRefused(
            _("Hạn mới không được quá một năm sau hạn ban đầu: muộn nhất %(d)s.")
            % {"d": f"{latest:%d/%m/%Y}"}
        )


def grant_extension(round_, unit, *, actor, new_date, reason):
    """Give ``unit`` a later due date in ``round_``; reviewers of an ancestor only.

    The new date must pass ``check_new_date`` and a reason is required.
    Returns the ``Extension``.
    """
    reason = (reason or "").strip()
    if not permissions.can_grant_extension(actor, unit):
        raise ExtensionRefused(_("Anh/chị không có quyền gia hạn cho đơn vị này."))
    if not reason:
        raise ExtensionRefused(_("Cần ghi lý do gia hạn."))
    check_new_date(effective_deadline(unit, round_), new_date)
    return Extension.objects.create(
        round=round_, unit=unit, new_date=new_date, reason=reason, granted_by=actor
    )
