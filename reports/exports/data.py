"""The format-free printed report: header, sections, appendix rows with typed values.

One builder feeds the screen, the Excel file and the PDF so the three agree. Values
follow the consolidation contract (see ``reports.consolidation``): numbers are
``Decimal``, yes/no ``bool`` (a total: ``int`` count), documents a ``list`` of
dicts (a total: ``int`` count), text ``str``, percentages a ``Decimal`` in 0–100
recomputed from their parts. Every value prints through ``reports.cells``.
"""

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import cells as cell_contract
from .. import consolidation as consolidation_module
from ..consolidation import SOURCE_MISSING, SOURCE_SUBMITTED
from ..models import (
    AppendixTable,
    ColumnType,
    ReportStatus,
    Section,
    TableColumn,
    TableSource,
    UnitType,
)
from ..outline import table_layout

PLACE_PREFIXES = (
    "Thành phố ",
    "Thị xã ",
    "Thị trấn ",
    "Huyện ",
    "Quận ",
    "Tỉnh ",
    "Phường ",
    "Xã ",
)
BLANK = "……"
# A consolidated row without figures says why, never a silent blank row.
NO_REPORT = gettext_lazy("Chưa có báo cáo")
NOT_APPROVED = gettext_lazy("Đã nộp, chưa duyệt")


@dataclass
class DocHeader:
    parent_body: str
    issuing_body: str
    number_line: str
    right_block: str
    place_date: str

    @property
    def parent_lines(self):
        """The parent body broken as printed: "ỦY BAN MTTQ VIỆT NAM" / "TỈNH …"."""
        head, sep, tail = self.parent_body.partition(" VIỆT NAM ")
        return [head + sep.rstrip(), tail] if sep else [self.parent_body]


@dataclass
class SectionBlock:
    code: str
    number: str
    title: str
    depth: int
    shape: str
    text: str = ""
    shortcomings: str = ""
    guidance: str = ""

    @property
    def is_heading(self):
        return self.shape == "heading"


@dataclass
class Leaf:
    """A value column of a printed table."""

    code: str
    label: str
    col_type: str
    unit_label: str = ""

    @property
    def numeric(self):
        return self.col_type in cell_contract.NUMERIC


@dataclass
class HeaderBox:
    """One cell of the header as printed (leading STT / Đơn vị boxes included)."""

    code: str
    label: str
    note: str
    colspan: int
    rowspan: int


@dataclass
class DataRow:
    label: str
    values: list
    number: str = ""
    is_total: bool = False
    source: str = ""
    # leaf index -> the note of a cell marked "không có số liệu"
    notes: dict = field(default_factory=dict)
    # leaf indexes of a total that leaves out rows
    partial: set = field(default_factory=set)
    # why a consolidated row has no figures ("Chưa có báo cáo"), or that its
    # figures come from a version not yet approved
    status: str = ""

    @property
    def is_empty(self):
        """A unit's row standing in for figures it has not (yet) sent."""
        return bool(self.status) and self.source == SOURCE_MISSING

    def text(self, index):
        """The printed text of the value at ``index``."""
        if index in self.notes:
            return cell_contract.no_data_text(self.notes[index])
        if self.is_total:
            return cell_contract.total_text(
                self.values[index], partial=index in self.partial
            )
        return cell_contract.display_value(self.values[index])


@dataclass
class TableBlock:
    code: str
    title: str
    note: str
    attached_line: str
    unit_name: str
    header_rows: list
    leaves: list
    rows: list

    @property
    def heading(self):
        return _("Biểu %(code)s: %(title)s") % {"code": self.code, "title": self.title}

    @property
    def width(self):
        return LEAD_COLUMNS + len(self.leaves)

    @property
    def footnote(self):
        """The note under a table whose totals leave out rows."""
        if any(row.partial for row in self.rows):
            return cell_contract.PARTIAL_NOTE
        return ""


