"""Bounded checks of an uploaded workbook before anything is built from it.

A small file can hold millions of tiny cells (a 405 KB file with two million
took 10–17 s and 700 MB to load). So the identity sheet is looked for in the
workbook's index, and the cells and XML elements of every part are counted
while the parts are streamed, with a cap on both and on the time taken, before
openpyxl builds a single cell.
"""

import re
import time
import zipfile
from xml.etree import ElementTree

from django.utils.translation import gettext as _

# Far above any template of the appendix tables (a few thousand cells).
MAX_CELLS = 50_000
# XML elements of all parts together (cells, rows, shared strings, styles, …).
MAX_ELEMENTS = 500_000
MAX_SECONDS = 2.0
MAX_INDEX_BYTES = 1024 * 1024
CHUNK = 64 * 1024
# A cell element, with or without a namespace prefix: <c ...>, <x:c/>.
CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
SHEET_PART = re.compile(r"^xl/worksheets/[^/]+\.xml$")


class ImportRejected(Exception):
    """The whole file is refused; ``args[0]`` says why, in Vietnamese."""


def check_workbook(archive, *, identity_sheet):
    """Refuse ``archive`` (an open ``zipfile.ZipFile`` of an .xlsx) unless its
    index names ``identity_sheet`` and it holds at most ``MAX_CELLS`` cells and
    ``MAX_ELEMENTS`` XML elements, all counted within ``MAX_SECONDS``."""
    deadline = time.monotonic() + MAX_SECONDS
    if identity_sheet not in _sheet_names(archive):
        raise ImportRejected(
            _("Tệp không phải mẫu biểu tải từ hệ thống (thiếu thông tin nhận dạng).")
        )
    cells = elements = 0
    for info in archive.infolist():
        if not info.filename.endswith((".xml", ".rels")):
            continue
        part_cells, part_elements = _count(archive, info, deadline)
        cells += part_cells
        elements += part_elements
        if cells > MAX_CELLS:
            raise ImportRejected(
                _("Tệp có quá nhiều ô (hơn %(n)s); mẫu biểu không lớn như vậy.")
                % {"n": f"{MAX_CELLS:,}".replace(",", ".")}
            )
        if elements > MAX_ELEMENTS:
            raise ImportRejected(
                _("Tệp có cấu trúc bất thường (quá nhiều thành phần); không đọc.")
            )


def _sheet_names(archive):
    try:
        info = archive.getinfo("xl/workbook.xml")
    except KeyError:
        return set()
    if info.file_size > MAX_INDEX_BYTES:
        raise ImportRejected(_("Tệp có cấu trúc bất thường; không đọc."))
    try:
        root = ElementTree.fromstring(archive.read(info))
    except (ElementTree.ParseError, zipfile.BadZipFile, OSError) as exc:
        raise ImportRejected(_("Tệp Excel bị hỏng, không đọc được.")) from exc
    return {
        element.get("name")
        for element in root.iter()
        if element.tag.rpartition("}")[2] == "sheet"
    }


def _count(archive, info, deadline):
    """(cells, elements) of one part, read in chunks; a cell split between two
    chunks is counted once (the tail of each chunk is read again)."""
    is_sheet = bool(SHEET_PART.match(info.filename))
    cells = elements = 0
    tail = b""
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(CHUNK):
                if time.monotonic() > deadline:
                    raise ImportRejected(
                        _("Tệp quá phức tạp, không kiểm tra kịp; không đọc.")
                    )
                elements += chunk.count(b"<")
                if is_sheet:
                    window = tail + chunk
                    cells += len(CELL.findall(window)) - len(CELL.findall(tail))
                    tail = window[-16:]
                if elements > MAX_ELEMENTS or cells > MAX_CELLS:
                    break
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ImportRejected(_("Tệp Excel bị hỏng, không đọc được.")) from exc
    return cells, elements
