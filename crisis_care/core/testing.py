"""Helpers for tests: read a page the way a person would (text, not markup)."""

import html
import re

from django.http import HttpResponse


def page_text(response: HttpResponse) -> str:
    """The visible text of a response: tags stripped, entities decoded, spaces collapsed."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", html.unescape(body)).strip()
