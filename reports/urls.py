from django.urls import path

from .views import home, progress, units

urlpatterns = [
    path("", home.home, name="home"),
    path("don-vi/", units.unit_list, name="unit_list"),
    path("don-vi/<int:pk>/", units.unit_detail, name="unit_detail"),
    path("tien-do/", progress.cockpit, name="cockpit"),
    path("tien-do/nhac-nho/", progress.reminder_send, name="reminder_send"),
    path("tien-do/gia-han/", progress.extension_list, name="extension_list"),
    path(
        "tien-do/gia-han/<int:unit_pk>/",
        progress.extension_grant,
        name="extension_grant",
    ),
]
