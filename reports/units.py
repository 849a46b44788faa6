"""Reading the unit hierarchy from CSV and keeping tree paths in step."""

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Q
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from .models import Level, Report, ReportStatus, Round, Unit, UnitType
from .text import clean_text, has_control_characters

CSV_COLUMNS = ["code", "name", "type", "parent_code"]
# A file may also carry each unit's validity (dd/mm/yyyy; empty: open).
DATED_COLUMNS = [*CSV_COLUMNS, "valid_from", "valid_to"]
# ... and the codes of the former units it was formed from ("25489;25492").
REFORM_COLUMNS = [*DATED_COLUMNS, "predecessors"]
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")

# Codes become parts of the stored tree path ("72/705/25489/"), so a code may not
# hold the separator or anything but letters, digits, ".", "_" and "-".
CODE_PATTERN = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]*")
CODE_MAX = Unit._meta.get_field("code").max_length
NAME_MAX = Unit._meta.get_field("name").max_length
PATH_MAX = Unit._meta.get_field("path").max_length

# Which level a unit type sits at, by the level's code. Member organisations
# report beside the districts, so they sit at the districts' level.
LEVEL_OF_TYPE = {
    UnitType.QUOC_GIA: "trung-uong",
    UnitType.TINH: "tinh",
    UnitType.THANH_PHO_TW: "tinh",
    UnitType.THANH_PHO: "huyen",
    UnitType.THI_XA: "huyen",
    UnitType.HUYEN: "huyen",
    UnitType.QUAN: "huyen",
    UnitType.TO_CHUC: "huyen",
    UnitType.PHUONG: "xa",
    UnitType.THI_TRAN: "xa",
    UnitType.XA: "xa",
}


# The default levels (also created by migration 0002); administrators may edit them.
DEFAULT_LEVELS = [
    ("trung-uong", "trung ương", 0),
    ("tinh", "tỉnh", 1),
    ("huyen", "huyện", 2),
    ("xa", "xã", 3),
]


def ensure_levels():
    """Create the default levels that are missing (after a database flush, say)."""
    for code, name, order in DEFAULT_LEVELS:
        Level.objects.get_or_create(code=code, defaults={"name": name, "order": order})


class UnitImportError(Exception):
    """The file was refused; ``errors`` names each bad line."""

    def __init__(self, errors):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class ImportResult:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    # Codes whose parent the file changes, and codes (moved or retired) that
    # have reports, with how many: what a dry run must show before writing.
    moved: list = field(default_factory=list)
    flagged: dict = field(default_factory=dict)
    # ``RetireLine``s of the units missing from the file (retire_missing_as_of).
    retired: list = field(default_factory=list)


def set_parent(unit, parent):
    """Attach ``unit`` under ``parent`` and recompute the paths of its subtree."""
    old_path = unit.path
    unit.parent = parent
    unit.path = unit.compute_path()
    unit.depth = unit.path.count("/") - 1
    unit.save()
    if old_path and old_path != unit.path:
        for child in Unit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk):
            child.path = unit.path + child.path[len(old_path) :]
            child.depth = child.path.count("/") - 1
            child.save(update_fields=["path", "depth"])
    return unit


def _read_rows(data):
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise UnitImportError(
                [_("Tệp không phải văn bản UTF-8 (CSV): %(err)s") % {"err": exc}]
            ) from exc
    reader = csv.reader(io.StringIO(data))
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise UnitImportError(
            [
                _("Dòng %(line)s: tệp CSV bị lỗi (%(err)s).")
                % {"line": reader.line_num, "err": exc}
            ]
        ) from exc
    if not rows:
        raise UnitImportError([_("Tệp rỗng.")])
    header = [h.strip().lower() for h in rows[0]]
    if header not in (CSV_COLUMNS, DATED_COLUMNS, REFORM_COLUMNS):
        raise UnitImportError(
            [
                _("Dòng 1: tiêu đề phải là %(expected)s, tệp có %(got)s.")
                % {
                    "expected": _(
                        "%(plain)s (có thể thêm ,valid_from,valid_to và ,predecessors)"
                    )
                    % {"plain": ",".join(CSV_COLUMNS)},
                    "got": Truncator(",".join(header)).chars(100),
                }
            ]
        )
    return header, rows[1:]


