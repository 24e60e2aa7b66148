"""The Russian interface is complete: every string translated, compiled and current."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PO = ROOT / "portcontrol" / "locale" / "ru" / "LC_MESSAGES" / "django.po"
sys.path.insert(0, str(ROOT / "tools"))


def catalog():
    from babel.messages.pofile import read_po

    with open(PO, "rb") as fh:
        return read_po(fh)


def test_every_russian_string_is_translated():
    missing = []
    for msg in catalog():
        if not msg.id:
            continue
        strings = msg.string if isinstance(msg.string, tuple) else (msg.string,)
        if msg.fuzzy or not all(strings):
            missing.append(msg.id)
    assert missing == []


def test_compiled_catalogue_matches_the_po_file():
    from compile_messages import compiled

    assert PO.with_suffix(".mo").read_bytes() == compiled(PO), \
        "run: make messages (or python tools/compile_messages.py)"


def test_no_string_in_the_code_is_missing_from_the_catalogue(tmp_path):
    if shutil.which("xgettext") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("xgettext (GNU gettext) is required in CI")
        pytest.skip("xgettext not installed")
    work = tmp_path / "portcontrol"
    shutil.copytree(ROOT / "portcontrol", work,
                    ignore=shutil.ignore_patterns("__pycache__", "static"))
    # Settings whose LOCALE_PATHS is empty, so makemessages writes into the copy's locale/.
    (tmp_path / "copy_settings.py").write_text(
        "from portcontrol.settings import *  # noqa\nLOCALE_PATHS = []\n")
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "ru", "--no-obsolete",
         "--ignore", "generator/*", "--ignore", "testing/*", "--ignore", "*/tests/*"],
        cwd=work, check=True, capture_output=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "copy_settings",
             "PYTHONPATH": str(tmp_path)})
    from babel.messages.pofile import read_po

    with open(work / "locale" / "ru" / "LC_MESSAGES" / "django.po", "rb") as fh:
        fresh = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog() if m.id}
    assert sorted(fresh - known) == [], "new strings: run `make messages` and translate them"
