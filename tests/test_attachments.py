import hashlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from reports import attachments, workflow
from reports.models import Attachment, AttachmentKind, ReportStatus
from tests import files
from tests.factories import create_report, fill_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def district(demo, unit, make_user):
    """Tân Biên's report, its staff, and a provincial reviewer."""
    report = create_report(demo, unit("705"))
    return report, make_user("705", "staff"), make_user("72", "reviewer")


@pytest.fixture
def other_report(demo, unit):
    return create_report(demo, unit("706"))


def store(report, user, name, data, kind=AttachmentKind.SUPPORTING):
    return attachments.store_upload(
        report, files.upload(name, data), kind=kind, user=user
    )


def stored_files(settings):
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def upload_url(report):
    return reverse("attachment_list", args=[report.pk])


# The service: the type comes from the bytes, never the name.


@pytest.mark.parametrize(
    "name, build, content_type",
    [
        ("Báo cáo ký.pdf", files.pdf, "application/pdf"),
        ("anh.png", files.png, "image/png"),
        ("anh.JPG", files.jpg, "image/jpeg"),
        ("anh.jpeg", files.jpg, "image/jpeg"),
        ("bao-cao.docx", files.docx, attachments.DOCX.content_type),
        ("bieu.xlsx", files.xlsx, attachments.XLSX.content_type),
    ],
)
def test_each_allowed_type_is_stored_with_its_detected_content_type(
    district, settings, name, build, content_type
):
    report, staff, _ = district
    data = build()
    attachment = store(report, staff, name, data)
    assert attachment.content_type == content_type
    assert attachment.original_name == name
    assert attachment.size == len(data)
    assert attachment.sha256 == hashlib.sha256(data).hexdigest()
    stored = Path(attachment.file.path)
    assert stored.read_bytes() == data
    assert stored.is_relative_to(Path(settings.MEDIA_ROOT))
    # Unguessable: a uuid, not the person's name nor its extension.
    assert Path(attachment.file.name).name != name
    assert len(Path(attachment.file.name).name) == 32
    assert "." not in Path(attachment.file.name).name


@pytest.mark.parametrize(
    "name, build, message",
    [
        ("ban-ky.pdf", files.png, "đuôi .pdf nhưng nội dung là ảnh PNG"),
        ("bao-cao.docx", files.exe, "chương trình chạy được (EXE)"),
        ("bieu.xlsx", files.plain_zip, "đây là tệp nén ZIP"),
        ("bieu.xlsx", files.zip_bomb, "bom nén"),
        ("bao-cao.docx", files.xlsx, "nội dung là bảng tính Excel (XLSX)"),
        ("bieu.xlsx", files.docx, "nội dung là văn bản Word (DOCX)"),
        ("anh.png", files.jpg, "nội dung là ảnh JPG"),
        (
            "setup.exe",
            files.exe,
            "Chỉ nhận tệp PDF, DOCX, XLSX, JPG, PNG; tệp đã chọn có đuôi .exe",
        ),
        ("khong-duoi", files.pdf, "tệp đã chọn không có đuôi"),
        ("ban-ky.pdf", lambda: b"", "Tệp rỗng"),
        ("ban-ky.pdf", lambda: b"<html><script>x</script>", "không phải tệp PDF"),
    ],
)
def test_disguised_or_bad_files_are_refused_and_nothing_is_saved(
    district, settings, name, build, message
):
    report, staff, _ = district
    with pytest.raises(ValidationError) as info:
        store(report, staff, name, build())
    assert message in info.value.messages[0]
    assert not Attachment.objects.exists()
    assert stored_files(settings) == []


def test_zip_bomb_is_refused_without_inflating_it(district, monkeypatch):
    report, staff, _ = district
    bomb = files.zip_bomb(megabytes=50)
    assert len(bomb) < 200 * 1024  # 50 MB of zeros packed into a small file
    monkeypatch.setattr(
        "zipfile.ZipExtFile.read",
        lambda *a, **k: pytest.fail("a bomb must be refused from its directory"),
    )
    with pytest.raises(ValidationError, match="bom nén"):
        store(report, staff, "bieu.xlsx", bomb)


