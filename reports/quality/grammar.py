"""The small, safe language of data-quality rules: parse, check against an outline,
evaluate with "no data" as unknown. No ``eval``: a hand-written recursive descent.

    rule        := or
    or          := and (("hoặc" | "or") and)*
    and         := comparison (("và" | "and") comparison)*
    comparison  := sum (("<=" | "<" | ">=" | ">" | "=" | "!=") sum)?
    sum         := product (("+" | "-") product)*
    product     := unary (("*" | "/") unary)*
    unary       := "-" unary | atom
    atom        := number | "có" | "không" | ref | "đếm" "(" ref ")" | "(" or ")"
    ref         := [table code ":"] column code        e.g. xa-ntm, 1.5:giam-sat

Column codes hold hyphens, so a minus between two columns needs spaces
("a - b"). Numbers are written 100 or 1,5. A yes/no column compares with
"có"/"không" (= or != only); a document list is counted with ``đếm(...)``.

Values are ``Decimal`` for numbers, ``True``/``False`` for yes/no, and None for
unknown (a missing cell, "no data", a division by zero): comparisons with an
unknown are unknown, "và"/"hoặc" follow three-valued logic.
"""

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, DivisionByZero, InvalidOperation

from django.utils.translation import gettext as _

MAX_LENGTH = 500
MAX_DEPTH = 40
MAX_TOKENS = 200

