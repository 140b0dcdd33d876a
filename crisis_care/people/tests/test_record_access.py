"""Opening a person's record: the legitimate relationship, break-glass and the audit."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from crisis_care.core.models import AuditAction, AuditEvent
from crisis_care.core.roles import Role
from crisis_care.core.testing import page_text
from crisis_care.nonprod import factories

pytestmark = pytest.mark.django_db


def test_it_shows_the_record_to_staff_whose_team_cares_for_the_person(
    signed_in, practitioner, person_in_care
):
    response = signed_in(practitioner).get(reverse("people:detail", args=[person_in_care.pk]))

    assert response.status_code == 200
    assert "Sam Ellison" in response.text
    assert person_in_care.nhs_number[:3] + " " + person_in_care.nhs_number[3:6] in response.text


def test_viewing_a_record_writes_an_audit_row_that_the_access_log_shows(
    signed_in, practitioner, staff_user, person_in_care
):
    signed_in(practitioner).get(reverse("people:detail", args=[person_in_care.pk]))

    event = AuditEvent.objects.get(person_id=person_in_care.pk, action=AuditAction.VIEW)
    assert event.actor == practitioner
    assert event.actor_role == Role.REGISTERED_PRACTITIONER
    assert event.section == "record"
    assert not event.flagged_for_review

    manager = staff_user(Role.TEAM_MANAGER)
    log = signed_in(manager).get(reverse("people:access_log", args=[person_in_care.pk]))
    assert log.status_code == 200
    text = page_text(log)
    assert str(practitioner) in text
    assert "Registered practitioner" in text
    assert "Viewed (record)" in text


def test_it_refuses_a_user_without_a_legitimate_relationship_and_audits_the_attempt(
    signed_in, staff_user, other_team, person_in_care
):
    outsider = staff_user(Role.REGISTERED_PRACTITIONER, in_team=other_team)

    response = signed_in(outsider).get(reverse("people:detail", args=[person_in_care.pk]))

    assert response.status_code == 403
    assert "Sam Ellison" not in response.text
    assert "Use emergency access" in response.text
    refused = AuditEvent.objects.get(person_id=person_in_care.pk, action=AuditAction.ACCESS_DENIED)
    assert refused.actor == outsider


def test_break_glass_opens_the_record_flags_the_grant_and_marks_each_view(
    signed_in, staff_user, other_team, person_in_care
):
    outsider = staff_user(Role.REGISTERED_PRACTITIONER, in_team=other_team)
    client = signed_in(outsider)

    response = client.post(
        reverse("people:break_glass", args=[person_in_care.pk]),
        {"reason": "Called by police: Sam found in distress, need safety plan and contacts"},
    )
    assert response.status_code == 302
    response = client.get(reverse("people:detail", args=[person_in_care.pk]))

    assert response.status_code == 200
    assert "Emergency access" in response.text
    grant = AuditEvent.objects.get(person_id=person_in_care.pk, action=AuditAction.BREAK_GLASS)
    assert grant.flagged_for_review
    assert "Called by police" in grant.reason
    view = AuditEvent.objects.get(person_id=person_in_care.pk, action=AuditAction.VIEW)
    assert view.detail == {"basis": "break_glass"}
    assert AuditEvent.objects.filter(flagged_for_review=True).count() == 1


def test_break_glass_needs_a_reason(signed_in, staff_user, other_team, person_in_care):
    outsider = staff_user(Role.REGISTERED_PRACTITIONER, in_team=other_team)

    response = signed_in(outsider).post(
        reverse("people:break_glass", args=[person_in_care.pk]), {"reason": ""}
    )

    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert "Enter the reason you need to see this record now" in response.text
    assert not AuditEvent.objects.filter(action=AuditAction.BREAK_GLASS).exists()


def test_break_glass_expires(signed_in, staff_user, other_team, person_in_care, time_machine):
    outsider = staff_user(Role.REGISTERED_PRACTITIONER, in_team=other_team)
    client = signed_in(outsider)
    client.post(
        reverse("people:break_glass", args=[person_in_care.pk]),
        {"reason": "Urgent safeguarding call"},
    )

    time_machine.move_to(timezone.now() + dt.timedelta(hours=5))
    client.force_login(outsider)  # the session would have timed out; sign in again
    response = client.get(reverse("people:detail", args=[person_in_care.pk]))

    assert response.status_code == 403


def test_clerical_staff_outside_the_team_cannot_break_glass(
    signed_in, staff_user, other_team, person_in_care
):
    clerk = staff_user(Role.ADMINISTRATOR, in_team=other_team)

    page = signed_in(clerk).get(reverse("people:detail", args=[person_in_care.pk]))
    attempt = signed_in(clerk).post(
        reverse("people:break_glass", args=[person_in_care.pk]),
        {"reason": "I would like to look please"},
    )

    assert page.status_code == 403
    assert "Use emergency access" not in page.text
    assert attempt.status_code == 403


def test_the_relationship_lasts_for_the_configured_period_after_closure(
    signed_in, practitioner, team, settings
):
    settings.CRISIS_CARE = {
        **settings.CRISIS_CARE,
        "LEGITIMATE_RELATIONSHIP_DAYS_AFTER_CLOSURE": 28,
    }
    recent = factories.PersonFactory()
    factories.CareTeamLinkFactory(
        team=team, person=recent, closed_at=timezone.now() - dt.timedelta(days=27)
    )
    old = factories.PersonFactory()
    factories.CareTeamLinkFactory(
        team=team, person=old, closed_at=timezone.now() - dt.timedelta(days=29)
    )
    client = signed_in(practitioner)

    assert client.get(reverse("people:detail", args=[recent.pk])).status_code == 200
    assert client.get(reverse("people:detail", args=[old.pk])).status_code == 403


def test_a_former_team_member_loses_the_relationship(signed_in, practitioner, person_in_care):
    practitioner.staff.memberships.update(ended_on=timezone.localdate() - dt.timedelta(days=1))

    response = signed_in(practitioner).get(reverse("people:detail", args=[person_in_care.pk]))

    assert response.status_code == 403


def test_record_urls_use_uuids_that_cannot_be_guessed(signed_in, practitioner, person_in_care):
    url = reverse("people:detail", args=[person_in_care.pk])

    assert str(person_in_care.pk) in url
    assert len(str(person_in_care.pk)) == 36


def test_the_record_page_shows_a_wish_not_to_involve_someone_plainly(
    signed_in, practitioner, person_in_care
):
    factories.ContactFactory(
        person=person_in_care,
        name="Dana Ellison",
        relationship="parent",
        involvement="do_not_involve",
        involvement_note="I don't want my mum to know",
    )

    response = signed_in(practitioner).get(reverse("people:detail", args=[person_in_care.pk]))

    assert "The person does not want some people involved" in response.text
    assert "Dana Ellison" in response.text
    assert "I don't want my mum to know" in page_text(response)


def _queries_for(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _add_contacts(person, count: int) -> None:
    for _ in range(count):
        contact = factories.ContactFactory(person=person)
        contact.current_consent = factories.ConsentRecordFactory(contact=contact)
        contact.save()


def test_the_record_page_issues_a_fixed_number_of_queries(signed_in, practitioner, person_in_care):
    client = signed_in(practitioner)
    url = reverse("people:detail", args=[person_in_care.pk])
    _add_contacts(person_in_care, 1)
    few = _queries_for(client, url)
    _add_contacts(person_in_care, 12)

    assert _queries_for(client, url) == few


def test_the_access_log_issues_a_fixed_number_of_queries(signed_in, staff_user, person_in_care):
    manager = staff_user(Role.TEAM_MANAGER)
    client = signed_in(manager)
    url = reverse("people:access_log", args=[person_in_care.pk])
    few = _queries_for(client, url)
    for _ in range(10):
        client.get(reverse("people:detail", args=[person_in_care.pk]))

    assert _queries_for(client, url) == few
