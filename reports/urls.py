from django.urls import path

from .views import consolidation, home, prefill, units

urlpatterns = [
    path("", home.home, name="home"),
    path("don-vi/", units.unit_list, name="unit_list"),
    path("don-vi/<int:pk>/", units.unit_detail, name="unit_detail"),
    path("tong-hop/", consolidation.consolidation_index, name="consolidation_index"),
    path("tong-hop/<int:unit_pk>/", consolidation.consolidation, name="consolidation"),
    path(
        "tong-hop/<int:unit_pk>/tao-bao-cao/",
        prefill.prefill_create,
        name="prefill_create",
    ),
    path("bao-cao/<int:pk>/nguon/", prefill.prefill_status, name="prefill_status"),
    path(
        "bao-cao/<int:pk>/nguon/cap-nhat/",
        prefill.prefill_refresh,
        name="prefill_refresh",
    ),
    path(
        "bao-cao/<int:pk>/nguon/da-gop/",
        prefill.prefill_dismiss,
        name="prefill_dismiss",
    ),
]
