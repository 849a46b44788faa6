"""Resolving the deadline that applies to a unit in a round."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from .models import Deadline, Extension


@dataclass(frozen=True)
class EffectiveDeadline:
    due_date: dt.date
    extension: Extension | None = None
    rule: Deadline | None = None

    @property
    def is_extended(self):
        return self.extension is not None

    @property
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
    if own:
        latest = max(own, key=lambda ext: (ext.granted_at, ext.pk))
        base = _best_rule(unit, rules)
        return EffectiveDeadline(latest.new_date, extension=latest, rule=base)
    best = _best_rule(unit, rules)
    if best is None:
        return None
    return EffectiveDeadline(best.due_date, rule=best)


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
