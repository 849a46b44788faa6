import pytest
from django.template import Context, Template
from django.urls import reverse

from reports import cells, exemplary, workflow
from reports.completeness import missing_items
from reports.models import (
    Attachment,
    AttachmentKind,
    ExemplaryModel,
    TableColumn,
    TableSource,
)
from tests import files
from tests.factories import create_report, fill_report

pytestmark = pytest.mark.django_db

AREAS = ["II.1.1", "II.1.2", "II.1.3", "II.1.4", "II.1.5"]


@pytest.fixture
def district(demo, unit, make_user):
    """Tân Biên's report, its staff, and a provincial reviewer."""
    report = create_report(demo, unit("705"))
    return report, make_user("705", "staff"), make_user("72", "reviewer")


def add_model(report, area="II.1.1", **fields):
    values = {
        "name": f"Mô hình {area}",
        "unit_in_charge": "Hội Nông dân xã Tân Lập",
        "year_started": 2018,
    }
    values.update(fields)
    return ExemplaryModel.objects.create(report=report, content_area=area, **values)


def form_data(**overrides):
    data = {
        "name": "Tổ hợp tác trồng mì",
        "content_area": "II.1.1",
        "unit_in_charge": "Hội Nông dân xã Thạnh Bắc",
        "year_started": "2017",
        "description": "Liên kết 30 hộ trồng mì.",
        "results": "Thu nhập tăng 25%, 12 hộ thoát nghèo.",
    }
    data.update(overrides)
    return data


def list_url(report):
    return reverse("model_list", args=[report.pk])


# Counting.


def bieu_2(source, template):
    """Biểu 2 of ``source`` (models or model dicts) by content area, as every
    page prints it (``cells.model_count``)."""
    columns = TableColumn.objects.filter(
        table__template=template, table__source=TableSource.MODELS
    ).exclude(col_type="")
    return {c.source_key: cells.model_count(list(source), c) for c in columns}


def test_bieu_2_counts_each_content_area_and_the_total(district):
    report, _, _ = district
    for area in ["II.1.1", "II.1.1", "II.1.3", "II.1.5", "II.1.1"]:
        add_model(report, area)
    counts = bieu_2(report.models.all(), report.template)
    assert counts == {
        "II.1.1": 3,
        "II.1.2": 0,
        "II.1.3": 1,
        "II.1.4": 0,
        "II.1.5": 1,
        "*": 5,
    }
    # Frozen model dicts count the same way.
    dicts = list(report.models.values("content_area"))
    assert bieu_2(dicts, report.template) == counts


def test_bieu_2_of_a_version_reads_its_frozen_models(district):
    report, staff, _ = district
    fill_report(report, staff, models=7)
    version = workflow.submit_report(report, actor=staff)
    # Draft changes after submit do not touch the version's counts.
    ExemplaryModel.objects.filter(report=report).delete()
    assert bieu_2(version.models_data, version.template) == {
        "II.1.1": 2,
        "II.1.2": 2,
        "II.1.3": 1,
        "II.1.4": 1,
        "II.1.5": 1,
        "*": 7,
    }
    assert bieu_2(report.models.all(), report.template)["*"] == 0


def test_content_areas_are_the_achieved_limits_sections_with_titles(district):
    report, _, _ = district
    choices = exemplary.content_area_choices(report.template)
    assert [code for code, _ in choices] == AREAS
    assert choices[0][1].startswith("II.1.1. Đoàn kết tham gia phát triển kinh tế")


def test_summary_for_section_ii_2_lists_counts_and_units_in_charge(district):
    report, _, _ = district
    add_model(report, "II.1.3", name="Tuyến đường hoa", unit_in_charge="Xã Tân Lập")
    add_model(report, "II.1.3", name="Thu gom rác", unit_in_charge="Thị trấn Tân Biên")
    add_model(report, "II.1.1", name="Tổ hợp tác", unit_in_charge="Xã Mỏ Công")
    html = Template("{% load report_extras %}{% models_summary report %}").render(
        Context({"report": report})
    )
    assert "Số mô hình theo từng nội dung" in html
    assert "Tuyến đường hoa" in html and "Thị trấn Tân Biên" in html
    summary = exemplary.models_summary(report, report.template)
    assert [a.count for a in summary.areas] == [1, 0, 2, 0, 0]
    assert summary.total == 3
    assert [m["unit_in_charge"] for m in summary.areas[2].models] == [
        "Xã Tân Lập",
        "Thị trấn Tân Biên",
    ]


