"""A template's data-quality rules: checked against its columns, evaluated over a
report's cells (through the cell contract, "no data" as unknown)."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from .. import cells as cell_contract
from ..models import ColumnType, QualityRule, Severity, TableColumn, TableSource
from . import grammar
from .grammar import RuleError


class BrokenRules(RuleError):
    """A template holds rules that cannot be evaluated; ``messages`` names them."""

    def __init__(self, messages):
        super().__init__(" ".join(messages))
        self.messages = messages


@dataclass
class Flag:
    """One thing a report's figures were flagged with.

    ``key`` names it across saves and versions (the explanation is kept by it);
    ``cells`` are the editor anchors of the cells concerned.
    """

    key: str
    kind: str  # "rule" or "outlier"
    severity: str
    text: str  # the rule's message, or the outlier's with %(value)s … to fill
    table: str
    column_id: int | None
    cells: list = field(default_factory=list)
    peer_low: Decimal | None = None
    peer_high: Decimal | None = None
    peer_count: int = 0
    value: Decimal | None = None
    explanation: str = ""

    @property
    def message(self):
        if self.kind != "outlier":
            return self.text
        number = cell_contract.format_number
        return self.text % {
            "value": number(self.value),
            "low": number(self.peer_low),
            "high": number(self.peer_high),
            "n": self.peer_count,
        }

    @property
    def blocking(self):
        return self.severity == Severity.BLOCKING

    @property
    def anchor(self):
        return self.cells[0] if self.cells else f"table-{self.table}"


def anchor(table_code, column_code):
    """The id of a cell on the editor page (as ``reports.sheet`` names it)."""
    return f"cell-{table_code}-{column_code}"


# --- The outline as rules see it -------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A leaf column as rules read it (what the cell contract asks of a column)."""

    pk: int
    code: str
    col_type: str
    numerator_id: int | None
    denominator_id: int | None
    source_key: str
    table_code: str
    table_source: str


_COLUMN_FIELDS = (
    "pk",
    "code",
    "col_type",
    "numerator_id",
    "denominator_id",
    "source_key",
    "table__code",
    "table__source",
)


class Outline:
    """A template's leaf columns by (table code, column code), and its rules."""

    def __init__(self, columns, rules):
        self.columns = {(c.table_code, c.code): c for c in columns}
        by_pk = {c.pk: c for c in columns}
        self.schema = {}
        for key, column in self.columns.items():
            parts = tuple(
                (by_pk[pk].table_code, by_pk[pk].code)
                for pk in (column.numerator_id, column.denominator_id)
                if pk in by_pk
            )
            self.schema[key] = grammar.ColumnInfo(*key, column.col_type, parts)
        self.rules = list(rules)
        self._trees = {}

    @classmethod
    def of(cls, template, rules=None):
        """The outline of ``template``; with ``rules``, those instead of its own."""
        own = rules is None
        rows = (
            TableColumn.objects.filter(table__template_id=template.pk)
            .exclude(col_type="")
            .values_list(*_COLUMN_FIELDS)
        )
        if own:
            rules = QualityRule.objects.filter(
                table__template_id=template.pk
            ).select_related("table")
        return cls([Column(*row) for row in rows], list(rules))

    def compile(self, rule):
        """(condition, expression) trees of ``rule``; ``RuleError`` names the rule."""
        key = (rule.table.code, rule.condition, rule.expression)
        if key not in self._trees:
            try:
                self._trees[key] = _compiled(*key, self.schema)
            except RuleError as exc:
                self._trees[key] = exc
        trees = self._trees[key]
        if isinstance(trees, RuleError):
            raise RuleError(
                _("Quy tắc “%(code)s” (Biểu %(table)s): %(error)s")
                % {"code": rule.code, "table": rule.table.code, "error": trees}
            ) from trees
        return trees

    def broken(self):
        """A Vietnamese message for every rule that cannot be evaluated."""
        messages = []
        for rule in self.rules:
            try:
                self.compile(rule)
            except RuleError as exc:
                messages.append(str(exc))
        return messages


