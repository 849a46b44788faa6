"""axe-core on the main pages of each role: no serious or critical violation."""

import os
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import login
from tests.test_browser_newcomers import _season, main_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# npm's axe-core (package.json); AXE_CORE_JS points elsewhere to try a copy.
AXE = Path(
    os.environ.get("AXE_CORE_JS") or settings.NODE_MODULES / "axe-core" / "axe.min.js"
)
SERIOUS = ("serious", "critical")


def _violations(page):
    # Evaluated through the browser's devtools channel, so the page's Content
    # Security Policy (no inline script) does not apply to the checker itself.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """() => axe.run(document, {
             runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'],
           })"""
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} – "
        + "; ".join(n["target"][0] for n in v["nodes"][:3])
        for v in result["violations"]
        if v["impact"] in SERIOUS
    ]


@pytest.mark.skipif(not AXE.exists(), reason="npm package axe-core not installed")
def test_main_pages_of_each_role_have_no_serious_accessibility_violation(
    browser_page, demo, unit, make_user
):
    users, reports = _season(demo, unit, make_user)
    pages = {None: ["/dang-nhap/"], **main_pages(unit, reports)}
    pages["admin"] = [*pages["admin"], "/quan-tri/"]
    page = browser_page
    found = []
    for role, paths in pages.items():
        page.context.clear_cookies()
        if role:
            login(page, users[role].username)
        for path in paths:
            page.goto(page.base_url + path)
            page.wait_for_load_state("networkidle")
            found += [f"{role} {path}: {v}" for v in _violations(page)]
    assert not found, "\n".join(found)


def test_keyboard_focus_is_visible_on_the_menu_and_the_page(
    browser_page, demo, unit, make_user
):
    users, _reports = _season(demo, unit, make_user)
    page = browser_page
    login(page, users["reviewer"].username)
    seen = []
    for _ in range(12):
        page.keyboard.press("Tab")
        seen.append(
            page.evaluate(
                """() => {
                  const e = document.activeElement, s = getComputedStyle(e);
                  const ring = s.outlineStyle !== 'none'
                    ? parseFloat(s.outlineWidth) : 0;
                  const shadow = s.boxShadow !== 'none';
                  const name = e.tagName + " " + e.textContent.trim().slice(0, 30);
                  return [name, ring, shadow, s.outlineColor,
                          !!e.closest('nav.sokket-nav')];
                }"""
            )
        )
    seen = [item for item in seen if not item[0].startswith("BODY")]
    assert len(seen) >= 10
    for text, ring, shadow, color, in_menu in seen:
        assert ring >= 2 or shadow, f"no visible focus on {text!r}: {seen}"
        if in_menu:  # on red, only white shows
            assert ring >= 2 and color == "rgb(255, 255, 255)", text