def test_summary_tag_renders_a_submitted_version(district):
    report, staff, _ = district
    fill_report(report, staff, models=2)
    version = workflow.submit_report(report, actor=staff)
    html = Template("{% load report_extras %}{% models_summary version %}").render(
        Context({"version": version})
    )
    assert f"Mô hình 1 của {report.unit.name}" in html
    assert '<td class="num">2</td>' in html


def test_district_report_needs_its_minimum_of_models(district):
    report, _, _ = district
    assert report.template.min_models == 1
    assert "models" in {item.anchor for item in missing_items(report)}
    add_model(report)
    assert "models" not in {item.anchor for item in missing_items(report)}


# The pages.


def test_staff_adds_a_model_with_a_file_and_sees_it_listed(client, district):
    report, staff, _ = district
    client.force_login(staff)
    data = form_data(attachment=files.upload("Mô hình.pdf", files.pdf()))
    response = client.post(list_url(report), data, follow=True)
    model = ExemplaryModel.objects.get()
    assert model.report == report and model.year_started == 2017
    attachment = Attachment.objects.get()
    assert attachment.exemplary_model == model
    assert attachment.kind == AttachmentKind.MODEL
    body = response.content.decode()
    assert "Đã thêm mô hình điển hình." in body
    assert "Tổ hợp tác trồng mì" in body and "Hội Nông dân xã Thạnh Bắc" in body
    assert "Mô hình.pdf" in body
    assert "2017" in body and "2.017" not in body


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"year_started": "1944"}, "year_started", "trong khoảng 1945–2020"),
        ({"year_started": "2021"}, "year_started", "trong khoảng 1945–2020"),
        ({"year_started": "năm 2018"}, "year_started", "phải là số"),
        ({"year_started": ""}, "year_started", "Hãy nhập năm bắt đầu"),
        ({"content_area": ""}, "content_area", "Hãy chọn nội dung"),
        ({"content_area": "II.3"}, "content_area", "không có trong đề cương"),
        ({"name": "M" * 301}, "name", "tối đa 300"),
        ({"name": "  "}, "name", "bắt buộc"),
        ({"unit_in_charge": ""}, "unit_in_charge", "bắt buộc"),
        ({"results": "x" * 20_001}, "results", "tối đa 20000"),
    ],
)
def test_bad_model_input_is_refused_next_to_its_field_and_the_rest_kept(
    client, district, overrides, field, message
):
    report, staff, _ = district
    client.force_login(staff)
    response = client.post(list_url(report), form_data(**overrides))
    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    body = response.content.decode()
    assert "invalid-feedback" in body
    # What was typed is still there.
    assert "Liên kết 30 hộ trồng mì." in body
    assert not ExemplaryModel.objects.exists()


def test_model_with_a_disguised_file_is_not_saved(client, district, settings):
    report, staff, _ = district
    client.force_login(staff)
    data = form_data(attachment=files.upload("mo-hinh.docx", files.exe()))
    response = client.post(list_url(report), data)
    assert response.status_code == 200
    assert "đuôi .docx nhưng nội dung không phải" in " ".join(
        response.context["form"].errors["attachment"]
    )
    assert not ExemplaryModel.objects.exists()
    assert not Attachment.objects.exists()


def test_script_typed_into_a_model_is_shown_as_text(client, district):
    report, staff, _ = district
    add_model(report, name="<script>alert('x')</script>", results="<b>120</b> hộ")
    client.force_login(staff)
    body = client.get(list_url(report)).content.decode()
    assert "<script>alert(" not in body and "<b>120</b>" not in body
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in body
    assert "&lt;b&gt;120&lt;/b&gt;" in body


