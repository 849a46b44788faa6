"""Revision diffs on known edits: words, cells, documents, models."""

from decimal import Decimal
from types import SimpleNamespace

from reports.diff import (
    Segment,
    diff_answers,
    diff_cells,
    diff_models,
    diff_words,
    tokenize,
)


def test_tokens_join_back_to_the_text():
    text = "Vận động 1.250 hộ, đạt 98,5%!\n  Tốt."
    assert "".join(tokenize(text)) == text
    assert "động" in tokenize(text) and "," in tokenize(text)


def test_an_inserted_word_is_one_insert_segment():
    assert diff_words("Vận động hộ nghèo", "Vận động nhiều hộ nghèo") == [
        Segment("equal", "Vận động "),
        Segment("insert", "nhiều "),
        Segment("equal", "hộ nghèo"),
    ]


def test_a_deleted_word_is_one_delete_segment():
    old, new = "xây mới 12 căn nhà", "xây 12 căn nhà"
    segments = diff_words(old, new)
    changes = [s for s in segments if s.kind != "equal"]
    assert len(changes) == 1 and changes[0].kind == "delete"
    assert changes[0].text.strip() == "mới"
    assert "".join(s.text for s in segments if s.kind != "insert") == old
    assert "".join(s.text for s in segments if s.kind != "delete") == new


def test_a_replaced_number_is_deleted_then_inserted():
    segments = diff_words("đạt 120 hộ.", "đạt 150 hộ.")
    assert [s for s in segments if s.kind != "equal"] == [
        Segment("delete", "120"),
        Segment("insert", "150"),
    ]


def test_unchanged_text_is_a_single_equal_segment():
    assert diff_words("Không đổi.", "Không đổi.") == [Segment("equal", "Không đổi.")]
    assert diff_words("", "") == []


def test_answers_compare_both_fields_of_an_achieved_limits_section():
    sections = [
        ("II", "Kết quả", "heading"),
        ("II.1.1", "Kinh tế", "achieved_limits"),
        ("II.4", "Phương hướng", "narrative"),
    ]
    old = {"II.1.1": {"text": "A", "shortcomings": "B"}, "II.4": {"text": "C"}}
    new = {"II.1.1": {"text": "A", "shortcomings": "B mới"}, "II.4": {"text": "C"}}
    diffs = diff_answers(old, new, sections)
    assert [d.code for d in diffs] == ["II.1.1", "II.4"]
    assert diffs[0].changed and not diffs[1].changed
    assert [f.changed for f in diffs[0].fields] == [False, True]
    assert len(diffs[1].fields) == 1


def column(pk, col_type, label, **extra):
    col = SimpleNamespace(
        pk=pk, col_type=col_type, label=label, numerator_id=None, denominator_id=None
    )
    col.__dict__.update(extra)
    col.label_for = lambda level, c=col: c.label.replace("{level}", level)
    return col


def test_cells_compare_one_by_one_with_documents_and_recomputed_percent():
    households = column(1, "integer", "Tổng số hộ")
    cultured = column(2, "integer", "Hộ văn hóa")
    rate = column(3, "percent", "Tỷ lệ", numerator_id=2, denominator_id=1)
    docs = column(4, "documents", "Văn bản cấp {level}")
    flag = column(5, "yes_no", "Phát động")
    doc_a = {"kind": "Kế hoạch", "number": "1/KH", "date": "2017-03-15"}
    doc_b = {"kind": "Nghị quyết", "number": "2/NQ", "date": "2018-01-02"}
    old = {
        1: {"num": Decimal(200)},
        2: {"num": Decimal(100)},
        4: {"docs": [doc_a]},
        5: {"flag": True},
    }
    new = {
        1: {"num": Decimal(200)},
        2: {"num": Decimal(150)},
        4: {"docs": [doc_a, doc_b]},
        5: {"flag": True},
    }
    table = SimpleNamespace(code="1.4")
    (result,) = diff_cells(
        old, new, [(table, [households, cultured, rate, docs, flag])], "huyện"
    )
    changed = {c.column.pk: c for c in result.changed_cells}
    assert set(changed) == {2, 3, 4}
    assert (changed[2].old, changed[2].new) == ("100", "150")
    assert (changed[3].old, changed[3].new) == ("50", "75")
    assert changed[4].label == "Văn bản cấp huyện"
    assert changed[4].docs_added == ["Nghị quyết số 2/NQ ngày 02/01/2018"]
    assert changed[4].docs_removed == []


def test_a_cell_marked_no_data_differs_from_a_number():
    col = column(1, "money", "Kinh phí")
    old = {1: {"num": Decimal("1234567.5")}}
    new = {1: {"no_data": True, "note": "Chưa thống kê"}}
    (result,) = diff_cells(old, new, [(SimpleNamespace(), [col])])
    (cell,) = result.changed_cells
    assert cell.old == "1.234.567,5"
    assert cell.new == "Không có số liệu (Chưa thống kê)"


def test_models_added_removed_and_changed():
    old = [
        {"id": 1, "name": "Mô hình A", "results": "50 hộ"},
        {"id": 2, "name": "Mô hình B", "results": "x"},
    ]
    new = [
        {"id": 1, "name": "Mô hình A", "results": "80 hộ"},
        {"id": 3, "name": "Mô hình C", "results": "y"},
    ]
    result = {m.name: m for m in diff_models(old, new)}
    assert result["Mô hình A"].kind == "changed"
    assert [f.label for f in result["Mô hình A"].fields] == ["Kết quả"]
    assert result["Mô hình B"].kind == "removed"
    assert result["Mô hình C"].kind == "added"
