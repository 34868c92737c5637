"""`chibo serve`: the production web server (gunicorn) in front of chibo.wsgi.

nginx terminates TLS, serves /static/ from STATIC_ROOT and proxies the rest here
(docs/deploy.md); WhiteNoise still serves the static files when nginx does not. `make run`
keeps Django's development server for the demo.
"""

from __future__ import annotations

import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


def default_workers() -> int:
    # gunicorn's own advice, (2 x CPUs) + 1 sync workers, capped: each worker holds a Django
    # process (~100 MB) and a database connection, and a commune's server is a small machine.
    cpus = os.process_cpu_count() or 1
    return min(2 * cpus + 1, 9)


def gunicorn_argv(
    *, bind: str, workers: int, timeout: int, graceful_timeout: int, keep_alive: int
) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "chibo.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(workers),
        # A worker silent this long is killed and replaced (a stuck PDF or query must not hold
        # a worker for ever); long work goes to the task worker, not to a request.
        "--timeout",
        str(timeout),
        "--graceful-timeout",
        str(graceful_timeout),
        # nginx keeps connections to us open; a little longer than nothing saves reconnects.
        "--keep-alive",
        str(keep_alive),
        # Workers are replaced now and then, so slow memory growth never takes the server down.
        "--max-requests",
        "1000",
        "--max-requests-jitter",
        "100",
        # gunicorn believes X-Forwarded-* from the same proxies as Django (CHIBO_TRUSTED_PROXIES).
        "--forwarded-allow-ips",
        ",".join(settings.TRUSTED_PROXIES) or "127.0.0.1,::1",
        # We do not use gunicorn's control socket; by default every instance would share one
        # file in $HOME.
        "--no-control-socket",
        "--access-logfile",
        "-",
        "--error-logfile",
        "-",
    ]


class Command(BaseCommand):
    help = "Chạy máy chủ web cho vận hành thật (gunicorn). / Run the production web server."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--bind",
            default="127.0.0.1:8000",
            help="address:port, or unix:/path (default 127.0.0.1:8000: only nginx on this host)",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=default_workers(),
            help="worker processes (default (2 x CPUs) + 1, at most 9)",
        )
        parser.add_argument("--timeout", type=int, default=60, help="seconds (default 60)")
        parser.add_argument("--graceful-timeout", type=int, default=30, help="seconds (default 30)")
        parser.add_argument("--keep-alive", type=int, default=5, help="seconds (default 5)")

    def handle(self, *args, **options):
        if options["workers"] < 1:
            raise CommandError("--workers phải từ 1 trở lên.")
        for name in ("timeout", "graceful_timeout", "keep_alive"):
            if options[name] < 1:
                raise CommandError(f"--{name.replace('_', '-')} phải từ 1 giây trở lên.")
        # Refuse a broken configuration here, with Django's message, rather than in every worker.
        call_command("check")
        argv = gunicorn_argv(
            bind=options["bind"],
            workers=options["workers"],
            timeout=options["timeout"],
            graceful_timeout=options["graceful_timeout"],
            keep_alive=options["keep_alive"],
        )
        sys.stdout.flush()
        sys.stderr.flush()
        # exec: systemd (or the shell) supervises gunicorn itself, signals reach it directly.
        os.execv(argv[0], argv)
