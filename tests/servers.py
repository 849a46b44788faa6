"""Real app servers for tests: gunicorn on loopback ports against a database of
their own, and a small browser (cookies, CSRF) to drive them.

Used where the test client cannot show the behaviour: several processes writing
one SQLite file, two app nodes sharing one PostgreSQL. Everything is bounded:
loopback only, timeouts on every request, servers stopped whatever happens.
"""

import json
import os
import re
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from http.client import HTTPConnection
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from reports.management.commands.seed_demo import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
REQUEST_TIMEOUT = 60.0
START_TIMEOUT = 60.0


def server_env(database_url, media_root, **extra):
    """The environment of a server (and of its set-up commands)."""
    drop = {"DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_ENV", "TEST_DATABASE_NAME"}
    return {
        **{k: v for k, v in os.environ.items() if k not in drop},
        "DEBUG": "false",
        "SECRET_KEY": "tests-servers-secret-key-" + "x" * 40,
        "ALLOWED_HOSTS": HOST,
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(media_root),
        "DJANGO_SETTINGS_MODULE": "sokket.settings",
        **extra,
    }


def manage(env, *args, timeout=300):
    """Run ``manage.py args`` with ``env``; its output, or an error with it."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)}: {result.stderr[-3000:]}")
    return result.stdout


def prepare_database(env):
    """Migrate and load the demo data."""
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "seed_demo", "-v0")


def run_python(env, code):
    """Run ``code`` in a Django shell of ``env``; the JSON it prints last."""
    out = manage(env, "shell", "-c", code)
    return json.loads(out.strip().splitlines()[-1])


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(env, *, workers=2, threads=1, log_path):
    """A gunicorn serving the portal on a free loopback port; yields the port."""
    port = free_port()
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "sokket.wsgi:application",
                "--bind",
                f"{HOST}:{port}",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--timeout",
                "60",
                "--graceful-timeout",
                "5",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"gunicorn stopped at start: {log_path}")
            try:
                if Browser(port).get("/dang-nhap/")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not answer in time")
            time.sleep(0.3)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=5)


class Browser:
    """Cookies and the CSRF token, as a browser keeps them; ``port`` may change
    between requests (one person, two app nodes)."""

    def __init__(self, port, jar=None):
        self.port = port
        self.jar = jar if jar is not None else SimpleCookie()

    def request(self, method, path, *, body=None, headers=None, port=None):
        conn = HTTPConnection(HOST, port or self.port, timeout=REQUEST_TIMEOUT)
        cookie = "; ".join(f"{k}={m.value}" for k, m in self.jar.items())
        headers = {**(headers or {}), **({"Cookie": cookie} if cookie else {})}
        if method == "POST" and "csrftoken" in self.jar:
            headers["X-CSRFToken"] = self.jar["csrftoken"].value
            headers["Referer"] = f"http://{HOST}:{port or self.port}/"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            content = response.read()
            for value in response.headers.get_all("Set-Cookie") or []:
                self.jar.load(value)
            return response.status, response.headers, content
        finally:
            conn.close()

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, data, **kwargs):
        return self.request(
            "POST",
            path,
            body=urlencode(data, doseq=True),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            **kwargs,
        )

    def post_json(self, path, data, **kwargs):
        return self.request(
            "POST",
            path,
            body=json.dumps(data),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            **kwargs,
        )

    def login(self, username, password=DEMO_PASSWORD, **kwargs):
        status, _headers, body = self.get("/dang-nhap/", **kwargs)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        status, _headers, _body = self.post(
            "/dang-nhap/",
            {
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": token.group(1).decode(),
            },
            **kwargs,
        )
        if status != 302 or "sessionid" not in self.jar:
            raise RuntimeError(f"login as {username} failed ({status})")
