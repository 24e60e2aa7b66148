"""Shared test fixtures: reference data loaded once per test database, and the personas.

Personas are created through the same action functions the product uses:
  baku_officer, baku_supervisor (PCU Baku, Azerbaijan), karachi_officer (PCU Karachi,
  Pakistan), poti_officer (PCU Poti, Georgia), az_coordinator (national coordinator,
  Azerbaijan), programme_admin (programme office).
"""

from __future__ import annotations

import os

import pytest

from portcontrol.testing import records as record_factory


def _django_configured() -> bool:
    # pytest-django sets this from pyproject; with `-p no:django` the pure packages' tests
    # run without Django at all.
    return bool(os.environ.get("DJANGO_SETTINGS_MODULE"))


def pytest_configure(config):
    if not _django_configured():
        return
    from django.conf import settings

    # Password hashing is deliberately slow; tests create several personas each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]



def pytest_report_header(config):
    if not _django_configured():
        return None
    from django.conf import settings

    db = settings.DATABASES["default"]
    return f"database: {db['ENGINE'].rsplit('.', 1)[-1]} {db.get('HOST') or ''}".rstrip()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from portcontrol.reference.loading import load_reference_data

    with django_db_blocker.unblock():
        load_reference_data()


IMMEDIATE_TASKS = {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}


@pytest.fixture(autouse=True)
def _test_environment(request, tmp_path):
    """Uploads and reports of a test go to its own temporary folder, not ./var; background
    tasks run in the caller, so a test sees their result without a worker process."""
    if not _django_configured():
        yield
        return
    from asgiref.local import Local
    from django.utils import translation
    from django_tasks import task_backends

    from portcontrol.risk import history as risk_history
    from portcontrol.risk import watchlists as risk_watchlists

    # What a process keeps between scoring runs is keyed by the data it was made from; a
    # test database rolled back reuses ids, so each test starts with nothing kept.
    risk_history.forget()
    risk_watchlists._INDEXES.clear()
    settings = request.getfixturevalue("settings")
    settings.VAR_DIR = tmp_path / "var"
    saved = task_backends.settings["default"]
    task_backends.settings["default"] = IMMEDIATE_TASKS
    task_backends._connections = Local(task_backends.thread_critical)
    yield
    task_backends.settings["default"] = saved
    task_backends._connections = Local(task_backends.thread_critical)
    # A page requested in Russian leaves Russian active in this thread: code that words a
    # message with gettext in the next test would speak Russian.
    translation.deactivate()


@pytest.fixture
def org(db):
    from portcontrol.accounts.demo import ensure_demo_organisation

    users = {u.username: u for u in ensure_demo_organisation(password="correct-horse-42")}
    return users


@pytest.fixture
def baku_officer(org):
    return org["baku.officer"]


@pytest.fixture
def baku_supervisor(org):
    return org["baku.supervisor"]


@pytest.fixture
def karachi_officer(org):
    return org["karachi.officer"]


@pytest.fixture
def poti_officer(org):
    return org["poti.officer"]


@pytest.fixture
def az_coordinator(org):
    return org["az.coordinator"]


@pytest.fixture
def programme_admin(org):
    return org["programme.admin"]


@pytest.fixture
def manifests(org):
    """One consignment for each demo PCU, loaded through the loader."""
    from portcontrol.manifests.loading import do_load_records

    recs = record_factory.sample_records()
    result = do_load_records(recs, acting_user=None, source="test-fixture")
    assert result.rejected == 0, result.errors
    return result


PASSWORD = "correct-horse-42"


@pytest.fixture
def login(client):
    def _login(user):
        assert client.login(username=user.username, password=PASSWORD)
        return client
    return _login


os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API + live server
