"""`make test` on a fresh machine: it installs Debian's Chromium first when it is missing."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(not shutil.which("make"), reason="make is not installed")


def planned_commands(*variables: str) -> str:
    """What `make test` would run (dry run: nothing is installed or executed)."""
    return subprocess.run(  # noqa: S603 - our own Makefile
        ["make", "-n", "test", *variables],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_make_test_installs_chromium_when_it_is_missing_before_running_the_suite():
    plan = planned_commands("CHROMIUM=/nowhere/chromium")

    install = plan.index("apt-get install -y -qq chromium")
    assert "[ -x /nowhere/chromium ] ||" in plan
    assert "apt-get update -qq" in plan
    assert install < plan.index("-m pytest")


def test_make_test_checks_debians_chromium_path_by_default():
    assert "[ -x /usr/bin/chromium ] ||" in planned_commands()


def test_make_test_installs_postgresql_and_redis_when_missing_before_running_the_suite():
    plan = planned_commands("INITDB=")

    install = plan.index("apt-get install -y -qq postgresql redis-server")
    assert '[ -n "" ] && command -v redis-server' in plan
    assert install < plan.index("-m pytest")
