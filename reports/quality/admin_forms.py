"""The admin's form of a quality rule: a broken rule is refused, naming the rule
and the column."""

from django import forms
from django.core.exceptions import ValidationError

from ..models import QualityRule
from .grammar import RuleError
from .rules import check_rule


class QualityRuleForm(forms.ModelForm):
    class Meta:
        model = QualityRule
        fields = ["code", "order", "condition", "expression", "message", "severity"]

    def clean(self):
        cleaned = super().clean()
        table = (
            getattr(self.instance, "table", None) if self.instance.table_id else None
        )
        table = table or getattr(self, "parent_table", None)
        if table is None or not cleaned.get("expression"):
            return cleaned
        rule = QualityRule(
            table=table,
            code=cleaned.get("code") or "?",
            condition=cleaned.get("condition") or "",
            expression=cleaned["expression"],
        )
        try:
            check_rule(rule, table.template)
        except RuleError as exc:
            raise ValidationError(str(exc)) from exc
        return cleaned


class QualityRuleFormSet(forms.BaseInlineFormSet):
    """Gives each form the Biểu being edited (also for new rules)."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.parent_table = self.instance
        return form