def test_staff_edits_a_model_and_adds_a_file(client, district):
    report, staff, _ = district
    model = add_model(report)
    client.force_login(staff)
    url = reverse("model_edit", args=[model.pk])
    assert client.get(url).status_code == 200
    data = form_data(name="Tên mới", attachment=files.upload("kq.xlsx", files.xlsx()))
    response = client.post(url, data)
    assert response.status_code == 302
    model.refresh_from_db()
    assert model.name == "Tên mới"
    assert model.attachments.get().original_name == "kq.xlsx"


def test_edit_refuses_a_year_after_the_round(client, district):
    report, staff, _ = district
    model = add_model(report)
    client.force_login(staff)
    url = reverse("model_edit", args=[model.pk])
    response = client.post(url, form_data(year_started="2030"))
    assert "trong khoảng 1945–2020" in response.content.decode()
    model.refresh_from_db()
    assert model.year_started == 2018


def test_staff_deletes_a_model_and_its_files_by_post_only(
    client, district, django_capture_on_commit_callbacks
):
    report, staff, _ = district
    client.force_login(staff)
    client.post(
        list_url(report), form_data(attachment=files.upload("a.pdf", files.pdf()))
    )
    model = ExemplaryModel.objects.get()
    url = reverse("model_delete", args=[model.pk])
    assert client.get(url).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    assert not ExemplaryModel.objects.exists()
    assert not Attachment.objects.exists()


def test_reviewer_sees_the_models_but_cannot_change_them(client, district):
    report, _, reviewer = district
    model = add_model(report, name="Khu dân cư văn hóa")
    client.force_login(reviewer)
    response = client.get(list_url(report))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Khu dân cư văn hóa" in body and 'id="model-form"' not in body
    assert client.post(list_url(report), form_data()).status_code == 404
    assert client.get(reverse("model_edit", args=[model.pk])).status_code == 404
    assert client.post(reverse("model_delete", args=[model.pk])).status_code == 404
    assert ExemplaryModel.objects.count() == 1


def test_another_units_models_answer_404(client, district, demo, unit, make_user):
    report, _, _ = district
    model = add_model(report)
    other = create_report(demo, unit("706"))
    client.force_login(make_user("706", "staff"))
    assert client.get(list_url(report)).status_code == 404
    assert client.post(list_url(report), form_data()).status_code == 404
    assert client.get(reverse("model_edit", args=[model.pk])).status_code == 404
    assert client.post(reverse("model_edit", args=[model.pk])).status_code == 404
    assert client.post(reverse("model_delete", args=[model.pk])).status_code == 404
    assert client.get(list_url(other)).status_code == 200
    assert list(ExemplaryModel.objects.all()) == [model]


def test_commune_staff_cannot_open_their_districts_models(client, district, make_user):
    report, _, _ = district
    client.force_login(make_user("25489", "staff"))
    assert client.get(list_url(report)).status_code == 404


def test_models_of_a_submitted_report_cannot_change(client, district):
    report, staff, _ = district
    fill_report(report, staff)
    workflow.submit_report(report, actor=staff)
    model = report.models.get()
    client.force_login(staff)
    response = client.post(list_url(report), form_data(), follow=True)
    assert "không thể thay đổi" in response.content.decode()
    response = client.get(reverse("model_edit", args=[model.pk]), follow=True)
    assert "không thể thay đổi" in response.content.decode()
    client.post(reverse("model_delete", args=[model.pk]))
    assert list(report.models.all()) == [model]
    body = client.get(list_url(report)).content.decode()
    assert 'id="model-form"' not in body and model.name in body


def test_model_list_query_count_does_not_grow_with_models(
    client, district, django_assert_max_num_queries
):
    report, staff, _ = district
    for i in range(15):
        model = add_model(report, AREAS[i % 5], name=f"Mô hình số {i}")
        Attachment.objects.create(
            report=report,
            exemplary_model=model,
            kind=AttachmentKind.MODEL,
            file=f"attachments/{report.pk}/x{i}",
            original_name=f"tep-{i}.pdf",
            content_type="application/pdf",
            size=10,
            sha256="0" * 64,
            uploaded_by=staff,
        )
    client.force_login(staff)
    with django_assert_max_num_queries(7):
        response = client.get(list_url(report))
    body = response.content.decode()
    assert body.count("Mô hình số ") == 30  # in the list and in the II.2 summary
    assert body.count("tep-") == 15