def test_zip_whose_total_inflated_size_passes_the_cap_is_refused(district, monkeypatch):
    report, staff, _ = district
    monkeypatch.setattr(attachments, "ZIP_MAX_TOTAL_BYTES", 64 * 1024)
    # Each member compresses modestly (below the ratio limit); only the total is big.
    members = {f"xl/worksheets/sheet{i}.xml": bytes(range(256)) * 40 for i in range(8)}
    members["[Content_Types].xml"] = files.EXCEL_TYPES
    with pytest.raises(ValidationError, match="bom nén"):
        store(report, staff, "bieu.xlsx", files._zip(members))


def test_zip_with_too_many_entries_is_refused(district, monkeypatch):
    report, staff, _ = district
    monkeypatch.setattr(attachments, "ZIP_MAX_ENTRIES", 10)
    members = {f"xl/m{i}.xml": b"<x/>" for i in range(11)}
    members["[Content_Types].xml"] = files.EXCEL_TYPES
    with pytest.raises(ValidationError, match="bom nén"):
        store(report, staff, "bieu.xlsx", files._zip(members))


def test_macro_workbook_renamed_xlsx_is_refused(district):
    report, staff, _ = district
    macro = files._zip(
        {
            "[Content_Types].xml": files.EXCEL_TYPES.replace(
                b"vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                b"vnd.ms-excel.sheet.macroEnabled.main+xml",
            ),
            "xl/workbook.xml": b"<workbook/>",
            "xl/vbaProject.bin": b"\x00" * 64,
        }
    )
    with pytest.raises(ValidationError, match="không phải tài liệu Word hoặc Excel"):
        store(report, staff, "bieu.xlsx", macro)


def test_oversized_file_is_refused_naming_the_limit(district, settings):
    report, staff, _ = district
    settings.UPLOAD_MAX_BYTES = 2048
    with pytest.raises(ValidationError) as info:
        store(report, staff, "ban-ky.pdf", files.pdf() + b"%" * 4096)
    assert "Tệp quá lớn" in info.value.messages[0]
    assert "2,0\xa0KB" in info.value.messages[0]
    assert not Attachment.objects.exists()


def test_signed_scan_must_be_a_pdf(district):
    report, staff, _ = district
    with pytest.raises(ValidationError, match="phải là tệp PDF"):
        store(report, staff, "ban-ky.png", files.png(), AttachmentKind.SIGNED_SCAN)
    scan = store(report, staff, "ban-ky.pdf", files.pdf(), AttachmentKind.SIGNED_SCAN)
    assert scan.kind == AttachmentKind.SIGNED_SCAN


def test_person_given_names_lose_folders_and_control_characters():
    assert attachments.clean_name("C:\\Users\\a\\Báo cáo.pdf") == "Báo cáo.pdf"
    assert attachments.clean_name("../../etc/pass\x00wd.pdf") == "passwd.pdf"
    long = attachments.clean_name("a" * 400 + ".docx")
    assert len(long) == 255 and long.endswith(".docx")


