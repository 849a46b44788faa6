"""The Content Security Policy is on in the browser tests, and the pages still work."""

import pytest
from django.contrib.auth import get_user_model

from reports.models import Unit
from tests.conftest import login, screenshot
from tests.factories import as_request_by

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    "/",
    "/don-vi/",
    "/don-vi/{unit}/",
    "/nhat-ky/",
    "/tien-do/",
    "/tien-do/gia-han/",
    "/tien-do/gia-han/{unit}/",
    "/quan-tri/",
    "/quan-tri/reports/unit/",
    "/quan-tri/reports/unit/{unit}/change/",
    "/quan-tri/reports/unit/{unit}/history/",
    "/quan-tri/reports/deadline/",
    "/quan-tri/auth/user/{user}/change/",
]


def test_pages_run_under_the_policy_without_a_violation(browser_page, demo):
    page = browser_page
    violations = []
    page.on(
        "console",
        lambda msg: (
            violations.append((page.url, msg.text))
            if "Content Security Policy" in msg.text
            else None
        ),
    )
    login(page, "quantri", "sokket-demo-2020")
    district = Unit.objects.get(code="705")
    admin = get_user_model().objects.get(username="quantri")
    as_request_by(
        admin, lambda: (setattr(district, "name", "Tân Biên"), district.save())
    )
    unit = district.pk
    user = get_user_model().objects.get(username="tanbien").pk
    for template in PAGES:
        response = page.goto(page.base_url + template.format(unit=unit, user=user))
        assert response.ok, template
        assert "content-security-policy" in response.headers, template
    assert violations == []
    page.goto(page.base_url + "/nhat-ky/")
    screenshot(page, "audit-log")
    page.goto(page.base_url + f"/quan-tri/reports/unit/{unit}/history/")
    assert "Huyện Tân Biên → Tân Biên" in page.inner_text("#change-history")
    screenshot(page, "admin-unit-history")


def test_bootstrap_scripts_work_under_the_policy(browser_page, demo):
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "tanbien", "sokket-demo-2020")
    menu = page.locator("#nav-main")
    assert not menu.is_visible()
    page.click("button.navbar-toggler")
    menu.wait_for(state="visible")
    assert page.get_by_role("link", name="Đơn vị", exact=True).is_visible()
    # Bootstrap's inline SVG icons (data: URIs) and the icon font load.
    icon_font = page.eval_on_selector(
        "i.bi-flag-fill", "e => getComputedStyle(e, '::before').fontFamily"
    )
    assert "bootstrap-icons" in icon_font
