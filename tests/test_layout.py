"""The frame around every page: the icon, the menu."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_favicon_ico_is_not_a_404(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"


def test_every_page_links_its_icon(client, demo):
    body = client.get(reverse("login")).content.decode()
    assert '<link rel="icon" href="/favicon.ico"' in body
