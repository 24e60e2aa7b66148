import os
import subprocess
import sys

import pytest


def start(env: dict[str, str]) -> subprocess.CompletedProcess:
    full = {**os.environ, **env, "DJANGO_SETTINGS_MODULE": "portcontrol.settings"}
    return subprocess.run([sys.executable, "-c", "import django; django.setup()"], env=full,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("env, fragment", [
    ({"PORTCONTROL_PRODUCTION": "true", "DEBUG": "true", "SECRET_KEY": "x" * 40},
     "DEBUG must be off"),
    ({"PORTCONTROL_PRODUCTION": "true", "DEBUG": "false"}, "set SECRET_KEY"),
    ({"PORTCONTROL_PRODUCTION": "maybe"}, "is not a boolean"),
    ({"DATABASE_URL": "nosuchdb://x"}, "DATABASE_URL"),
])
def test_bad_settings_refuse_to_start(env, fragment):
    env.setdefault("SECRET_KEY", "")
    result = start(env)
    assert result.returncode != 0 and fragment in result.stderr


def test_production_starts_with_proper_settings():
    result = start({"PORTCONTROL_PRODUCTION": "true", "DEBUG": "false",
                    "SECRET_KEY": "k" * 48})
    assert result.returncode == 0, result.stderr
