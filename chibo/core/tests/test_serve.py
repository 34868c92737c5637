"""`chibo serve` is gunicorn in front of chibo.wsgi, and WhiteNoise still serves the assets."""

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

from chibo.core.management.commands.serve import default_workers, gunicorn_argv

ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str):
    for _ in range(150):
        try:
            return urllib.request.urlopen(url, timeout=5)
        except urllib.error.HTTPError:
            raise
        except OSError:
            threading.Event().wait(0.2)  # not time.sleep: it fails under faketime (EINVAL)
    raise AssertionError(f"nothing answered at {url}")


def test_it_serves_pages_and_static_files_through_gunicorn(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DB", "CHIBO_TESTING")}
    env.update(PYTHONPATH=str(ROOT), CHIBO_VAR_DIR=str(tmp_path), CHIBO_DEMO="1", CHIBO_DEBUG="0")
    chibo = [sys.executable, "-m", "chibo"]
    for cmd in (["migrate", "--noinput", "-v", "0"], ["collectstatic", "--noinput", "-v", "0"]):
        subprocess.run(chibo + cmd, env=env, cwd=ROOT, check=True, capture_output=True)
    port = _free_port()
    server = subprocess.Popen(
        chibo + ["serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        page = _get(base + "/accounts/login/")
        assert page.status == 200
        assert page.headers["Server"] == "gunicorn"
        html = page.read().decode()
        assert "Đăng nhập" in html
        # The page links the hashed, collected name (CompressedManifestStaticFilesStorage).
        css = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', html)
        assert css, html[:2000]
        asset = _get(base + css.group(1))
        assert asset.status == 200
        assert asset.headers["Content-Type"].startswith("text/css")
        assert "immutable" in asset.headers["Cache-Control"]
        collected = tmp_path / "static" / css.group(1).removeprefix("/static/")
        assert asset.read() == collected.read_bytes()
        try:
            _get(base + "/static/no-such-file.css")
            raise AssertionError("a missing asset was served")
        except urllib.error.HTTPError as exc:
            assert exc.code == 404
    finally:
        server.send_signal(signal.SIGTERM)
        out, _ = server.communicate(timeout=60)
    log = out.decode()
    assert server.returncode == 0, log
    assert "Booting worker" in log and "Shutting down: Master" in log


def test_the_command_line_it_runs(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    argv = gunicorn_argv(
        bind="127.0.0.1:8001", workers=3, timeout=60, graceful_timeout=30, keep_alive=5
    )
    assert argv[:4] == [sys.executable, "-m", "gunicorn", "chibo.wsgi:application"]
    pairs = dict(zip(argv[4::2], argv[5::2], strict=False))
    assert pairs["--bind"] == "127.0.0.1:8001" and pairs["--workers"] == "3"
    assert pairs["--forwarded-allow-ips"] == "10.0.0.5"
    assert 3 <= default_workers() <= 9