def _parse_date(text):
    """A date from dd/mm/yyyy (or yyyy-mm-dd); None when empty; ValueError if bad."""
    if not text:
        return None
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    raise ValueError(text)


def _validity(cells, line_errors):
    """(valid_from, valid_to) of a dated line; bad dates named in ``line_errors``."""
    dates = []
    for label, text in zip((_("hiệu lực từ"), _("hiệu lực đến")), cells, strict=True):
        try:
            dates.append(_parse_date(text))
        except ValueError:
            line_errors.append(
                _("%(label)s “%(text)s” không phải ngày dd/mm/yyyy")
                % {"label": label, "text": Truncator(text).chars(20)}
            )
            dates.append(None)
    valid_from, valid_to = dates
    if valid_from and valid_to and valid_to < valid_from:
        line_errors.append(_("ngày hết hiệu lực trước ngày bắt đầu hiệu lực"))
    return valid_from, valid_to


def _validity_errors(parsed, validity, existing):
    """Lines whose unit would start before its parent does."""
    errors = []
    for line_no, code, _n, _t, parent_code in parsed:
        start = validity.get(code, (None, None))[0]
        if not parent_code or start is None:
            continue
        if parent_code in validity:
            parent_start = validity[parent_code][0]
        elif parent_code in existing:
            parent_start = existing[parent_code].valid_from
        else:
            continue  # an unknown parent, named above
        if parent_start is not None and start < parent_start:
            errors.append(
                _(
                    "Dòng %(line)s: đơn vị có hiệu lực từ %(start)s, trước đơn vị "
                    "cấp trên %(parent)s (từ %(pstart)s)."
                )
                % {
                    "line": line_no,
                    "start": f"{start:%d/%m/%Y}",
                    "parent": parent_code,
                    "pstart": f"{parent_start:%d/%m/%Y}",
                }
            )
    return errors


