from django.urls import path

from .views import audit, home, units

urlpatterns = [
    path("", home.home, name="home"),
    path("don-vi/", units.unit_list, name="unit_list"),
    path("don-vi/<int:pk>/", units.unit_detail, name="unit_detail"),
    path("nhat-ky/", audit.audit_log, name="audit_log"),
]
