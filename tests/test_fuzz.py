"""Property-based fuzzing of the report form (autosave) and the Excel import:
whatever is typed or uploaded, the answer is a handled one, never a server error,
and nothing is saved that was not meant to be."""

import io
import json
import unicodedata

import openpyxl
import pytest
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from reports import cells
from reports.exports import roundtrip, xlsx
from reports.models import Answer, Cell, ColumnType, DraftPart
from reports.text import clean_typed
from tests.factories import create_report, fill_report

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text a person (or an attacker) may type: any Unicode, Vietnamese in NFD,
# zero-width characters, NUL, markup, number-like strings, very long runs.
typed = st.one_of(
    st.text(max_size=200),
    st.sampled_from(
        [
            unicodedata.normalize("NFD", "Xã Tân Bình đạt chuẩn"),
            "Tân\u200bBiên",
            "a\x00b",
            "<script>alert(1)</script>",
            "1.234,5",
            "1234.5",
            "-3",
            "1e309",
            "NaN",
            "=SUM(A1:A9)",
            "9" * 40,
            "31/02/2020",
        ]
    ),
    st.text(alphabet="0123456789.,- ", max_size=30),
    st.builds(lambda n: "ạ" * n, st.integers(min_value=0, max_value=120_000)),
)
json_value = st.one_of(typed, st.none(), st.integers(), st.booleans(), st.lists(typed))

PARTS = [
    "header",
    "section:I.1",
    "section:II.1.1",
    "section:II.5",
    "table:1.1",
    "table:1.2",
    "table:1.4",
    "table:2",
    "section:I",
    "section:ZZ",
    "bogus",
]
FIELDS = [
    "text",
    "shortcomings",
    "document_number",
    "document_date",
    "signer_name",
    "recipients",
    "c.xa-ntm",
    "c.tien",
    "c.hien-dat",
    "c.tong-ho",
    "c.ho-dat",
    "c.ty-le-ho",
    "c.phat-dong-cap",
    "c.vb-ct10.d.0.kind",
    "c.vb-ct10.d.0.date",
    "c.vb-ct10.d.0.number",
    "c.tien.nd",
    "c.tien.note",
]


@pytest.fixture
def editor(client, make_user, demo, unit):
    staff = make_user("705", "staff")
    client.force_login(staff)
    return client, create_report(demo, unit("705"))


HOSTILE = "a\x00b " + unicodedata.normalize("NFD", "Tân Biên") + "\u200b<b>x</b>"


@FUZZ
@example(part="section:II.1.1", fields={"text": HOSTILE, "shortcomings": HOSTILE})
@example(part="header", fields={"signer_name": HOSTILE, "recipients": HOSTILE})
@example(part="table:1.1", fields={"c.vb-ct10.d.0.kind": HOSTILE})
@example(part="table:1.2", fields={"c.tien": "1\x00", "c.tien.note": HOSTILE})
@given(
    part=st.sampled_from(PARTS),
    fields=st.dictionaries(
        st.one_of(st.sampled_from(FIELDS), st.text(max_size=20)), json_value, max_size=6
    ),
)
def test_autosave_answers_every_input_without_a_server_error(editor, part, fields):
    client, report = editor
    current = (
        DraftPart.objects.filter(report=report, key=part)
        .values_list("revision", flat=True)
        .first()
        or 0
    )
    response = client.post(
        reverse("report_autosave", args=[report.pk]),
        data=json.dumps({"part": part, "base_revision": current, "fields": fields}),
        content_type="application/json",
    )
    assert response.status_code in (200, 400, 404), response.content[:300]
    body = response.json()
    assert "message" in body or "errors" in body or "ok" in body
    if response.status_code == 200 and part.startswith("section:"):
        answer = Answer.objects.get(report=report, section__code=part.split(":")[1])
        for name in ("text", "shortcomings"):
            stored = getattr(answer, name)
            # Stored text is NFC, without NUL or zero-width characters.
            assert stored == unicodedata.normalize("NFC", stored)
            assert "\x00" not in stored and "\u200b" not in stored


@pytest.fixture
def roundtrip_setup(client, make_user, demo, unit):
    staff = make_user("705", "staff")
    report = create_report(demo, unit("705"))
    fill_report(report, staff)
    client.force_login(staff)
    content, _name = roundtrip.build_template(report)
    return client, report, content


def _snapshot(report):
    return sorted(
        Cell.objects.filter(report=report).values_list(
            "column_id", "num", "flag", "text", "docs"
        )
    )


cell_value = st.one_of(
    typed,
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
)


@FUZZ
@given(
    edits=st.lists(
        st.tuples(
            st.sampled_from(["Biểu 1.1", "Biểu 1.2", "Biểu 1.4", "Biểu 1.5"]),
            st.integers(min_value=1, max_value=12),
            st.integers(min_value=1, max_value=10),
            cell_value,
        ),
        max_size=6,
    )
)
def test_excel_import_checks_any_edit_without_a_server_error(roundtrip_setup, edits):
    client, report, content = roundtrip_setup
    wb = openpyxl.load_workbook(io.BytesIO(content))
    for sheet, row, col, value in edits:
        ws = wb[sheet]
        target = ws.cell(row=xlsx.HEADER_TOP - 1 + row, column=col)
        if type(target).__name__ == "MergedCell":
            continue
        if isinstance(value, str):
            # openpyxl refuses some control characters in cell text.
            value = "".join(ch for ch in value if ch >= " " or ch in "\t\n")
        target.value = value
    buffer = io.BytesIO()
    wb.save(buffer)
    upload = io.BytesIO(buffer.getvalue())
    upload.name = "bieu.xlsx"
    before = _snapshot(report)
    url = reverse("xlsx_import", args=[report.pk])
    response = client.post(url, {"file": upload})
    assert response.status_code == 200
    # An upload only previews: nothing is saved before the person confirms.
    assert _snapshot(report) == before
    token = response.context.get("token")
    if token:
        # Confirmed, it goes through the editor's writer: never a server error.
        assert client.post(url, {"token": token}).status_code == 302