def import_units(data, *, dry_run=False, retire_missing_as_of=None):
    """Create or update units from CSV text in the ``units-tay-ninh-2020.csv`` form.

    The whole file is checked first; any bad line (broken, duplicate code, bad
    type, unknown parent) refuses the file and nothing is written. With
    ``retire_missing_as_of``, the units valid on that date and missing from
    the file are retired as of it (see ``retire_units``; refusals refuse the
    file). The result names moves and flags moved or retired units that have
    reports.
    """
    header, rows = _read_rows(data)
    dated = header in (DATED_COLUMNS, REFORM_COLUMNS)
    with_predecessors = header == REFORM_COLUMNS
    validity, predecessors = {}, {}
    levels = {level.code: level for level in Level.objects.all()}
    existing = {u.code: u for u in Unit.objects.select_related("parent")}
    errors = []
    parsed = []
    seen = {}
    for line_no, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            errors.append(
                _("Dòng %(line)s: cần %(n)s cột, dòng có %(got)s cột.")
                % {"line": line_no, "n": len(header), "got": len(row)}
            )
            continue
        if any(has_control_characters(cell) for cell in row):
            errors.append(
                _("Dòng %(line)s: có ký tự điều khiển không hợp lệ.")
                % {"line": line_no}
            )
            continue
        code, name, unit_type, parent_code, *dated_cells = (clean_text(c) for c in row)
        line_errors = []
        if dated:
            validity[code] = _validity(dated_cells[:2], line_errors)
        if with_predecessors:
            predecessors[code] = (line_no, dated_cells[2].replace(";", " ").split())
        if not code:
            line_errors.append(_("thiếu mã đơn vị"))
        elif len(code) > CODE_MAX or not CODE_PATTERN.fullmatch(code):
            line_errors.append(
                _(
                    "mã “%(code)s” không hợp lệ (tối đa %(max)s ký tự: chữ cái không "
                    "dấu, số, dấu chấm, gạch ngang, gạch dưới)"
                )
                % {"code": Truncator(code).chars(30), "max": CODE_MAX}
            )
        elif code in seen:
            line_errors.append(
                _("mã %(code)s trùng với dòng %(other)s")
                % {"code": code, "other": seen[code]}
            )
        if not name:
            line_errors.append(_("thiếu tên đơn vị"))
        elif len(name) > NAME_MAX:
            line_errors.append(
                _("tên đơn vị dài %(n)s ký tự, tối đa %(max)s")
                % {"n": f"{len(name):,}".replace(",", "."), "max": NAME_MAX}
            )
        if unit_type not in UnitType.values:
            line_errors.append(
                _("loại đơn vị “%(type)s” không hợp lệ (hợp lệ: %(valid)s)")
                % {
                    "type": Truncator(unit_type).chars(30),
                    "valid": ", ".join(UnitType.values),
                }
            )
        elif LEVEL_OF_TYPE[unit_type] not in levels:
            line_errors.append(
                _("chưa khai báo cấp “%(level)s” cho loại %(type)s")
                % {"level": LEVEL_OF_TYPE[unit_type], "type": unit_type}
            )
        if parent_code and parent_code == code:
            line_errors.append(_("đơn vị không thể là cấp trên của chính nó"))
        if line_errors:
            errors.append(
                _("Dòng %(line)s: %(errors)s.")
                % {"line": line_no, "errors": "; ".join(line_errors)}
            )
        if code:
            seen.setdefault(code, line_no)
        parsed.append((line_no, code, name, unit_type, parent_code))
    known = set(existing) | set(seen)
    for line_no, _code, _name, _type, parent_code in parsed:
        if parent_code and parent_code not in known:
            errors.append(
                _("Dòng %(line)s: không tìm thấy đơn vị cấp trên có mã %(parent)s.")
                % {"line": line_no, "parent": Truncator(parent_code).chars(30)}
            )
    if not errors:
        errors.extend(_cycle_errors(parsed, existing))
    if not errors:
        errors.extend(_path_errors(parsed, existing))
    errors.extend(_validity_errors(parsed, validity, existing))
    for code, (line_no, former) in predecessors.items():
        unknown = [c for c in former if c not in known or c == code]
        if unknown:
            errors.append(
                _("Dòng %(line)s: đơn vị tiền thân không hợp lệ: %(codes)s.")
                % {"line": line_no, "codes": Truncator(", ".join(unknown)).chars(60)}
            )
    if errors:
        raise UnitImportError(errors)

    result = ImportResult()
    in_file = [code for _line, code, *_rest in parsed]
    missing = Unit.objects.none()
    if retire_missing_as_of is not None:
        missing = Unit.objects.as_of(retire_missing_as_of).exclude(code__in=in_file)
        result.retired = retire_units(
            missing, retire_missing_as_of, dry_run=True, keep=in_file
        ).lines
    for _line, code, _n, _t, parent_code in parsed:
        unit = existing.get(code)
        if unit is not None and (unit.parent.code if unit.parent_id else "") != (
            parent_code or ""
        ):
            result.moved.append(code)
    counts = dict(
        Report.objects.filter(unit__code__in=result.moved)
        .values("unit__code")
        .annotate(n=Count("pk"))
        .values_list("unit__code", "n")
    )
    counts.update({line.unit.code: line.reports for line in result.retired})
    result.flagged = {code: n for code, n in counts.items() if n}
    if dry_run:
        for code in in_file:
            (result.updated if code in existing else result.created).append(code)
        return result
    with transaction.atomic():
        by_code = dict(existing)
        pending = list(parsed)
        # Parents first: repeat passes until every row has found its parent.
        while pending:
            progressed = []
            for item in pending:
                _line, code, name, unit_type, parent_code = item
                if parent_code and parent_code not in by_code:
                    continue
                unit = by_code.get(code) or Unit(code=code)
                (result.updated if unit.pk else result.created).append(code)
                unit.name = name
                unit.unit_type = unit_type
                unit.level = levels[LEVEL_OF_TYPE[unit_type]]
                if dated:
                    unit.valid_from, unit.valid_to = validity[code]
                set_parent(unit, by_code[parent_code] if parent_code else None)
                by_code[code] = unit
                progressed.append(item)
            if not progressed:  # cannot happen after the checks above
                raise UnitImportError([_("Không sắp được thứ tự cấp trên.")])
            pending = [item for item in pending if item not in progressed]
        for code, (_line, former) in predecessors.items():
            by_code[code].predecessors.set([by_code[c] for c in former])
        if retire_missing_as_of is not None:
            retire_units(missing, retire_missing_as_of, keep=in_file)
    return result


