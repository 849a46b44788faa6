"""Links in notification mails start with the address people open the portal at."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command

from reports import workflow
from tests.factories import create_report, fill_report

ROOT = Path(__file__).resolve().parent.parent
PORTAL = "https://baocao.mttq-tayninh.example.vn"


def _site_url(env):
    keep = ("SITE_URL", "SECRET_KEY", "DEBUG", "DJANGO_ENV", "ALLOWED_HOSTS")
    base = {k: v for k, v in os.environ.items() if k not in keep}
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.conf import settings; print(settings.SITE_URL)",
        ],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_site_url_is_read_from_the_environment():
    assert _site_url({"SITE_URL": PORTAL}) == PORTAL


def test_production_without_site_url_links_to_its_own_host_not_localhost():
    production = {
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "baocao.mttq-tayninh.example.vn,127.0.0.1",
    }
    assert _site_url(production) == PORTAL


@pytest.mark.django_db
def test_workflow_mails_link_to_the_site_url(
    demo, unit, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = PORTAL + "/"
    from django.contrib.auth import get_user_model

    staff = get_user_model().objects.get(username="tanbien")
    report = fill_report(create_report(demo, unit("705")), staff)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit_report(report, actor=staff)
    assert mail.outbox, "the province's reviewer is told"
    for message in mail.outbox:
        assert f"{PORTAL}/tham-dinh/" in message.body
        assert "localhost" not in message.body


@pytest.mark.django_db
def test_reminder_mails_link_to_the_site_url(demo, settings):
    settings.SITE_URL = PORTAL
    call_command(
        "send_deadline_reminders",
        "--send",
        "--today",
        "2020-12-10",
        stdout=open(os.devnull, "w"),
    )
    assert mail.outbox
    for message in mail.outbox:
        assert f"{PORTAL}/" in message.body and "localhost" not in message.body
