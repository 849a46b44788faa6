"""Shared fixtures: the real Tây Ninh demo data, users per role, a browser."""

import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from reports.models import Membership, Round, Unit

# Live-server tests call the ORM from Playwright's event loop thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
PASSWORD = "mat-khau-thu-nghiem-1"


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # New test users get a fast hash; the demo users' PBKDF2 hashes still verify.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the demo data once per test database; each test rolls back its changes."""
    with django_db_blocker.unblock():
        call_command("seed_demo", verbosity=0)


@pytest.fixture
def demo(db):
    """The demo data: 109 Tây Ninh units, the 2016–2020 round and demo users.

    Transactional tests (live server) flush the database afterwards; the next one
    loads the demo data again.
    """
    round_ = Round.objects.filter(code="so-ket-2016-2020").first()
    if round_ is None:
        call_command("seed_demo", verbosity=0)
        round_ = Round.objects.get(code="so-ket-2016-2020")
    return round_


@pytest.fixture
def round_(demo):
    return demo


@pytest.fixture
def unit():
    def get(code):
        return Unit.objects.select_related("level").get(code=code)

    return get


@pytest.fixture
def make_user(django_user_model):
    """Create a user with a role in a unit (by code)."""
    counter = iter(range(1, 10_000))

    def make(unit_code, role, username=None, **extra):
        username = username or f"u{next(counter)}-{role}-{unit_code}"
        user = django_user_model.objects.create_user(
            username=username, password=PASSWORD, first_name=username, **extra
        )
        Membership.objects.create(
            user=user, unit=Unit.objects.get(code=unit_code), role=role
        )
        return user

    return make


@pytest.fixture
def browser_page(live_server):
    """A Playwright page in Debian's Chromium; no browser download is needed."""
    sync_api = pytest.importorskip("playwright.sync_api")
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(executable).exists():
        pytest.fail("Chromium is missing: apt-get install chromium")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        context = browser.new_context(
            locale="vi-VN", viewport={"width": 1280, "height": 900}
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.base_url = live_server.url
        # Every browser test doubles as a Content Security Policy check: inline
        # scripts, handlers or styles that the policy blocks fail the test.
        violations = []
        page.on(
            "console",
            lambda msg: (
                "Content Security Policy" in msg.text and violations.append(msg.text)
            ),
        )
        try:
            yield page
        finally:
            context.close()
            browser.close()
        assert not violations, f"CSP violations: {violations}"


def login(page, username, password=PASSWORD):
    page.goto(page.base_url + "/dang-nhap/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def screenshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
