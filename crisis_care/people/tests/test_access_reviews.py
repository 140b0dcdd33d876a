"""IG leads and managers review break-glass accesses."""

import pytest
from django.urls import reverse

from crisis_care.core.models import AuditAction, AuditEvent, AuditReview
from crisis_care.core.roles import Role
from crisis_care.core.testing import page_text
from crisis_care.people import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def break_glass_event(staff_user, other_team, person_in_care) -> AuditEvent:
    outsider = staff_user(Role.DOCTOR, in_team=other_team)
    services.break_glass_grant(
        user=outsider, person=person_in_care, reason="Seen in ED at 3am, needs plan"
    )
    return AuditEvent.objects.get(action=AuditAction.BREAK_GLASS)


def test_flagged_accesses_wait_for_review_until_reviewed(signed_in, staff_user, break_glass_event):
    auditor = staff_user(Role.IG_AUDITOR, in_team=None)
    client = signed_in(auditor)

    waiting = page_text(client.get(reverse("people:access_reviews")))
    assert "Waiting for review (1)" in waiting
    assert "Seen in ED at 3am, needs plan" in waiting

    response = client.post(
        reverse("people:access_review", args=[break_glass_event.pk]),
        {"outcome": "appropriate", "note": ""},
    )
    assert response.status_code == 302

    after = page_text(client.get(reverse("people:access_reviews")))
    assert "There are no accesses waiting for review" in after
    assert "Appropriate" in after
    assert AuditReview.objects.get().reviewed_by == auditor
    # The original audit event is untouched.
    break_glass_event.refresh_from_db()
    assert break_glass_event.flagged_for_review


def test_escalating_an_access_needs_a_note(signed_in, staff_user, break_glass_event):
    auditor = staff_user(Role.IG_AUDITOR, in_team=None)

    response = signed_in(auditor).post(
        reverse("people:access_review", args=[break_glass_event.pk]), {"outcome": "inappropriate"}
    )

    assert response.status_code == 400
    assert "Say what you have done about it" in page_text(response)
    assert not AuditReview.objects.exists()