@FUZZ
@given(data=st.binary(max_size=4096))
def test_excel_import_refuses_any_bytes_cleanly(roundtrip_setup, data):
    client, report, _content = roundtrip_setup
    upload = io.BytesIO(data)
    upload.name = "bieu.xlsx"
    before = _snapshot(report)
    response = client.post(reverse("xlsx_import", args=[report.pk]), {"file": upload})
    assert response.status_code == 200
    assert "token" not in response.context or not response.context["token"]
    assert _snapshot(report) == before


# --- Bad input: stored cleaned, or refused with a message and kept as typed -------

# What people paste: Word's soft line breaks, NFD, zero-width characters,
# full-width and other-script digits, numbers a parser may take too far.
pasted = st.one_of(
    st.sampled_from(
        [
            "5.800",
            "5800",
            "1.234.567",
            "1.234,5",
            "12,345",
            "12,3456",
            "０１２３",
            "١٢٣",
            "१२३,५",
            "1\u200b234",
            "1 234,5",
            "1e308",
            "1E5",
            "NaN",
            "Infinity",
            "-5",
            "−5",
            "+5",
            "0,001",
            "9" * 16,
            "12\v3",
            "\u00a0 7 \u202f",
            unicodedata.normalize("NFD", "mười"),
        ]
    ),
    st.text(alphabet="0123456789.,-+ \u00a0\u200b\v１２٣", max_size=20),
)
figure = st.one_of(
    pasted,
    st.none(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=1),
)
FIGURES = {"c.xa-ntm": "integer", "c.tien": "money", "c.hien-dat": "area"}


def _expected(raw, col_type):
    """What the one contract makes of what was typed: a number (or None), or
    the ValidationError it refuses it with."""
    text = "" if raw is None else raw if isinstance(raw, str) else repr(raw)
    try:
        return cells.parse_number(clean_typed(text).strip(), col_type), None
    except cells.ValidationError as exc:
        return None, exc


@FUZZ
@example(name="c.tien", raw="5.800")
@example(name="c.xa-ntm", raw="85.420")
@example(name="c.hien-dat", raw=1e308)
@example(name="c.tien", raw=["1"])
@given(name=st.sampled_from(sorted(FIGURES)), raw=figure)
def test_a_typed_figure_is_stored_cleaned_or_kept_refused_never_changed(
    editor, name, raw
):
    client, report = editor
    column_type = ColumnType(FIGURES[name])
    Cell.objects.filter(report=report).delete()
    DraftPart.objects.filter(report=report).delete()
    response = client.post(
        reverse("report_autosave", args=[report.pk]),
        data=json.dumps(
            {"part": "table:1.2", "base_revision": 0, "fields": {name: raw}}
        ),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content[:300]
    errors = response.json()["errors"]
    stored = Cell.objects.filter(report=report, column__code=name[2:]).first()
    refused = DraftPart.objects.get(report=report, key="table:1.2").refused
    if isinstance(raw, list | dict | bool):
        # No number input sends these: refused with a message, nothing stored.
        assert errors[name] and stored is None and refused == {}
        return
    value, error = _expected(raw, column_type)
    if error is None:
        assert name not in errors and refused == {}
        assert (stored.num if stored else None) == value
    else:
        # Kept as typed (cleaned), with the contract's Vietnamese message.
        assert errors[name] == error.messages[0] == refused[name]["message"]
        typed_text = raw if isinstance(raw, str) else repr(raw)
        assert refused[name]["value"] == clean_typed(typed_text)
        assert stored is None or stored.num is None


@FUZZ
@example(text="Dòng một\vdòng hai")
@example(text=unicodedata.normalize("NFD", "Tân Biên") + "\u200b\x00")
@given(
    text=st.one_of(typed, st.text(alphabet="aạ\v\f\u2028\x00\u200b\r\n", max_size=50))
)
def test_a_typed_text_is_stored_cleaned_or_kept_refused(editor, text):
    client, report = editor
    DraftPart.objects.filter(report=report).delete()
    response = client.post(
        reverse("report_autosave", args=[report.pk]),
        data=json.dumps(
            {"part": "section:I.1", "base_revision": 0, "fields": {"text": text}}
        ),
        content_type="application/json",
    )
    assert response.status_code == 200
    cleaned = clean_typed(text).replace("\r\n", "\n")
    answer = Answer.objects.get(report=report, section__code="I.1")
    refused = DraftPart.objects.get(report=report, key="section:I.1").refused
    assert not any(
        unicodedata.category(ch) == "Cc" and ch not in "\t\n\r" for ch in cleaned
    )
    if "text" in response.json()["errors"]:
        assert (
            refused["text"]["value"] == cleaned
            and "Quá dài" in refused["text"]["message"]
        )
    else:
        assert answer.text == cleaned and refused == {}