LEAD_COLUMNS = 2  # STT, Đơn vị


@dataclass
class ModelEntry:
    name: str
    content_area: str
    unit_in_charge: str
    year_started: object
    results: str
    reporting_unit: str = ""


@dataclass
class ExportDocument:
    """Everything a printed report shows, in print order."""

    unit_name: str
    unit_code: str
    round_code: str
    header: DocHeader
    doc_type: str
    subject: str
    sections: list
    models: list
    recipients: list
    signature_lead: str
    signer_title: str
    signer_name: str
    tables: list
    filename_stem: str
    draft: bool = False
    consolidated: bool = False
    blank: bool = False
    version_number: int | None = None
    intro: list = field(default_factory=list)
    # The appendix heading as the plan prints it: "PHỤ LỤC" and its subtitle.
    appendix_subtitle: str = ""
    # The sealed copy's line on every page (version, approval time, approver).
    seal_line: str = ""

    @property
    def appendix_title(self):
        return _("PHỤ LỤC") if self.tables else ""


# --- Formatting (shared by PDF and screen) ------------------------------------


def format_value(value, leaf, *, total=False):
    """A cell value as printed text (see ``reports.cells.display_value``); the
    signature the Excel import's preview calls."""
    return cell_contract.display_value(value)


def date_words(value):
    """ "ngày 06 tháng 10 năm 2020": days below 10 and months 1–2 get a zero."""
    if not value:
        return _("ngày %(b)s tháng %(b)s năm %(b)s") % {"b": BLANK}
    month = f"{value.month:02d}" if value.month < 3 else str(value.month)
    return _("ngày %(d)s tháng %(m)s năm %(y)s") % {
        "d": f"{value.day:02d}",
        "m": month,
        "y": value.year,
    }


def typographic(text):
    """Straight double quotes as printed: “…” (an opening one after a space, a
    bracket or the start of the text)."""
    return re.sub(r'(^|[\s(\[{–-])"', "\\1“", text or "").replace('"', "”")


def appendix_subtitle(round_):
    """ "Kết quả thực hiện Cuộc vận động “…”" under "PHỤ LỤC" (the plan's words)."""
    campaign = getattr(round_, "campaign", None)
    if campaign is None:
        return ""
    return typographic(_("Kết quả thực hiện %(name)s") % {"name": campaign.name})


# --- Header -----------------------------------------------------------------


def place_name(unit):
    """The place of the date line: the unit's name without its type word."""
    for prefix in PLACE_PREFIXES:
        if unit.name.startswith(prefix):
            rest = unit.name[len(prefix) :]
            # "Phường 1" keeps its type word: a bare number is not a place.
            return unit.name if rest.isdigit() else rest
    return unit.name


def province_of(unit):
    node = unit
    while node is not None and node.unit_type != UnitType.TINH:
        node = node.parent
    return node


def bodies(unit):
    """(parent body, issuing body, signature lead) for the header's left block."""
    if unit.unit_type == UnitType.TO_CHUC:
        province = unit.parent
        name = unit.name
        if province is not None and name.lower().endswith(" tỉnh"):
            name = f"{name} {place_name(province)}"
        return "", name.upper(), _("TM. BAN THƯỜNG VỤ")
    return (
        _("ỦY BAN MTTQ VIỆT NAM %(name)s") % {"name": unit.name.upper()},
        _("BAN THƯỜNG TRỰC"),
        _("TM. BAN THƯỜNG TRỰC"),
    )


def header_date(value):
    """The report's date: ISO text in a version's header, a date in a draft."""
    try:
        return cell_contract.parse_date(value)
    except ValidationError:
        return None


