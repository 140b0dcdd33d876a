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


def people_audited_on(object_type: str) -> list[str]:
    """The person ids that list views of this kind have audited (one row per person shown,
    core.audit.audit_list_view), sorted."""
    from .models import AuditEvent

    return sorted(
        str(pk)
        for pk in AuditEvent.objects.filter(
            object_type=object_type, person_id__isnull=False
        ).values_list("person_id", flat=True)
    )
