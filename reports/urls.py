from django.urls import path

from .views import home, reports, units

urlpatterns = [
    path("", home.home, name="home"),
    path("don-vi/", units.unit_list, name="unit_list"),
    path("don-vi/<int:pk>/", units.unit_detail, name="unit_detail"),
    path("bao-cao/", reports.my_reports, name="my_reports"),
    path("bao-cao/bat-dau/", reports.report_start, name="report_start"),
    path("bao-cao/<int:pk>/", reports.report_detail, name="report_detail"),
    path("bao-cao/<int:pk>/soan/", reports.report_edit, name="report_edit"),
    path("bao-cao/<int:pk>/luu/", reports.report_autosave, name="report_autosave"),
    path("bao-cao/<int:pk>/nop/", reports.report_submit, name="report_submit"),
]