def doc_header(unit, header):
    parent_body, issuing_body, _lead = bodies(unit)
    number = header.get("document_number") or ""
    date = header_date(header.get("document_date"))
    place_unit = province_of(unit) if unit.unit_type == UnitType.TO_CHUC else unit
    return DocHeader(
        parent_body=parent_body,
        issuing_body=issuing_body,
        number_line=_("Số: %(n)s") % {"n": number or BLANK},
        right_block=settings.PRINT_HEADER_RIGHT,
        place_date=f"{place_name(place_unit or unit)}, {date_words(date)}",
    )


def attached_line(header):
    number = header.get("document_number") or BLANK
    date = cell_contract.format_date(header_date(header.get("document_date"))) or BLANK
    return _("(Kèm theo Báo cáo số %(n)s ngày %(d)s)") % {"n": number, "d": date}


def recipient_lines(text):
    lines = []
    for raw in (text or "").splitlines():
        line = raw.strip().lstrip("-–•").strip()
        if line:
            lines.append(line)
    return lines


# --- Outline ------------------------------------------------------------------


def printed_number(code, depth):
    """ "I" -> "I.", "I.1" -> "1.", "II.1.1" -> "1.1." (the Roman part is above)."""
    if depth == 0:
        return f"{code}."
    return ".".join(code.split(".")[1:]) + "."


def section_blocks(template, answers):
    sections = list(Section.objects.filter(template=template).order_by("order"))
    depth_of = {}
    by_pk = {s.pk: s for s in sections}
    blocks = []
    for section in sections:
        parent = by_pk.get(section.parent_id)
        depth = depth_of.get(parent.pk, -1) + 1 if parent else 0
        depth_of[section.pk] = depth
        answer = answers.get(section.code) or {}
        blocks.append(
            SectionBlock(
                code=section.code,
                number=printed_number(section.code, depth),
                title=section.title,
                depth=depth,
                shape=section.shape,
                text=answer.get("text", ""),
                shortcomings=answer.get("shortcomings", ""),
                guidance=section.guidance,
            )
        )
    return blocks


def template_tables(template):
    """The template's tables with their columns, in two queries."""
    tables = list(AppendixTable.objects.filter(template=template).order_by("order"))
    columns = {}
    for column in TableColumn.objects.filter(table__template=template):
        columns.setdefault(column.table_id, []).append(column)
    return [(table, columns.get(table.pk, [])) for table in tables]


def header_boxes(layout):
    """The printed header of ``layout`` (labelled for its level already)."""
    depth = max(layout.depth, 1)
    lead = [
        HeaderBox("stt", _("STT"), "", 1, depth),
        HeaderBox("don-vi", _("Đơn vị"), "", 1, depth),
    ]
    rows = []
    for index, row in enumerate(layout.rows or [[]]):
        boxes = lead if index == 0 else []
        for cell in row:
            note = cell.note
            unit_label = cell.column.unit_label
            if cell.column.is_leaf and unit_label and f"({unit_label})" not in note:
                note = f"{note} ({unit_label})".strip()
            boxes = boxes + [
                HeaderBox(
                    cell.column.code,
                    typographic(cell.label),
                    typographic(note),
                    cell.colspan,
                    cell.rowspan,
                )
            ]
        rows.append(boxes)
    return rows


def header_grid(table):
    """(row, column, box) for every header box, 0-based, as an HTML table lays
    out row/column spans; the leading STT and Đơn vị boxes are included."""
    taken = set()
    placed = []
    for r, boxes in enumerate(table.header_rows):
        c = 0
        for box in boxes:
            while (r, c) in taken:
                c += 1
            placed.append((r, c, box))
            for dr in range(box.rowspan):
                for dc in range(box.colspan):
                    taken.add((r + dr, c + dc))
            c += box.colspan
    return placed


def leaves_of(layout):
    return [
        Leaf(
            code=column.code,
            label=column.label,
            col_type=column.col_type,
            unit_label=column.unit_label,
        )
        for column in layout.leaves
    ]


