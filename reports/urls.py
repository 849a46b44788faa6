from django.urls import path

from .views import home, units

urlpatterns = [
    path("", home.home, name="home"),
    path("don-vi/", units.unit_list, name="unit_list"),
    path("don-vi/<int:pk>/", units.unit_detail, name="unit_detail"),
]