def _compiled(table, condition, expression, schema):
    expression_tree = grammar.parse(expression)
    grammar.check(expression_tree, schema, table)
    condition_tree = None
    if condition.strip():
        try:
            condition_tree = grammar.parse(condition)
            grammar.check(condition_tree, schema, table)
        except RuleError as exc:
            raise RuleError(_("điều kiện áp dụng: %(e)s") % {"e": exc}) from exc
    return condition_tree, expression_tree


def check_rule(rule, template):
    """Raise ``RuleError`` (naming the rule and the column) if ``rule`` is broken."""
    Outline.of(template, rules=[rule]).compile(rule)


def check_template(template):
    """Raise ``BrokenRules`` if any rule of ``template`` cannot be evaluated."""
    messages = Outline.of(template).broken()
    if messages:
        raise BrokenRules(messages)


def create_rules(table, specs):
    """Rules of a Biểu from the outline spec (``load_spec``); checked once all
    tables exist, by ``check_template``."""
    QualityRule.objects.bulk_create(
        QualityRule(
            table=table,
            code=spec["code"],
            order=order,
            condition=spec.get("condition", ""),
            expression=spec["expression"],
            message=spec["message"],
            severity=spec.get("severity", Severity.WARNING),
        )
        for order, spec in enumerate(specs, start=1)
    )


def copy_rules(old_table_pk, new_table):
    """The rules of a Biểu for its copy in a new template version."""
    create_rules(
        new_table,
        [
            {
                "code": r.code,
                "condition": r.condition,
                "expression": r.expression,
                "message": r.message,
                "severity": r.severity,
            }
            for r in QualityRule.objects.filter(table_id=old_table_pk)
        ],
    )


# --- Values ----------------------------------------------------------------------


def values_of(outline, cells, models):
    """Each leaf column's value as rules read it, by (table code, column code).

    ``cells`` maps column pk to a draft ``Cell``, a ``VersionCell`` or a dict;
    ``models`` are the report's exemplary models (for Biểu 2). Numbers come
    through the cell contract: missing and "no data" are None (unknown).
    """
    values = {}
    for key, column in outline.columns.items():
        cell = cells.get(column.pk)
        if column.table_source == TableSource.MODELS:
            values[key] = cell_contract.model_count(models, column)
        elif column.col_type == ColumnType.PERCENT:
            values[key] = cell_contract.percent_of(column, cells)
        elif column.col_type == ColumnType.YES_NO:
            values[key] = (
                None if cell is None or _get(cell, "no_data") else _get(cell, "flag")
            )
        elif column.col_type == ColumnType.DOCUMENTS:
            values[key] = _document_count(cell)
        elif column.col_type in cell_contract.ENTERED_NUMERIC:
            values[key] = cell_contract.usable(cell)
    return values


def _get(cell, name):
    return cell.get(name) if isinstance(cell, dict) else getattr(cell, name)


def _document_count(cell):
    # An empty list is an answer (none issued); "no data" is unknown.
    if cell is None:
        return Decimal(0)
    if _get(cell, "no_data"):
        return None
    return Decimal(len(_get(cell, "docs") or []))


def evaluate(outline, values):
    """The flags of every rule that is false for ``values`` (unknown is not false).

    A broken rule is skipped here: the admin refuses it and the submit check
    reports it (``Outline.broken``).
    """
    flags = []
    for rule in outline.rules:
        try:
            condition, expression = outline.compile(rule)
        except RuleError:
            continue
        table = rule.table.code
        if (
            condition is not None
            and grammar.evaluate(condition, values, table) is not True
        ):
            continue
        if grammar.evaluate(expression, values, table) is not False:
            continue
        refs = [grammar.resolve(r, table) for r in grammar.refs(expression)]
        first = outline.columns.get(refs[0]) if refs else None
        flags.append(
            Flag(
                key=f"rule:{table}:{rule.code}",
                kind="rule",
                severity=rule.severity,
                text=rule.message,
                table=table,
                column_id=first.pk if first else None,
                # A computed Biểu (models) has no cells to point at: its table.
                cells=list(
                    dict.fromkeys(
                        anchor(*ref)
                        for ref in refs
                        if outline.columns[ref].table_source == TableSource.ENTERED
                    )
                ),
            )
        )
    return flags