def unit_values(columns, cells, models_data, table):
    """column id -> value for one unit's row (cells: column id -> cell)."""
    values, notes = {}, {}
    if table.source == TableSource.MODELS:
        for column in columns:
            if column.is_leaf:
                values[column.pk] = cell_contract.model_count(models_data, column)
        return values, notes
    for column in columns:
        if not column.is_leaf or column.col_type == ColumnType.PERCENT:
            continue
        cell = cells.get(column.pk)
        values[column.pk] = cell_value(cell, column)
        if cell is not None and cell.no_data:
            notes[column.pk] = cell.note
    for column in columns:
        if column.col_type == ColumnType.PERCENT:
            values[column.pk] = cell_contract.percent_of(column, cells)
    return values, notes


def cell_value(cell, column):
    if cell is None or cell.no_data:
        return None
    match column.col_type:
        case ColumnType.YES_NO:
            return cell.flag
        case ColumnType.DOCUMENTS:
            return list(cell.docs or [])
        case ColumnType.TEXT:
            return cell.text
    return cell.num


def model_entries(models_data, reporting_unit=""):
    return [
        ModelEntry(
            name=m.get("name", ""),
            content_area=m.get("content_area", ""),
            unit_in_charge=m.get("unit_in_charge", ""),
            year_started=m.get("year_started", ""),
            results=m.get("results", ""),
            reporting_unit=reporting_unit,
        )
        for m in models_data
    ]


# --- Builders -----------------------------------------------------------------


def _document(unit, round_, template, *, header, answers, cells, models_data, **extra):
    level_name = unit.level.name if unit.level_id else BLANK
    tables = []
    for table, columns in template_tables(template):
        layout = table_layout(table, columns, level_name=level_name)
        values, notes = unit_values(columns, cells, models_data, table)
        tables.append(
            TableBlock(
                code=table.code,
                title=typographic(table.title),
                note=table.note,
                attached_line=attached_line(header),
                unit_name=unit.name,
                header_rows=header_boxes(layout),
                leaves=leaves_of(layout),
                rows=[
                    DataRow(
                        label=unit.name,
                        number="1",
                        values=[values.get(leaf.pk) for leaf in layout.leaves],
                        notes={
                            i: notes[leaf.pk]
                            for i, leaf in enumerate(layout.leaves)
                            if leaf.pk in notes
                        },
                    )
                ],
            )
        )
    _parent, _issuing, lead = bodies(unit)
    return ExportDocument(
        unit_name=unit.name,
        unit_code=unit.code,
        round_code=round_.code,
        header=doc_header(unit, header),
        doc_type=_("BÁO CÁO"),
        subject=typographic(template.subject),
        sections=section_blocks(template, answers),
        models=model_entries(models_data),
        recipients=recipient_lines(header.get("recipients")),
        signature_lead=lead,
        signer_title=(header.get("signer_title") or "").upper(),
        signer_name=header.get("signer_name") or "",
        tables=tables,
        appendix_subtitle=appendix_subtitle(round_),
        **extra,
    )


def _header_unit(unit):
    """``unit`` with its parent loaded: the header walks up to the province for
    member organisations."""
    from ..models import Unit

    if unit.parent_id and not Unit._meta.get_field("parent").is_cached(unit):
        unit = Unit.objects.select_related("level", "parent").get(pk=unit.pk)
    return unit


def build_version_document(version):
    """The printed form of a submitted version (the official copy)."""
    report = version.report
    report.unit = unit = _header_unit(report.unit)
    cells = {c.column_id: c for c in version.cells.all()}
    return _document(
        unit,
        report.round,
        version.template,
        header=version.header or {},
        answers=version.answers or {},
        cells=cells,
        models_data=version.models_data or [],
        version_number=version.number,
        filename_stem=f"bao-cao-{unit.code}-{report.round.code}-lan-{version.number}",
    )


