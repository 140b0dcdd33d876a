"""The episode page: status and its history, the named worker (CORE item 36) and its
history, the six-week review (CORE item 10), paired visits (CORE item 32b), early supported
discharge, and the links to the care plan, visits and medication."""

import datetime as dt
import uuid

import pytest
from django.urls import reverse

from crisis_care.core.models import AuditAction, AuditEvent
from crisis_care.core.roles import Role
from crisis_care.core.testing import page_text
from crisis_care.nonprod import factories
from crisis_care.treatment.models import Admission, Episode

pytestmark = pytest.mark.django_db


def url(name, episode):
    return reverse(f"treatment:{name}", args=[episode.pk])


@pytest.fixture
def nurse(team):
    return factories.StaffMemberFactory(
        role=Role.REGISTERED_PRACTITIONER,
        team=team,
        user__first_name="Nia",
        user__last_name="Okoro",
    )


@pytest.fixture
def manager(staff_user):
    return staff_user(Role.TEAM_MANAGER)


# -- The page ----------------------------------------------------------------------------


def test_the_page_shows_the_status_history_and_the_named_worker_with_its_history(
    signed_in, manager, episode, practitioner
):
    response = signed_in(manager).get(url("episode", episode))

    assert response.status_code == 200
    text = page_text(response)
    assert "Status Open" in text
    assert "Status history" in text
    worker = practitioner.get_full_name()
    assert f"Named worker {worker}" in text
    assert "Named when home treatment began" in text
    assert "Six-week review" in text
    body = response.content.decode()
    assert url("named_worker_change", episode) in body
    assert url("episode_review", episode) in body
    assert url("paired_visits", episode) in body


def test_viewing_the_episode_is_audited(signed_in, practitioner, episode):
    signed_in(practitioner).get(url("episode", episode))

    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW,
        section="episode",
        object_id=episode.pk,
        person_id=episode.person_id,
        actor=practitioner,
    ).exists()


def test_the_review_due_date_is_day_42_on_the_london_calendar(signed_in, practitioner, episode):
    # 23:30 UTC on 10 June is 00:30 on 11 June in London (British Summer Time).
    Episode.objects.filter(pk=episode.pk).update(
        started_at=dt.datetime(2026, 6, 10, 23, 30, tzinfo=dt.UTC)
    )

    text = page_text(signed_in(practitioner).get(url("episode", episode)))

    assert "Six-week review due 23 July 2026" in text


def test_paired_visits_show_as_a_warning_with_the_reason(signed_in, manager, episode):
    Episode.objects.filter(pk=episode.pk).update(
        paired_visits_required=True, paired_visits_reason="Brother threatened staff on Monday"
    )

    body = signed_in(manager).get(url("episode", episode)).content.decode()

    warning = body.index("nhsuk-card--warning")
    assert warning < body.index("nhsuk-summary-list")
    assert "Paired visits required" in body[warning:]
    assert "Brother threatened staff on Monday" in body[warning:]


def test_early_supported_discharge_shows_the_ward_and_admission_date(
    signed_in, practitioner, episode
):
    admission = Admission.objects.create(
        person=episode.person,
        ward="Heather ward",
        legal_status="voluntary",
        admitted_at=dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC),
    )
    Episode.objects.filter(pk=episode.pk).update(early_discharge_from=admission)

    text = page_text(signed_in(practitioner).get(url("episode", episode)))

    assert "Early supported discharge" in text
    assert "leave Heather ward early" in text
    assert "admitted on 2 March 2026" in text


def test_the_page_links_the_care_plan_written_plan_visits_and_medication(
    signed_in, practitioner, episode
):
    response = signed_in(practitioner).get(url("episode", episode))

    text = page_text(response)
    for heading in ("Care plan", "Visits and contacts", "Medication"):
        assert heading in text
    body = response.content.decode()
    for name in ("care_plan", "written_plan", "episode_visits", "medication"):
        assert url(name, episode) in body


def test_staff_who_may_not_manage_see_no_change_links(signed_in, staff_user, episode):
    for role in (Role.SUPPORT_WORKER, Role.ADMINISTRATOR):
        response = signed_in(staff_user(role)).get(url("episode", episode))

        assert response.status_code == 200
        body = response.content.decode()
        assert url("named_worker_change", episode) not in body
        assert url("episode_review", episode) not in body


def test_another_teams_episode_and_its_changes_are_refused_and_audited(
    signed_in, staff_user, other_team, episode
):
    outsider = staff_user(Role.TEAM_MANAGER, in_team=other_team)
    client = signed_in(outsider)

    for name in ("episode", "named_worker_change", "episode_review", "paired_visits"):
        assert client.get(url(name, episode)).status_code == 403
    response = client.post(url("named_worker_change", episode), {"reason": "Taking over"})

    assert response.status_code == 403
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.ACCESS_DENIED, object_id=episode.pk, actor=outsider
        ).count()
        == 5
    )


def test_a_missing_episode_is_not_found(signed_in, manager):
    client = signed_in(manager)

    for name in ("episode", "named_worker_change", "episode_review", "paired_visits"):
        assert client.get(reverse(f"treatment:{name}", args=[uuid.uuid4()])).status_code == 404


def test_the_page_shows_the_teams_rating_and_links_to_carers_and_actions(
    signed_in, practitioner, episode
):
    from django.utils import timezone

    from crisis_care.treatment.models import RiskRating

    RiskRating.objects.create(
        episode=episode,
        rating="amber",
        summary="Calmer since the sister moved in; still not sleeping.",
        set_by=practitioner,
        set_at=timezone.now(),
    )

    response = signed_in(practitioner).get(url("episode", episode))

    text = page_text(response)
    assert "The team rates the risk amber" in text
    assert "Calmer since the sister moved in" in text
    assert url("carers", episode) in response.text
    assert url("episode_actions", episode) in response.text
    assert url("risk_rating_set", episode) in response.text


def test_clerical_staff_see_the_rating_but_no_link_to_change_it(signed_in, staff_user, episode):
    clerk = staff_user(Role.ADMINISTRATOR)

    response = signed_in(clerk).get(url("episode", episode))

    assert "The team has not rated the risk yet." in page_text(response)
    assert url("risk_rating_set", episode) not in response.text
