"""The in-process benches' environment: Portico's production settings on a throwaway SQLite
database (or DATABASE_URL's), with bench-only keys, set up before Django is. The throwaway
database's folder is removed when the bench ends."""

import atexit
import os
import shutil
import tempfile

import django


def set_up_django() -> None:
    if "DATABASE_URL" not in os.environ:
        workdir = tempfile.mkdtemp(prefix="portico-bench-")
        atexit.register(shutil.rmtree, workdir, ignore_errors=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("SECRET_KEY", "portico-bench-only-" + "b" * 40)
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("PORTICO_TOKEN_PEPPERS", "b1:YmVuY2gtb25seS1wZXBwZXItMDEyMzQ1Njc4OWFiY2Q")
    os.environ.setdefault(
        "PORTICO_ENCRYPTION_KEYS", "b1:YmVuY2gtb25seS1hZXMta2V5LTAxMjM0NTY3ODlhYmM"
    )
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    django.setup()