def seal_line(version):
    """ "Bản lưu báo cáo đã duyệt – lần nộp N, duyệt lúc hh:mm ngày dd/mm/yyyy,
    người duyệt: …" from the approval that approved ``version``."""
    from django.utils import timezone

    from ..models import ReportEvent

    event = (
        ReportEvent.objects.filter(
            report_id=version.report_id, to_status=ReportStatus.APPROVED
        )
        .select_related("actor")
        .order_by("-pk")
        .first()
    )
    when, who = BLANK, BLANK
    if event is not None:
        moment = timezone.localtime(event.created_at)
        when = _("%(t)s ngày %(d)s") % {
            "t": moment.strftime("%H:%M"),
            "d": cell_contract.format_date(moment.date()),
        }
        who = event.actor.get_full_name() or event.actor.get_username()
    return _(
        "Bản lưu báo cáo đã duyệt – lần nộp %(n)s, duyệt lúc %(when)s, "
        "người duyệt: %(who)s"
    ) % {"n": version.number, "when": when, "who": who}


def build_sealed_document(version):
    """The version's printed form as its sealed copy: every page says so."""
    document = build_version_document(version)
    document.seal_line = seal_line(version)
    return document


def build_draft_document(report):
    """A preview of the draft, marked BẢN NHÁP (never an official copy)."""
    report.unit = unit = _header_unit(report.unit)
    header = {
        "document_number": report.document_number,
        "document_date": report.document_date,
        "signer_title": report.signer_title,
        "signer_name": report.signer_name,
        "recipients": report.recipients,
    }
    answers = {
        a.section.code: {"text": a.text, "shortcomings": a.shortcomings}
        for a in report.answers.select_related("section")
    }
    models_data = [
        {
            "name": m.name,
            "content_area": m.content_area,
            "unit_in_charge": m.unit_in_charge,
            "year_started": m.year_started,
            "results": m.results,
        }
        for m in report.models.all()
    ]
    return _document(
        unit,
        report.round,
        report.template,
        header=header,
        answers=answers,
        cells={c.column_id: c for c in report.cells.all()},
        models_data=models_data,
        draft=True,
        filename_stem=f"ban-nhap-{unit.code}-{report.round.code}",
    )


def build_blank_document(template, unit=None):
    """An empty printable form of ``template`` to fill by hand (blank lines for
    answers, empty grid rows); headed for ``unit`` when given."""
    from ..models import Unit

    if unit is None:
        sample = (
            Unit.objects.as_of(template.round.as_of)
            .filter(unit_type__in=template.unit_types)
            .select_related("level")
            .first()
        )
        level = sample.level if sample else None
        unit = Unit(name=BLANK, unit_type="", level=level, code="")
    doc = _document(
        unit,
        template.round,
        template,
        header={},
        answers={},
        cells={},
        models_data=[],
        blank=True,
        filename_stem=f"mau-bao-cao-{template.code}-{template.round.code}",
    )
    for table in doc.tables:
        table.unit_name = unit.name
        table.rows = [
            DataRow(label="", number="", values=[None] * len(table.leaves))
            for _ in range(4)
        ]
    return doc


def no_data_note(row, pk):
    """The note of a consolidated row's cell marked "không có số liệu" (its
    value is None and its note kept), or None."""
    if row.values.get(pk) is None and pk in row.notes:
        return row.notes[pk]
    return None


def row_status(row):
    """What a consolidated unit row says instead of (or beside) its figures."""
    if row.source == SOURCE_SUBMITTED:
        return NOT_APPROVED
    if row.source != SOURCE_MISSING:
        return ""
    if row.report is not None and row.report.status == ReportStatus.SUBMITTED:
        return NOT_APPROVED
    return NO_REPORT


