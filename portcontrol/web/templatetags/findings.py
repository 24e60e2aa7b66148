"""Template filters for intake findings."""

from __future__ import annotations

from typing import Any

from django import template

from portcontrol.web.language import in_reader_language

register = template.Library()


@register.filter
def finding_text(finding: dict[str, Any]) -> str:
    """A stored finding's message in the reader's language: its Russian text when the page is
    in Russian and the finding has one (findings stored before Russian texts existed do not),
    else the English one."""
    return in_reader_language(str(finding.get("message", "")), finding.get("message_ru"))
