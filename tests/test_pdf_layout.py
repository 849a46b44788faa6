"""The PDF read back with word positions (``pdftotext -bbox``): what a clerk would
check before signing (NĐ 30 margins, level header lines, the appendix heading,
no page holding only a heading, a total row or the closing block)."""

import copy
import html
import re
import subprocess
from decimal import Decimal

import pytest

from reports.exports import data, pdf
from tests import test_exports

pytestmark = pytest.mark.django_db

district = test_exports.district
province_consolidation = test_exports.province_consolidation
MM = 72 / 25.4
WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" '
    r'xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
)


def pages(content, tmp_path):
    """[(width, height, [(x0, y0, x1, y1, text), ...]), ...] per page."""
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    out = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    found = []
    for page in re.split(r"<page ", out)[1:]:
        width, height = re.match(r'width="([\d.]+)" height="([\d.]+)"', page).groups()
        words = [
            (float(a), float(b), float(c), float(d), html.unescape(t))
            for a, b, c, d, t in WORD.findall(page)
        ]
        found.append((float(width), float(height), words))
    return found


def lines(words):
    """Words grouped into printed lines (same baseline, ±2 pt), top to bottom."""
    rows = []
    for word in sorted(words, key=lambda w: (round(w[3]), w[0])):
        if rows and abs(rows[-1][0][3] - word[3]) <= 2:
            rows[-1].append(word)
        else:
            rows.append([word])
    return [" ".join(w[4] for w in sorted(row)) for row in rows]


def body_words(words, height):
    """A page's words without its page number (the top margin)."""
    return [w for w in words if w[1] > 18 * MM]


def first(words, text):
    return next(w for w in words if w[4] == text)


@pytest.fixture
def district_pdf(district, tmp_path):
    _, version = district
    return pages(pdf.render_pdf(data.build_version_document(version)), tmp_path)


def test_number_and_date_lines_stand_level(district_pdf):
    _w, _h, words = district_pdf[0]
    number = first(words, "Số:")
    date = first(words, "Tân")  # "Tân Biên, ngày 10 tháng 12 năm 2020"
    assert abs(number[3] - date[3]) <= 1.0, (number, date)


def test_every_page_keeps_nd30_left_margin(district_pdf):
    for index, (width, _h, words) in enumerate(district_pdf, 1):
        left = min(w[0] for w in words)
        assert left >= 30 * MM - 0.5, (index, left / MM)
        if width > 700:  # landscape: top and bottom 20–25 mm
            assert max(w[3] for w in words) <= 595 - 20 * MM + 0.5, index


def test_appendix_heading_precedes_biểu_11(district_pdf):
    text = [line for _w, _h, words in district_pdf for line in lines(words)]
    at = text.index("PHỤ LỤC")
    assert text[at + 1].startswith("Kết quả thực hiện Cuộc vận động “Toàn dân")
    assert text[at + 1].endswith("”") or "”" in text[at + 2]
    biểu = next(i for i, line in enumerate(text) if line.startswith("Biểu 1.1:"))
    assert at < biểu <= at + 3
    # Titles and header labels print typographic quotes too (Biểu 1.3).
    assert any("Quỹ “Vì người nghèo”" in line for line in text)
    assert not any('"' in line for line in text)


def test_subject_has_no_line_of_one_word_and_typographic_quotes(district_pdf):
    _w, _h, words = district_pdf[0]
    text = lines(words)
    start = text.index("BÁO CÁO") + 1
    subject = []
    for line in text[start:]:
        if line.startswith("I."):
            break
        subject.append(line)
    assert subject and '"' not in " ".join(subject)
    assert "“Toàn" in " ".join(subject)
    # "- 2020" is one word and a dash: a line needs two words of letters or digits.
    words = [
        [w for w in line.split() if any(ch.isalnum() for ch in w)] for line in subject
    ]
    assert all(len(found) > 1 for found in words), subject


def _only(page_lines, prefixes):
    return all(any(line.startswith(p) for p in prefixes) for line in page_lines)


def check_pages(found):
    for index, (_w, height, words) in enumerate(found, 1):
        text = lines(body_words(words, height))
        assert text, f"page {index} is empty"
        heading = (
            "Biểu ",
            "(Kèm theo",
            "PHỤ LỤC",
            "Kết quả thực hiện",
            "Huyện ",
            "Tỉnh ",
            "DANH SÁCH",
            "(*)",  # the note under a table of partial totals
        )
        assert not _only(text, heading), (index, text)
        # a total row under nothing but the repeated header
        if any(line.startswith("Tổng cộng") for line in text):
            at = next(i for i, line in enumerate(text) if line.startswith("Tổng cộng"))
            above = [line for line in text[:at] if re.match(r"\d+ ", line)]
            assert above, (index, text)
        if "Nơi nhận:" in " ".join(text):
            at = next(i for i, line in enumerate(text) if "Nơi nhận:" in line)
            assert at > 0, (index, text)  # the closing block alone on a page


def test_no_page_holds_only_a_heading_a_total_or_the_closing_block(
    province_consolidation, tmp_path
):
    version = province_consolidation.tables[0].rows[1].version
    check_pages(pages(pdf.render_pdf(data.build_version_document(version)), tmp_path))
    document = data.build_consolidated_document(province_consolidation)
    check_pages(pages(pdf.render_pdf(document), tmp_path))


def test_tall_first_row_keeps_title_block_with_it(district, tmp_path):
    """A Biểu whose first row is long (many documents) must not leave its title,
    "(Kèm theo …)" line and unit name alone on a page."""
    _, version = district
    document = data.build_version_document(version)
    table = document.tables[0]
    row = table.rows[0]
    row.values = [v * 7 if isinstance(v, list) else v for v in row.values]
    extra = copy.deepcopy(row)
    extra.number = "2"
    table.rows.append(extra)
    total = copy.deepcopy(row)
    total.number, total.label, total.is_total = "", "Tổng cộng", True
    total.values = [
        len(v) if isinstance(v, list) else (Decimal(1) if v is not None else None)
        for v in row.values
    ]
    table.rows.append(total)
    check_pages(pages(pdf.render_pdf(document), tmp_path))


def test_blank_form_is_small(demo):
    template = demo.templates.get(code="huyen")
    content = pdf.render_pdf(data.build_blank_document(template))
    assert len(content) < 300_000, len(content)
