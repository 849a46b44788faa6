import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _check(env):
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "DEBUG", "DJANGO_ENV")
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = _check({"DEBUG": "false"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = _check({"DJANGO_ENV": "production"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_starts_with_a_secret_key_and_debug_off():
    result = _check({"DEBUG": "false", "SECRET_KEY": "x" * 60})
    assert result.returncode == 0, result.stderr


def _run(args, env):
    base = {
        k: v
        for k, v in os.environ.items()
        # conftest sets DJANGO_ALLOW_ASYNC_UNSAFE for live-server tests only.
        if k
        not in (
            "SECRET_KEY",
            "DEBUG",
            "DJANGO_ENV",
            "ALLOWED_HOSTS",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        )
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_no_issue_in_production_mode():
    result = _run(
        ["check", "--deploy", "--fail-level", "DEBUG"],
        {
            "DJANGO_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "sokket.example.gov.vn",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout, result.stdout + result.stderr


def test_check_deploy_flags_development_settings():
    """The clean result above means something: development settings are flagged."""
    result = _run(["check", "--deploy"], {"SECRET_KEY": "x" * 60})
    assert "security.W018" in result.stderr  # DEBUG on
    assert "security.W012" in result.stderr  # session cookie not secure


def test_pages_carry_an_enforced_content_security_policy(client):
    response = client.get("/dang-nhap/")
    policy = response.headers["Content-Security-Policy"]
    directives = dict(
        (part.split()[0], part.split()[1:]) for part in policy.split("; ") if part
    )
    assert directives["default-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["img-src"] == ["'self'", "data:"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "Content-Security-Policy-Report-Only" not in response.headers


def test_a_script_nonce_is_added_to_the_policy_only_when_a_page_uses_it(rf):
    from csp.middleware import CSPMiddleware
    from django.http import HttpResponse
    from django.template import Context, Template

    def view(request):
        html = Template('<script nonce="{{ request.csp_nonce }}"></script>').render(
            Context({"request": request})
        )
        return HttpResponse(html)

    request = rf.get("/")
    middleware = CSPMiddleware(view)
    response = middleware(request)
    nonce = str(request.csp_nonce)
    assert f"'nonce-{nonce}'" in response.headers["Content-Security-Policy"]
    assert f'nonce="{nonce}"'.encode() in response.content


def test_production_refuses_to_start_in_debug_mode():
    result = _check(
        {"DJANGO_ENV": "production", "DEBUG": "true", "SECRET_KEY": "x" * 60}
    )
    assert result.returncode != 0
    assert "DEBUG" in result.stderr


def _setting(name, env):
    result = _run(
        ["shell", "-c", f"from django.conf import settings; print(settings.{name})"],
        env,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_behind_the_proxy_the_lockout_reads_the_forwarded_address():
    production = {
        "DJANGO_ENV": "production",
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "sokket.example.gov.vn",
    }
    order = _setting("AXES_IPWARE_META_PRECEDENCE_ORDER", production)
    assert order.index("HTTP_X_FORWARDED_FOR") < order.index("REMOTE_ADDR")
    # Without a proxy (development) a client cannot choose its address.
    assert "X_FORWARDED" not in _setting(
        "AXES_IPWARE_META_PRECEDENCE_ORDER", {"SECRET_KEY": "x" * 60}
    )
