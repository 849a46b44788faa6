import pytest

from reports.models import ExemplaryModel
from tests.conftest import login
from tests.factories import create_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_deleting_a_model_asks_first_under_the_csp(browser_page, demo, make_user, unit):
    make_user("705", "staff", username="xoa.mohinh")
    report = create_report(demo, unit("705"))
    ExemplaryModel.objects.create(
        report=report,
        name="Mô hình thử",
        content_area="II.1.1",
        unit_in_charge="Ban Thường trực",
        year_started=2018,
    )
    page = browser_page
    violations = []
    page.on(
        "console",
        lambda m: "Content Security Policy" in m.text and violations.append(m.text),
    )
    login(page, "xoa.mohinh")
    page.goto(f"{page.base_url}/bao-cao/{report.pk}/mo-hinh/")
    questions = []

    def answer(dialog, accept):
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda d: answer(d, False))
    page.get_by_role("button", name="Xóa").click()
    page.wait_for_timeout(300)
    assert ExemplaryModel.objects.filter(report=report).count() == 1
    page.once("dialog", lambda d: answer(d, True))
    page.get_by_role("button", name="Xóa").click()
    page.wait_for_load_state()
    assert ExemplaryModel.objects.filter(report=report).count() == 0
    assert questions == ["Xóa mô hình này và tệp kèm theo?"] * 2
    assert not violations
