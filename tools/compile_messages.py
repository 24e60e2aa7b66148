"""Compile locale/*/LC_MESSAGES/django.po to .mo with Babel (no GNU gettext needed).

The .mo files are committed so a fresh machine with only Python runs the Russian interface;
tests check that each .mo matches its .po (portcontrol/web/tests/test_translations.py).
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE = Path(__file__).resolve().parents[1] / "portcontrol" / "locale"


def compiled(po_path: Path) -> bytes:
    with open(po_path, "rb") as fh:
        catalog = read_po(fh)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    return buf.getvalue()


def main() -> int:
    for po in sorted(LOCALE.glob("*/LC_MESSAGES/*.po")):
        po.with_suffix(".mo").write_bytes(compiled(po))
        print(f"compiled {po.relative_to(LOCALE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
