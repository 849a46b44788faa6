from django.urls import path

from .views import exports, home, units

urlpatterns = [
    path("", home.home, name="home"),
    path("don-vi/", units.unit_list, name="unit_list"),
    path("don-vi/<int:pk>/", units.unit_detail, name="unit_detail"),
    path(
        "don-vi/<int:pk>/tong-hop/excel/",
        exports.export_consolidated_xlsx,
        name="export_consolidated_xlsx",
    ),
    path(
        "don-vi/<int:pk>/tong-hop/pdf/",
        exports.export_consolidated_pdf,
        name="export_consolidated_pdf",
    ),
    path("bao-cao/<int:pk>/xuat/excel/", exports.export_xlsx, name="export_xlsx"),
    path("bao-cao/<int:pk>/xuat/pdf/", exports.export_pdf, name="export_pdf"),
    path(
        "bao-cao/<int:pk>/ban-in/",
        exports.report_print_preview,
        name="report_print_preview",
    ),
    path(
        "bao-cao/<int:pk>/ban-luu/",
        exports.sealed_copy_download,
        name="sealed_copy_download",
    ),
    path(
        "bao-cao/<int:pk>/nhap-excel/mau/",
        exports.xlsx_template,
        name="xlsx_template",
    ),
    path("bao-cao/<int:pk>/nhap-excel/", exports.xlsx_import, name="xlsx_import"),
    path("mau-bao-cao/", exports.export_blank_form, name="export_blank_form"),
]
