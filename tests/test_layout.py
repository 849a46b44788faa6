"""The frame around every page: the icon, the menu."""

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_favicon_ico_is_not_a_404(client):
    response = client.get("/favicon.ico", follow=False)
    assert response.status_code == 302
    assert response.url.endswith("/img/favicon.ico")
    assert finders.find("img/favicon.ico")


def test_every_page_links_its_icon(client, demo):
    body = client.get(reverse("login")).content.decode()
    assert '<link rel="icon" href="/static/img/favicon.ico"' in body
