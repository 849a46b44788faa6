import openpyxl
import pytest
from django.core.management import CommandError, call_command

from tests.test_exports import approved

pytestmark = pytest.mark.django_db


@pytest.fixture
def district(demo, unit, make_user):
    staff = make_user("705", "staff")
    reviewer = make_user("72", "reviewer")
    return approved(demo, unit("705"), staff, reviewer)


def test_command_writes_a_units_excel(district, tmp_path):
    output = tmp_path / "tan-bien.xlsx"
    call_command(
        "export_report",
        "--round=so-ket-2016-2020",
        "--unit=705",
        "--format=xlsx",
        f"--output={output}",
    )
    wb = openpyxl.load_workbook(output)
    assert wb["Biểu 1.2"]["B7"].value == "Huyện Tân Biên"


def test_command_writes_a_consolidated_pdf(district, tmp_path):
    output = tmp_path / "tinh.pdf"
    call_command(
        "export_report",
        "--round=so-ket-2016-2020",
        "--unit=72",
        "--consolidated",
        "--format=pdf",
        f"--output={output}",
    )
    assert output.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--round=khong-co", "--unit=705"], "Không có đợt"),
        (["--round=so-ket-2016-2020", "--unit=999999"], "Không có đơn vị"),
        (["--round=so-ket-2016-2020", "--unit=707"], "chưa nộp"),
        (["--round=so-ket-2016-2020", "--unit=25489", "--consolidated"], "trực thuộc"),
    ],
)
def test_command_refuses_bad_input_clearly(demo, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        call_command(
            "export_report", *args, "--format=pdf", f"--output={tmp_path / 'x.pdf'}"
        )