# Kinds of value an expression has.
NUM, FLAG, BOOL = "num", "flag", "bool"

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<op><=|>=|!=|<>|==|≤|≥|≠|[<>=+\-*/()])
    | (?P<ref>(?:[0-9a-z][0-9a-z.]*:)?[^\W\d_]\w*(?:-\w+)*)
    | (?P<num>\d{1,15}(?:,\d{1,6})?)
    )""",
    re.VERBOSE,
)
_OPS = {"≤": "<=", "≥": ">=", "≠": "!=", "<>": "!=", "==": "="}
_KEYWORDS = {
    "và": "and",
    "va": "and",
    "and": "and",
    "hoặc": "or",
    "hoac": "or",
    "or": "or",
    "có": "yes",
    "co": "yes",
    "không": "no",
    "khong": "no",
    "đếm": "count",
    "dem": "count",
    "count": "count",
}
COMPARISONS = ("<=", "<", ">=", ">", "=", "!=")


class RuleError(ValueError):
    """A rule that cannot be used; the message is Vietnamese and names the spot."""


# --- The tree -------------------------------------------------------------------


@dataclass(frozen=True)
class Num:
    value: Decimal


@dataclass(frozen=True)
class Flag:
    value: bool


@dataclass(frozen=True)
class Ref:
    table: str  # "" for the rule's own table
    column: str

    def text(self):
        return f"{self.table}:{self.column}" if self.table else self.column


@dataclass(frozen=True)
class Count:
    ref: Ref


@dataclass(frozen=True)
class Neg:
    operand: object


@dataclass(frozen=True)
class BinOp:
    op: str
    left: object
    right: object


# --- Parsing --------------------------------------------------------------------


def _tokens(text):
    text = unicodedata.normalize("NFC", text).lower()
    if len(text) > MAX_LENGTH:
        raise RuleError(
            _("Biểu thức quá dài (tối đa %(n)s ký tự).") % {"n": MAX_LENGTH}
        )
    out, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise RuleError(
                _("Không hiểu “%(s)s” (vị trí %(p)s).")
                % {"s": text[pos:].strip()[:20], "p": pos + 1}
            )
        pos = match.end()
        kind = match.lastgroup
        value = match.group(kind)
        if kind == "op":
            out.append(("op", _OPS.get(value, value)))
        elif kind == "num":
            out.append(("num", Decimal(value.replace(",", "."))))
        elif value in _KEYWORDS:
            out.append(("kw", _KEYWORDS[value]))
        else:
            table, _sep, column = value.rpartition(":")
            out.append(("ref", Ref(table, column)))
        if len(out) > MAX_TOKENS:
            raise RuleError(_("Biểu thức quá dài."))
    return out


class _Parser:
    def __init__(self, text):
        self.tokens = _tokens(text)
        self.pos = 0
        self.depth = 0

    def peek(self):
        return self.tokens[self.pos] if self.pos < len(self.tokens) else (None, None)

    def take(self, kind, value=None):
        token = self.peek()
        if token[0] == kind and (value is None or token[1] == value):
            self.pos += 1
            return token
        return None

    def expect(self, kind, value, message):
        if self.take(kind, value) is None:
            raise RuleError(message)

    def parse(self):
        if not self.tokens:
            raise RuleError(_("Biểu thức đang để trống."))
        node = self.logic("or", self.logic_and)
        if self.pos != len(self.tokens):
            raise RuleError(
                _("Thừa “%(s)s” ở cuối biểu thức.") % {"s": _show(self.peek())}
            )
        return node

    def logic(self, word, operand):
        node = operand()
        while self.take("kw", word):
            node = BinOp(word, node, operand())
        return node

    def logic_and(self):
        return self.logic("and", self.comparison)

    def comparison(self):
        node = self.sum()
        token = self.peek()
        if token[0] == "op" and token[1] in COMPARISONS:
            self.pos += 1
            node = BinOp(token[1], node, self.sum())
            after = self.peek()
            if after[0] == "op" and after[1] in COMPARISONS:
                raise RuleError(_("Không viết hai phép so sánh liền nhau; dùng “và”."))
        return node

    def sum(self):
        node = self.product()
        while (token := self.peek())[0] == "op" and token[1] in "+-":
            self.pos += 1
            node = BinOp(token[1], node, self.product())
        return node

    def product(self):
        node = self.unary()
        while (token := self.peek())[0] == "op" and token[1] in "*/":
            self.pos += 1
            node = BinOp(token[1], node, self.unary())
        return node

    def unary(self):
        if self.take("op", "-"):
            return Neg(self.nested(self.unary))
        return self.atom()

    def nested(self, rule):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise RuleError(_("Biểu thức lồng nhau quá sâu."))
        try:
            return rule()
        finally:
            self.depth -= 1

    def atom(self):
        kind, value = self.peek()
        if kind is None:
            raise RuleError(_("Biểu thức kết thúc giữa chừng."))
        self.pos += 1
        if kind == "num":
            return Num(value)
        if kind == "ref":
            return value
        if kind == "kw" and value in ("yes", "no"):
            return Flag(value == "yes")
        if kind == "kw" and value == "count":
            self.expect("op", "(", _("Sau “đếm” cần “(”."))
            ref = self.take("ref")
            if ref is None:
                raise RuleError(_("“đếm(…)” nhận một mã cột danh sách văn bản."))
            self.expect("op", ")", _("Thiếu “)” sau “đếm(…”."))
            return Count(ref[1])
        if kind == "op" and value == "(":
            node = self.nested(lambda: self.logic("or", self.logic_and))
            self.expect("op", ")", _("Thiếu dấu “)”."))
            return node
        raise RuleError(_("Không đúng chỗ: “%(s)s”.") % {"s": _show((kind, value))})


def _show(token):
    kind, value = token
    if kind == "ref":
        return value.text()
    return {"and": "và", "or": "hoặc", "yes": "có", "no": "không", "count": "đếm"}.get(
        value, str(value)
    )


def parse(text):
    """The tree of ``text``; raises ``RuleError`` with a Vietnamese message."""
    return _Parser(str(text or "")).parse()


def refs(node):
    """Every column reference in ``node``, in order."""
    if isinstance(node, Ref):
        return [node]
    if isinstance(node, Count):
        return [node.ref]
    if isinstance(node, Neg):
        return refs(node.operand)
    if isinstance(node, BinOp):
        return refs(node.left) + refs(node.right)
    return []


# --- Checking against the outline ---------------------------------------------


@dataclass(frozen=True)
class ColumnInfo:
    """What a rule needs to know of a column: its kind and, if computed, its parts."""

    table: str
    code: str
    col_type: str
    parts: tuple = ()  # (table, code) of the columns a computed value reads


def check(node, schema, table, *, want=BOOL):
    """Raise ``RuleError`` unless ``node`` is well typed over ``schema``.

    ``schema`` maps (table code, column code) to ``ColumnInfo``; unqualified
    references are to ``table``. A literal division by zero, a reference to a
    missing or text column and a cycle between computed columns are refused.
    """
    kind = _kind(node, schema, table)
    if kind != want:
        if want == BOOL:
            raise RuleError(
                _("Biểu thức phải là một phép so sánh (ví dụ: a <= b), cho đúng/sai.")
            )
        raise RuleError(_("Biểu thức phải cho một giá trị đúng/sai."))
    for ref in refs(node):
        _check_cycle(resolve(ref, table), schema, ())


def resolve(ref, table):
    return (ref.table or table, ref.column)


def _info(ref, schema, table):
    key = resolve(ref, table)
    info = schema.get(key)
    if info is None:
        if ref.table and not any(t == ref.table for t, _c in schema):
            raise RuleError(
                _("Không có Biểu %(t)s trong mẫu báo cáo (ở “%(r)s”).")
                % {"t": ref.table, "r": ref.text()}
            )
        raise RuleError(
            _("Cột “%(c)s” không có trong Biểu %(t)s.") % {"c": key[1], "t": key[0]}
        )
    return info


def _kind(node, schema, table):
    if isinstance(node, Num):
        return NUM
    if isinstance(node, Flag):
        return FLAG
    if isinstance(node, Count):
        info = _info(node.ref, schema, table)
        if info.col_type != "documents":
            raise RuleError(
                _("“đếm(%(c)s)”: cột “%(c)s” không phải danh sách văn bản.")
                % {"c": node.ref.text()}
            )
        return NUM
    if isinstance(node, Ref):
        info = _info(node, schema, table)
        if info.col_type == "yes_no":
            return FLAG
        if info.col_type == "documents":
            raise RuleError(
                _("Cột “%(c)s” là danh sách văn bản: dùng đếm(%(c)s).")
                % {"c": node.text()}
            )
        if info.col_type in ("", "text"):
            raise RuleError(
                _(
                    "Cột “%(c)s” không chứa số; quy tắc chỉ dùng cột số, có/không "
                    "hoặc danh sách văn bản."
                )
                % {"c": node.text()}
            )
        return NUM
    if isinstance(node, Neg):
        _need(node.operand, NUM, schema, table, "-")
        return NUM
    op = node.op
    if op in ("and", "or"):
        _need(node.left, BOOL, schema, table, op)
        _need(node.right, BOOL, schema, table, op)
        return BOOL
    if op in COMPARISONS:
        left = _kind(node.left, schema, table)
        right = _kind(node.right, schema, table)
        if BOOL in (left, right) or left != right:
            raise RuleError(
                _(
                    "Phép “%(op)s” so sánh hai số, hoặc một cột có/không với "
                    "“có”/“không”."
                )
                % {"op": op}
            )
        if left == FLAG and op not in ("=", "!="):
            raise RuleError(_("Cột có/không chỉ so sánh bằng “=” hoặc “!=”."))
        return BOOL
    _need(node.left, NUM, schema, table, op)
    _need(node.right, NUM, schema, table, op)
    if op == "/" and not refs(node.right) and evaluate(node.right, {}, table) == 0:
        raise RuleError(_("Chia cho 0."))
    return NUM


def _need(node, kind, schema, table, op):
    if _kind(node, schema, table) != kind:
        word = _show(("kw", op))
        if kind == BOOL:
            raise RuleError(
                _("Hai vế của “%(op)s” phải là phép so sánh.") % {"op": word}
            )
        raise RuleError(_("Phép “%(op)s” cần số ở hai vế.") % {"op": word})


def _check_cycle(key, schema, path):
    if key in path:
        cycle = " → ".join(c for _t, c in (*path, key))
        raise RuleError(
            _("Cột “%(c)s” tính vòng quanh: %(cycle)s.") % {"c": key[1], "cycle": cycle}
        )
    info = schema.get(key)
    for part in info.parts if info else ():
        _check_cycle(part, schema, (*path, key))


# --- Evaluating -----------------------------------------------------------------


def evaluate(node, values, table):
    """The value of ``node``; ``values`` maps (table, column) to a value or None.

    A document list's value is its number of documents.
    """
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Flag):
        return node.value
    if isinstance(node, Ref | Count):
        ref = node if isinstance(node, Ref) else node.ref
        return values.get(resolve(ref, table))
    if isinstance(node, Neg):
        value = evaluate(node.operand, values, table)
        return None if value is None else -value
    op = node.op
    left = evaluate(node.left, values, table)
    if op == "and" and left is False:
        return False
    if op == "or" and left is True:
        return True
    right = evaluate(node.right, values, table)
    if op in ("and", "or"):
        if right is (op == "or"):
            return right
        return None if left is None or right is None else right
    if left is None or right is None:
        return None
    return _APPLY[op](left, right)


def _divide(left, right):
    try:
        return left / right
    except (DivisionByZero, InvalidOperation, ZeroDivisionError):
        return None


_APPLY = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": _divide,
    "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b,
    ">=": lambda a, b: a >= b,
    ">": lambda a, b: a > b,
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}
