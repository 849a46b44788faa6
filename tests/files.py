"""Bytes of real and disguised files for upload tests, built in memory."""

import io
import struct
import zipfile
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import TINY_PDF

WORD_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Override PartName="/word/document.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    b"</Types>"
)
EXCEL_TYPES = WORD_TYPES.replace(b"word/document", b"xl/workbook").replace(
    b"wordprocessingml.document", b"spreadsheetml.sheet"
)


def pdf():
    return TINY_PDF


def png():
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


def jpg():
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"


def exe():
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200 + b"PE\x00\x00"


def _zip(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx():
    return _zip(
        {
            "[Content_Types].xml": WORD_TYPES,
            "word/document.xml": b"<w:document>Bao cao</w:document>",
        }
    )


def xlsx():
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active["A1"] = "Biểu 1.2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def plain_zip():
    return _zip({"bao-cao.txt": "Báo cáo".encode(), "anh/a.txt": b"x"})


def zip_bomb(megabytes=50):
    """An .xlsx-shaped zip whose one member inflates ~1000 times."""
    return _zip(
        {
            "[Content_Types].xml": EXCEL_TYPES,
            "xl/workbook.xml": b"<workbook/>",
            "xl/worksheets/sheet1.xml": b"\x00" * (megabytes * 1024 * 1024),
        }
    )


def upload(name, data):
    return SimpleUploadedFile(name, data)
