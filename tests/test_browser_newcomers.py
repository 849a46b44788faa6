"""What a newcomer sees in Chromium: a menu on one line, paragraphs as written."""

import pytest
from django.contrib.auth import get_user_model

from reports import workflow
from reports.models import Answer
from tests.conftest import PASSWORD, login, screenshot
from tests.factories import create_report, fill_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_administrators_menu_is_one_line_at_1366(browser_page, demo, make_user):
    make_user("72", "admin", username="quan.tri.vien", is_staff=True)
    page = browser_page
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, "quan.tri.vien", PASSWORD)
    # Each item on one line, all items in one row: every box as high as one line.
    boxes = page.eval_on_selector_all(
        "nav.navbar .nav-link, nav.navbar .navbar-text",
        """els => els.map(e => {
          const r = e.getBoundingClientRect(), s = getComputedStyle(e);
          const pad = parseFloat(s.paddingTop) + parseFloat(s.paddingBottom);
          const text = r.height - pad;
          return [Math.round(r.top), text / parseFloat(s.lineHeight)];
        })""",
    )
    assert len(boxes) >= 10
    assert all(lines < 1.5 for _top, lines in boxes), boxes
    tops = [top for top, _lines in boxes]
    assert max(tops) - min(tops) <= 4, tops
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    screenshot(page, "nav-administrator-1366")


def test_a_submitted_report_shows_paragraphs_as_written(browser_page, demo, unit):
    staff = get_user_model().objects.get(username="tanbien")
    staff.set_password(PASSWORD)
    staff.save()
    report = fill_report(create_report(demo, unit("705")), staff)
    answer = Answer.objects.filter(report=report).exclude(text="").first()
    answer.text = "Đoạn thứ nhất.\n\nĐoạn thứ hai."
    answer.save()
    workflow.submit_report(report, actor=staff)
    page = browser_page
    login(page, "tanbien", PASSWORD)
    page.goto(page.base_url + report.get_absolute_url())
    gap, line = page.evaluate(
        """() => {
          const p = [...document.querySelectorAll('.answer-text p')]
            .filter(e => e.textContent.startsWith('Đoạn thứ'));
          const a = p[0].getBoundingClientRect(), b = p[1].getBoundingClientRect();
          return [b.top - a.bottom, parseFloat(getComputedStyle(p[0]).lineHeight)];
        }"""
    )
    # One paragraph's margin (1 rem), not three blank lines.
    assert gap < 1.5 * line, (gap, line)