def test_deleting_an_attachment_removes_its_file_after_commit(
    district, django_capture_on_commit_callbacks
):
    report, staff, _ = district
    attachment = store(report, staff, "a.pdf", files.pdf())
    path = Path(attachment.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        attachments.delete_attachment(attachment)
    assert not path.exists()
    assert not Attachment.objects.exists()


# The pages.


def test_staff_uploads_a_signed_scan_and_sees_it_listed(client, district):
    report, staff, _ = district
    client.force_login(staff)
    response = client.post(
        upload_url(report),
        {
            "kind": "signed_scan",
            "file": files.upload("Bản ký Tân Biên.pdf", files.pdf()),
        },
        follow=True,
    )
    attachment = Attachment.objects.get()
    assert attachment.kind == AttachmentKind.SIGNED_SCAN
    assert attachment.uploaded_by == staff
    body = response.content.decode()
    assert "Đã tải lên “Bản ký Tân Biên.pdf”" in body
    assert "Bản ký Tân Biên.pdf" in body
    assert f"{attachment.size}\xa0byte" in body
    local = timezone.localtime(attachment.uploaded_at)
    assert local.strftime("%d/%m/%Y %H:%M") in body


def test_sizes_are_written_the_vietnamese_way(client, district):
    report, staff, _ = district
    store(report, staff, "lon.pdf", files.pdf() + b"%" * (1536 * 1024 - 200))
    client.force_login(staff)
    assert "1,5\xa0MB" in client.get(upload_url(report)).content.decode()


def test_refused_upload_shows_the_message_next_to_the_field(client, district, settings):
    report, staff, _ = district
    client.force_login(staff)
    response = client.post(
        upload_url(report),
        {"kind": "supporting", "file": files.upload("ban-ky.pdf", files.png())},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "invalid-feedback" in body
    assert "đuôi .pdf nhưng nội dung là ảnh PNG" in body
    # The chosen kind is kept.
    assert response.context["form"]["kind"].value() == "supporting"
    assert not Attachment.objects.exists()
    assert stored_files(settings) == []


def test_upload_without_a_file_or_kind_is_refused(client, district):
    report, staff, _ = district
    client.force_login(staff)
    response = client.post(upload_url(report), {})
    body = response.content.decode()
    assert "Hãy chọn tệp để tải lên." in body and "Hãy chọn loại tệp." in body
    assert not Attachment.objects.exists()


def test_script_in_a_file_name_is_shown_as_text(client, district):
    report, staff, _ = district
    store(report, staff, "<img src=x onerror=alert(1)>.pdf", files.pdf())
    client.force_login(staff)
    body = client.get(upload_url(report)).content.decode()
    assert "<img src=x onerror=alert(1)>" not in body
    assert "&lt;img src=x onerror=alert(1)&gt;.pdf" in body


def test_reviewer_of_the_province_sees_the_list_and_downloads_but_cannot_upload(
    client, district
):
    report, staff, reviewer = district
    attachment = store(report, staff, "a.pdf", files.pdf())
    client.force_login(reviewer)
    response = client.get(upload_url(report))
    assert response.status_code == 200
    assert 'id="upload-form"' not in response.content.decode()
    download = client.get(reverse("attachment_download", args=[attachment.pk]))
    assert download.status_code == 200
    response = client.post(
        upload_url(report),
        {"kind": "supporting", "file": files.upload("b.pdf", files.pdf())},
    )
    assert response.status_code == 404
    response = client.post(reverse("attachment_delete", args=[attachment.pk]))
    assert response.status_code == 404
    assert Attachment.objects.count() == 1


def test_download_sends_the_original_vietnamese_name_and_forbids_sniffing(
    client, district
):
    report, staff, _ = district
    attachment = store(report, staff, "Báo cáo sơ kết.pdf", files.pdf())
    client.force_login(staff)
    response = client.get(reverse("attachment_download", args=[attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == files.pdf()
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert (
        "filename*=utf-8''B%C3%A1o%20c%C3%A1o%20s%C6%A1%20k%E1%BA%BFt.pdf"
        in disposition
    )
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_another_units_staff_gets_404_for_list_download_and_delete(
    client, district, other_report, make_user
):
    report, staff, _ = district
    attachment = store(report, staff, "a.pdf", files.pdf())
    client.force_login(make_user("706", "staff"))
    assert client.get(upload_url(report)).status_code == 404
    url = reverse("attachment_download", args=[attachment.pk])
    assert client.get(url).status_code == 404
    url = reverse("attachment_delete", args=[attachment.pk])
    assert client.post(url).status_code == 404
    # Their own report's page works, and does not list Tân Biên's file.
    response = client.get(upload_url(other_report))
    assert response.status_code == 200 and "a.pdf" not in response.content.decode()
    assert Attachment.objects.count() == 1


def test_a_reviewer_of_another_district_gets_404(client, district, make_user):
    report, staff, _ = district
    attachment = store(report, staff, "a.pdf", files.pdf())
    client.force_login(make_user("706", "reviewer"))
    url = reverse("attachment_download", args=[attachment.pk])
    assert client.get(url).status_code == 404


def test_anonymous_is_sent_to_login_for_download(client, district):
    report, staff, _ = district
    attachment = store(report, staff, "a.pdf", files.pdf())
    response = client.get(reverse("attachment_download", args=[attachment.pk]))
    assert response.status_code == 302 and "/dang-nhap/" in response.url


def test_stored_files_are_not_reachable_by_url(client, district):
    report, staff, _ = district
    attachment = store(report, staff, "a.pdf", files.pdf())
    client.force_login(staff)
    for prefix in ("/media/", "/static/", "/"):
        assert client.get(prefix + attachment.file.name).status_code == 404


def test_missing_attachment_id_answers_404(client, district):
    _, staff, _ = district
    client.force_login(staff)
    assert client.get(reverse("attachment_download", args=[999999])).status_code == 404


def test_staff_deletes_an_attachment_by_post_only(client, district):
    report, staff, _ = district
    attachment = store(report, staff, "a.pdf", files.pdf())
    client.force_login(staff)
    url = reverse("attachment_delete", args=[attachment.pk])
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    assert not Attachment.objects.exists()


def test_attachments_of_a_submitted_report_cannot_change(client, district):
    report, staff, reviewer = district
    fill_report(report, staff)
    workflow.submit_report(report, actor=staff)
    assert report.status == ReportStatus.SUBMITTED
    scan = report.attachments.get()
    client.force_login(staff)
    response = client.post(
        upload_url(report),
        {"kind": "supporting", "file": files.upload("b.pdf", files.pdf())},
        follow=True,
    )
    assert "không thể thay đổi" in response.content.decode()
    response = client.post(reverse("attachment_delete", args=[scan.pk]), follow=True)
    assert "không thể thay đổi" in response.content.decode()
    assert list(report.attachments.all()) == [scan]
    # The list still shows, without the form.
    body = client.get(upload_url(report)).content.decode()
    assert "ban-ky.pdf" in body and 'id="upload-form"' not in body


def test_attachment_list_query_count_does_not_grow_with_files(
    client, district, django_assert_max_num_queries, make_user
):
    report, staff, _ = district
    for i in range(12):
        uploader = staff if i % 2 else make_user("705", "staff")
        store(report, uploader, f"tep-{i}.pdf", files.pdf())
    client.force_login(staff)
    with django_assert_max_num_queries(5):
        response = client.get(upload_url(report))
    assert response.content.decode().count("tep-") >= 12


def test_uploads_spooled_to_disk_are_checked_the_same_way(client, district, settings):
    report, staff, _ = district
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE < 3 * 1024 * 1024
    client.force_login(staff)
    big_pdf = files.pdf() + b"%" * (3 * 1024 * 1024)
    response = client.post(
        upload_url(report),
        {"kind": "supporting", "file": files.upload("lon.pdf", big_pdf)},
    )
    assert response.status_code == 302
    stored = Attachment.objects.get()
    assert stored.sha256 == hashlib.sha256(big_pdf).hexdigest()
    assert Path(stored.file.path).stat().st_size == len(big_pdf)
    response = client.post(
        upload_url(report),
        {"kind": "supporting", "file": files.upload("bieu.xlsx", files.zip_bomb(5))},
    )
    assert "bom nén" in response.content.decode()
    assert Attachment.objects.count() == 1


def test_a_refused_file_name_with_markup_is_shown_as_text(client, district):
    report, staff, _ = district
    client.force_login(staff)
    name = "<img src=x onerror=alert(1)>.pdf"
    response = client.post(
        upload_url(report),
        {"kind": "supporting", "file": files.upload(name, files.png())},
    )
    body = response.content.decode()
    assert "<img src=x" not in body
    assert "Tệp “&lt;img src=x onerror=alert(1)&gt;.pdf” có đuôi .pdf" in body