def _cycle_errors(parsed, existing):
    parent_of = {
        code: unit.parent.code for code, unit in existing.items() if unit.parent_id
    }
    for _line, code, _n, _t, parent_code in parsed:
        parent_of[code] = parent_code or None
    errors = []
    for line_no, code, *_rest in parsed:
        seen = {code}
        current = parent_of.get(code)
        while current:
            if current in seen:
                errors.append(
                    _("Dòng %(line)s: quan hệ cấp trên của mã %(code)s tạo thành vòng.")
                    % {"line": line_no, "code": code}
                )
                break
            seen.add(current)
            current = parent_of.get(current)
    return errors


def _path_errors(parsed, existing):
    """Lines whose unit would sit too deep for the stored tree path."""
    parent_of = {
        code: unit.parent.code for code, unit in existing.items() if unit.parent_id
    }
    for _line, code, _n, _t, parent_code in parsed:
        parent_of[code] = parent_code or None
    errors = []
    for line_no, code, *_rest in parsed:
        length, current = 0, code
        while current:
            length += len(current) + 1
            current = parent_of.get(current)
        if length > PATH_MAX:
            errors.append(
                _("Dòng %(line)s: đơn vị %(code)s nằm quá sâu trong cây đơn vị.")
                % {"line": line_no, "code": code}
            )
    return errors


# --- Retiring as of a date -------------------------------------------------------


class RetireRefused(UnitImportError):
    """Some units cannot be retired; ``errors`` names each, nothing was written."""


@dataclass
class RetireLine:
    unit: Unit
    # How many reports the unit has (any round, any status): flagged in the
    # dry run, since those reports stay with rounds before the date.
    reports: int = 0


@dataclass
class RetireResult:
    date: object
    lines: list = field(default_factory=list)


def retire_units(units, date, *, dry_run=False, keep=()):
    """Retire ``units`` and every unit below them as of ``date`` (``valid_to``).

    Rounds that read the hierarchy before ``date`` still see them; later ones do
    not. Refused, unit by unit and with nothing written, when a unit is not yet
    valid on ``date`` or has a report still open (not approved) in a round that
    reads the hierarchy on or after ``date``. Units already retired on or
    before ``date``, and those whose code is in ``keep``, are left as they are.
    """
    q, tops = Q(), []
    for unit in sorted(units, key=lambda u: u.path):
        # One prefix per subtree: a unit under one already chosen adds nothing.
        if not any(unit.path.startswith(top) for top in tops):
            tops.append(unit.path)
            q |= Q(path__startswith=unit.path)
    if not q:
        return RetireResult(date)
    targets = list(
        Unit.objects.filter(q)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=date))
        .exclude(code__in=keep)
        .order_by("path")
    )
    counts = dict(
        Report.objects.filter(unit__in=targets)
        .values("unit")
        .annotate(n=Count("pk"))
        .values_list("unit", "n")
    )
    later = [r.pk for r in Round.objects.all() if r.as_of >= date]
    open_reports = set(
        Report.objects.filter(unit__in=targets, round__in=later)
        .exclude(status=ReportStatus.APPROVED)
        .values_list("unit_id", flat=True)
    )
    errors = []
    for unit in targets:
        if unit.valid_from is not None and unit.valid_from > date:
            errors.append(
                _("%(unit)s: chỉ có hiệu lực từ %(from)s, sau ngày ngừng hiệu lực.")
                % {"unit": unit, "from": f"{unit.valid_from:%d/%m/%Y}"}
            )
        if unit.pk in open_reports:
            errors.append(
                _(
                    "%(unit)s: còn báo cáo đang mở ở đợt đọc đơn vị từ ngày "
                    "%(date)s trở đi; duyệt hoặc xử lý trước khi giải thể."
                )
                % {"unit": unit, "date": f"{date:%d/%m/%Y}"}
            )
    if errors:
        raise RetireRefused(errors)
    result = RetireResult(date, [RetireLine(u, counts.get(u.pk, 0)) for u in targets])
    if not dry_run:
        with transaction.atomic():
            for unit in targets:
                unit.valid_to = date
                unit.save(update_fields=["valid_to"])
    return result
