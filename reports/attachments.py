"""Uploaded files: checked by their content, stored under unguessable names."""

import hashlib
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Attachment, AttachmentKind


@dataclass(frozen=True)
class FileType:
    code: str
    label: str
    content_type: str
    extensions: tuple


PDF = FileType("pdf", gettext_lazy("tệp PDF"), "application/pdf", ("pdf",))
JPEG = FileType("jpeg", gettext_lazy("ảnh JPG"), "image/jpeg", ("jpg", "jpeg"))
PNG = FileType("png", gettext_lazy("ảnh PNG"), "image/png", ("png",))
DOCX = FileType(
    "docx",
    gettext_lazy("văn bản Word (DOCX)"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ("docx",),
)
XLSX = FileType(
    "xlsx",
    gettext_lazy("bảng tính Excel (XLSX)"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ("xlsx",),
)
FILE_TYPES = (PDF, DOCX, XLSX, JPEG, PNG)
TYPE_BY_EXTENSION = {ext: t for t in FILE_TYPES for ext in t.extensions}
ACCEPT = ",".join(f".{ext}" for ext in TYPE_BY_EXTENSION)

# Kinds that take only some types; every other kind takes all of FILE_TYPES.
TYPES_FOR_KIND = {AttachmentKind.SIGNED_SCAN: (PDF,)}

# The main part each Office format declares in [Content_Types].xml. Macro-enabled
# files (.docm, .xlsm) declare other parts and are refused with them.
OFFICE_MAIN_PARTS = (
    (DOCX, "word/", b"wordprocessingml.document.main+xml"),
    (XLSX, "xl/", b"spreadsheetml.sheet.main+xml"),
)

# Zip bombs: the checks read the zip's directory only, never inflate the members.
ZIP_MAX_ENTRIES = 5_000
ZIP_MAX_TOTAL_BYTES = 200 * 1024 * 1024
ZIP_MAX_RATIO = 100
# Small members may compress extremely well and still be harmless.
ZIP_RATIO_FLOOR_BYTES = 1024 * 1024
CONTENT_TYPES_MAX_BYTES = 256 * 1024

# Names for what a refused file turned out to be (by the ``filetype`` package).
SEEN_AS = {
    "exe": gettext_lazy("chương trình chạy được (EXE)"),
    "elf": gettext_lazy("chương trình chạy được"),
    "zip": gettext_lazy("tệp nén ZIP"),
    "rar": gettext_lazy("tệp nén RAR"),
    "7z": gettext_lazy("tệp nén 7z"),
    "gif": gettext_lazy("ảnh GIF"),
    "webp": gettext_lazy("ảnh WEBP"),
    "bmp": gettext_lazy("ảnh BMP"),
    "tif": gettext_lazy("ảnh TIFF"),
    "heic": gettext_lazy("ảnh HEIC"),
    "mp4": gettext_lazy("video"),
    "mp3": gettext_lazy("âm thanh"),
}

HEAD_BYTES = 8192


def allowed_types_label():
    return ", ".join(t.code.upper().replace("JPEG", "JPG") for t in FILE_TYPES)


def check_upload(uploaded_file, *, kind=None):
    """The ``FileType`` of an upload, or ``ValidationError`` saying what is wrong.

    The type comes from the bytes (never the name or the browser's word); the
    name's extension must agree with it, and ``kind`` may narrow the types.
    """
    limit = settings.UPLOAD_MAX_BYTES
    if uploaded_file.size > limit:
        raise ValidationError(
            _("Tệp quá lớn (%(size)s). Dung lượng tối đa cho phép là %(limit)s.")
            % {
                "size": filesizeformat(uploaded_file.size),
                "limit": filesizeformat(limit),
            },
            code="too_large",
        )
    if uploaded_file.size == 0:
        raise ValidationError(_("Tệp rỗng (0 byte)."), code="empty")
    extension = PurePath(uploaded_file.name or "").suffix.lower().lstrip(".")
    claimed = TYPE_BY_EXTENSION.get(extension)
    if claimed is None:
        chosen = (
            _("tệp đã chọn có đuôi .%(ext)s") % {"ext": extension}
            if extension
            else _("tệp đã chọn không có đuôi")
        )
        raise ValidationError(
            _("Chỉ nhận tệp %(types)s; %(chosen)s.")
            % {"types": allowed_types_label(), "chosen": chosen},
            code="extension",
        )
    shown_name = clean_name(uploaded_file.name, max_length=80)
    detected, seen = _detect(uploaded_file)
    if detected is None:
        message = _(
            "Tệp “%(name)s” có đuôi .%(ext)s nhưng nội dung không phải %(expected)s"
        ) % {"name": shown_name, "ext": extension, "expected": claimed.label}
        if seen:
            message += _(": đây là %(seen)s") % {"seen": seen}
        raise ValidationError(message + ".", code="content")
    if detected != claimed:
        raise ValidationError(
            _(
                "Tệp “%(name)s” có đuôi .%(ext)s nhưng nội dung là %(detected)s. "
                "Hãy chọn đúng tệp hoặc lưu lại với đúng định dạng."
            )
            % {"name": shown_name, "ext": extension, "detected": detected.label},
            code="mismatch",
        )
    allowed = TYPES_FOR_KIND.get(kind)
    if allowed and detected not in allowed:
        raise ValidationError(
            _("%(kind)s phải là %(types)s.")
            % {
                "kind": AttachmentKind(kind).label,
                "types": ", ".join(str(t.label) for t in allowed),
            },
            code="kind",
        )
    return detected


def store_upload(report, uploaded_file, *, kind, user, exemplary_model=None):
    """Check ``uploaded_file`` and save it as an ``Attachment`` of ``report``.

    Raises ``ValidationError`` (nothing saved) when the file is refused.
    """
    detected = check_upload(uploaded_file, kind=kind)
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    attachment = Attachment(
        report=report,
        exemplary_model=exemplary_model,
        kind=kind,
        original_name=clean_name(uploaded_file.name),
        content_type=detected.content_type,
        size=uploaded_file.size,
        sha256=digest.hexdigest(),
        uploaded_by=user,
    )
    # ``attachment_path`` names the stored file; the person's name is only kept
    # in ``original_name`` for the download.
    attachment.file.save("upload", uploaded_file, save=False)
    try:
        attachment.save()
    except BaseException:
        attachment.file.delete(save=False)
        raise
    return attachment


def delete_attachment(attachment):
    """Delete the row, and the stored file once the deletion is committed."""
    storage, name = attachment.file.storage, attachment.file.name
    with transaction.atomic():
        attachment.delete()
        transaction.on_commit(lambda: storage.delete(name))


def clean_name(name, max_length=255):
    """The person's file name without folders or control characters, kept short."""
    name = PurePath((name or "").replace("\\", "/")).name
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()
    name = unicodedata.normalize("NFC", name) or "tep"
    if len(name) > max_length:
        suffix = PurePath(name).suffix[:16]
        name = name[: max_length - len(suffix)] + suffix
    return name


def _detect(fileobj):
    """(FileType or None, a description of what it is when refused)."""
    fileobj.seek(0)
    head = fileobj.read(HEAD_BYTES)
    fileobj.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF, ""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG, ""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG, ""
    if head.startswith(b"PK\x03\x04"):
        try:
            return _office_type(fileobj)
        finally:
            fileobj.seek(0)
    guess = filetype.guess(head)
    return None, SEEN_AS.get(guess.extension, "") if guess else ""


def _office_type(fileobj):
    bomb = _("tệp nén có dung lượng khi giải nén bất thường (nghi là “bom nén”)")
    try:
        with zipfile.ZipFile(fileobj) as archive:
            entries = archive.infolist()
            if len(entries) > ZIP_MAX_ENTRIES:
                return None, bomb
            total = sum(e.file_size for e in entries)
            if total > ZIP_MAX_TOTAL_BYTES:
                return None, bomb
            for entry in entries:
                if (
                    entry.file_size > ZIP_RATIO_FLOOR_BYTES
                    and entry.file_size > ZIP_MAX_RATIO * max(entry.compress_size, 1)
                ):
                    return None, bomb
            names = {e.filename for e in entries}
            if "[Content_Types].xml" not in names:
                return None, SEEN_AS["zip"]
            with archive.open("[Content_Types].xml") as part:
                content_types = part.read(CONTENT_TYPES_MAX_BYTES)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        RuntimeError,
        EOFError,
        NotImplementedError,
        ValueError,
        OSError,
        zlib.error,
    ):
        return None, _("tệp nén bị hỏng")
    for file_type, folder, main_part in OFFICE_MAIN_PARTS:
        if main_part in content_types and any(n.startswith(folder) for n in names):
            return file_type, ""
    return None, _("tệp nén không phải tài liệu Word hoặc Excel")