def build_consolidated_document(consolidation, *, own_version=None):
    """The consolidated report of ``consolidation.parent``: one row per child unit
    and a total row in every table, the models of all children. The parent's own
    submitted version, when given, supplies the header and the narrative."""
    parent = _header_unit(consolidation.parent)
    header = (own_version.header if own_version else None) or {}
    tables = []
    models = []
    seen_versions = set()
    for ctable in consolidation.tables:
        layout = ctable.layout
        rows = []
        for number, row in enumerate(ctable.rows, start=1):
            rows.append(
                DataRow(
                    label=row.unit.name,
                    number=str(number),
                    values=[row.values.get(leaf.pk) for leaf in layout.leaves],
                    source=row.source,
                    notes={
                        i: note
                        for i, leaf in enumerate(layout.leaves)
                        if (note := no_data_note(row, leaf.pk)) is not None
                    },
                    status=row_status(row),
                )
            )
            if row.version is not None and row.version.pk not in seen_versions:
                seen_versions.add(row.version.pk)
                models += model_entries(row.version.models_data or [], row.unit.name)
        rows.append(
            DataRow(
                label=_("Tổng cộng"),
                values=[ctable.total.get(leaf.pk) for leaf in layout.leaves],
                is_total=True,
                partial={
                    i
                    for i, leaf in enumerate(layout.leaves)
                    if leaf.pk in ctable.partial
                },
            )
        )
        tables.append(
            TableBlock(
                code=ctable.table.code,
                title=typographic(ctable.table.title),
                note=ctable.table.note,
                attached_line=attached_line(header),
                unit_name=parent.name,
                header_rows=header_boxes(layout),
                leaves=leaves_of(layout),
                rows=rows,
            )
        )
    units = {row.unit.pk: row for t in consolidation.tables for row in t.rows}
    counted = sum(1 for row in units.values() if row.source != "missing")
    intro = [
        _("Số liệu tổng hợp từ báo cáo của %(n)s/%(total)s đơn vị trực thuộc.")
        % {"n": counted, "total": len(units)}
    ]
    if consolidation.include_submitted:
        intro.append(_("Có sử dụng số liệu của báo cáo đã nộp nhưng chưa duyệt."))
    if own_version is not None:
        subject = own_version.template.subject
        sections = section_blocks(own_version.template, own_version.answers or {})
    else:
        name = consolidation.round.name
        subject = _("Tổng hợp kết quả %(round)s") % {
            "round": name[:1].lower() + name[1:]
        }
        sections = []
    _parent, _issuing, lead = bodies(parent)
    return ExportDocument(
        unit_name=parent.name,
        unit_code=parent.code,
        round_code=consolidation.round.code,
        header=doc_header(parent, header),
        doc_type=_("BÁO CÁO"),
        subject=typographic(subject),
        sections=sections,
        models=models,
        recipients=recipient_lines(header.get("recipients")),
        signature_lead=lead,
        signer_title=(header.get("signer_title") or "").upper(),
        signer_name=header.get("signer_name") or "",
        tables=tables,
        consolidated=True,
        intro=intro,
        appendix_subtitle=appendix_subtitle(consolidation.round),
        filename_stem=f"tong-hop-{parent.code}-{consolidation.round.code}",
    )


def consolidated_document(parent, round_, *, include_submitted=False):
    """Consolidate ``parent``'s children for ``round_`` and build the document."""
    consolidation = consolidation_module.consolidate(
        parent, round_, include_submitted=include_submitted
    )
    own = parent.reports.filter(round=round_).first()
    own_version = (
        own.versions.select_related("template").newest() if own is not None else None
    )
    return build_consolidated_document(consolidation, own_version=own_version)


@dataclass
class PrintedCell:
    text: str
    numeric: bool
    no_data: bool = False


def printed_rows(table):
    """The table's rows as printed text (PDF and screen), with alignment hints."""
    out = []
    for row in table.rows:
        cells = [
            PrintedCell(
                text=row.text(index),
                numeric=leaf.numeric
                or (row.is_total and leaf.col_type != ColumnType.TEXT),
                no_data=index in row.notes,
            )
            for index, leaf in enumerate(table.leaves)
        ]
        out.append((row, cells))
    return out
