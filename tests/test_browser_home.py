import pytest

from tests.conftest import PASSWORD, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_logs_in_and_sees_what_is_theirs_to_do(browser_page, demo, make_user):
    make_user("705", "staff", username="canbo.tanbien")
    page = browser_page
    page.goto(page.base_url + "/")
    assert "/dang-nhap/" in page.url
    page.fill("input[name=username]", "canbo.tanbien")
    page.fill("input[name=password]", "sai-mat-khau")
    page.click("button[type=submit]")
    assert page.get_by_text("Tên đăng nhập hoặc mật khẩu không đúng").is_visible()
    login(page, "canbo.tanbien", PASSWORD)
    card = page.locator(".task-card").first
    assert "Huyện Tân Biên" in card.inner_text()
    assert "15/12/2020" in card.inner_text()
    # Bootstrap is served locally (no CDN): its styles apply.
    navbar_display = page.eval_on_selector(
        "nav.navbar", "e => getComputedStyle(e).display"
    )
    assert navbar_display == "flex"
    screenshot(page, "home-district-staff")


def test_reviewer_home_on_a_phone(browser_page, demo, make_user):
    make_user("72", "reviewer", username="pttg")
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "pttg", PASSWORD)
    assert page.get_by_text("Đơn vị cấp dưới").is_visible()
    screenshot(page, "home-province-reviewer-phone")
