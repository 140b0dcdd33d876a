"""Changes to an episode: the named worker (CORE item 36), the six-week review (CORE item 10)
and paired visits (CORE item 32b). Each is for qualified staff of the episode's team, needs a
reason, writes its immutable history row and an audit row, and a stale change is refused with
what was typed kept."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from crisis_care.core.clock import local_date
from crisis_care.core.concurrency import StaleEdit
from crisis_care.core.models import AuditAction, AuditEvent
from crisis_care.core.roles import Role
from crisis_care.core.testing import page_text
from crisis_care.nonprod import factories
from crisis_care.treatment.models import (
    Episode,
    EpisodeReview,
    EpisodeStatus,
    NamedWorkerChange,
    PairedVisitsChange,
    ReviewOutcome,
)
from crisis_care.treatment.services import episodes as services

pytestmark = pytest.mark.django_db


def url(name, episode):
    return reverse(f"treatment:{name}", args=[episode.pk])


def date_fields(name, day):
    return {f"{name}[day]": day.day, f"{name}[month]": day.month, f"{name}[year]": day.year}


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


def today():
    return local_date(timezone.now())


# -- The named worker --------------------------------------------------------------------


def test_a_manager_changes_the_named_worker_with_a_reason(signed_in, manager, nurse, episode):
    response = signed_in(manager).post(
        url("named_worker_change", episode),
        {"staff": str(nurse.pk), "reason": "Sam asked for Nia", "version": episode.version},
    )

    assert response.status_code == 302
    assert response["Location"] == url("episode", episode)
    episode.refresh_from_db()
    assert episode.named_worker == nurse
    assert episode.version == 2
    change = NamedWorkerChange.objects.filter(episode=episode).latest("changed_at")
    assert (change.staff, change.reason, change.changed_by) == (nurse, "Sam asked for Nia", manager)
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE,
        section="named worker",
        object_id=episode.pk,
        person_id=episode.person_id,
        actor=manager,
    ).exists()
    page = page_text(signed_in(manager).get(url("episode", episode)))
    assert "Named worker Nia Okoro" in page
    assert "Sam asked for Nia" in page


def test_the_change_form_offers_the_team_and_is_audited(signed_in, manager, nurse, episode):
    other = factories.StaffMemberFactory(user__first_name="Kit", user__last_name="Marsh")
    clerk = factories.StaffMemberFactory(
        role=Role.ADMINISTRATOR, team=episode.team, user__first_name="Jo", user__last_name="Day"
    )

    response = signed_in(manager).get(url("named_worker_change", episode))

    assert response.status_code == 200
    body = response.content.decode()
    assert f'value="{nurse.pk}"' in body
    assert f'value="{other.pk}"' not in body  # not in the team
    assert f'value="{clerk.pk}"' not in body  # clerical staff are not named workers
    assert f'value="{episode.named_worker_id}"' not in body  # already the named worker
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, section="named worker", object_id=episode.pk
    ).exists()


def test_a_named_worker_change_without_a_reason_is_refused_with_the_choice_kept(
    signed_in, manager, nurse, episode
):
    response = signed_in(manager).post(
        url("named_worker_change", episode),
        {"staff": str(nurse.pk), "reason": "  ", "version": episode.version},
    )

    assert response.status_code == 200
    assert "Enter why the named worker is changing" in page_text(response)
    assert f'<option value="{nurse.pk}" selected' in response.content.decode()
    episode.refresh_from_db()
    assert episode.named_worker != nurse


def test_the_service_refuses_a_blank_reason(manager, nurse, episode):
    with pytest.raises(ValidationError) as refused:
        services.named_worker_change(
            episode=episode, staff=nurse, reason=" ", expected_version=1, by=manager
        )

    assert refused.value.message_dict == {"reason": ["Enter why the named worker is changing"]}


def test_it_refuses_a_named_worker_from_another_team(signed_in, manager, other_team, episode):
    outsider = factories.StaffMemberFactory(team=other_team)

    response = signed_in(manager).post(
        url("named_worker_change", episode),
        {"staff": str(outsider.pk), "reason": "Cover", "version": episode.version},
    )

    assert response.status_code == 200
    assert "Select a member of the team" in page_text(response)
    with pytest.raises(ValidationError) as refused:
        services.named_worker_change(
            episode=episode, staff=outsider, reason="Cover", expected_version=1, by=manager
        )
    assert "is not in" in refused.value.message_dict["staff"][0]
    assert Episode.objects.get(pk=episode.pk).named_worker_id != outsider.pk


def test_a_member_who_has_left_the_team_cannot_be_named(manager, nurse, episode):
    nurse.memberships.update(ended_on=today() - dt.timedelta(days=1))

    with pytest.raises(ValidationError, match="is not in"):
        services.named_worker_change(
            episode=episode, staff=nurse, reason="Cover", expected_version=1, by=manager
        )


def test_it_refuses_the_named_worker_already_named(manager, episode):
    with pytest.raises(ValidationError, match="already the named worker"):
        services.named_worker_change(
            episode=episode,
            staff=episode.named_worker,
            reason="Again",
            expected_version=1,
            by=manager,
        )


def test_a_stale_named_worker_change_is_refused_with_the_input_kept(
    signed_in, manager, nurse, team, episode
):
    first = factories.StaffMemberFactory(team=team, user__first_name="Tom", user__last_name="Reyes")
    services.named_worker_change(
        episode=episode, staff=first, reason="Tom knows Sam", expected_version=1, by=manager
    )

    response = signed_in(manager).post(
        url("named_worker_change", episode),
        {"staff": str(nurse.pk), "reason": "Nia is back from leave", "version": 1},
    )

    assert response.status_code == 200
    text = page_text(response)
    assert "Someone else changed this record" in text
    assert "The named worker is now Tom Reyes" in text
    body = response.content.decode()
    assert "Nia is back from leave" in body
    assert f'<option value="{nurse.pk}" selected' in body
    assert 'name="version" value="2"' in body
    episode.refresh_from_db()
    assert episode.named_worker == first
    assert not NamedWorkerChange.objects.filter(staff=nurse).exists()


def test_the_service_refuses_a_stale_version(manager, nurse, episode):
    with pytest.raises(StaleEdit):
        services.named_worker_change(
            episode=episode, staff=nurse, reason="Cover", expected_version=7, by=manager
        )
    assert not NamedWorkerChange.objects.filter(staff=nurse).exists()


@pytest.mark.parametrize("role", [Role.SUPPORT_WORKER, Role.ADMINISTRATOR])
def test_staff_who_may_not_manage_episodes_cannot_change_them(
    signed_in, staff_user, nurse, episode, role
):
    client = signed_in(staff_user(role))

    for name in ("named_worker_change", "episode_review", "paired_visits"):
        assert client.get(url(name, episode)).status_code == 403
    response = client.post(
        url("named_worker_change", episode),
        {"staff": str(nurse.pk), "reason": "Cover", "version": 1},
    )

    assert response.status_code == 403
    assert Episode.objects.get(pk=episode.pk).named_worker != nurse


def test_an_ended_episode_cannot_be_changed(signed_in, manager, nurse, episode):
    Episode.objects.filter(pk=episode.pk).update(status=EpisodeStatus.CLOSED)
    episode.refresh_from_db()

    response = signed_in(manager).post(
        url("named_worker_change", episode),
        {"staff": str(nurse.pk), "reason": "Cover", "version": episode.version},
    )

    assert response.status_code == 403
    with pytest.raises(ValidationError, match="ended"):
        services.paired_visits_set(
            episode=episode, required=True, reason="Dog", expected_version=1, by=manager
        )


# -- The six-week review -----------------------------------------------------------------


def test_the_review_date_is_42_days_after_the_london_start_date(episode):
    episode.started_at = dt.datetime(2026, 10, 24, 23, 30, tzinfo=dt.UTC)  # 00:30 BST, 25 Oct

    assert services.review_due_on(episode) == dt.date(2026, 12, 6)


def test_a_manager_records_a_continuing_review_with_the_next_date(signed_in, manager, episode):
    next_review = today() + dt.timedelta(days=14)

    response = signed_in(manager).post(
        url("episode_review", episode),
        {
            "outcome": ReviewOutcome.CONTINUE,
            "reason": "Still needs daily visits while the new medication settles",
            **date_fields("next_review_on", next_review),
        },
    )

    assert response.status_code == 302
    review = EpisodeReview.objects.get(episode=episode)
    assert review.outcome == ReviewOutcome.CONTINUE
    assert review.next_review_on == next_review
    assert review.reviewed_by == manager
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE,
        section="episode review",
        object_id=review.pk,
        person_id=episode.person_id,
    ).exists()
    page = page_text(signed_in(manager).get(url("episode", episode)))
    assert "Continue home treatment" in page
    assert "Still needs daily visits" in page


@pytest.mark.parametrize(
    ("days_ahead", "message"),
    [
        (None, "Enter the date of the next review"),
        (0, "The date of the next review must be in the future"),
        (-1, "The date of the next review must be in the future"),
        (15, "The next review must be within 14 days"),
    ],
)
def test_a_continuing_review_needs_a_next_date_in_the_next_two_weeks(
    signed_in, manager, episode, days_ahead, message
):
    data = {"outcome": ReviewOutcome.CONTINUE, "reason": "Still unwell"}
    if days_ahead is not None:
        data |= date_fields("next_review_on", today() + dt.timedelta(days=days_ahead))

    response = signed_in(manager).post(url("episode_review", episode), data)

    assert response.status_code == 200
    text = page_text(response)
    assert message in text
    assert "Still unwell" in text  # what was typed is kept
    assert not EpisodeReview.objects.exists()


def test_the_service_applies_the_review_date_rules(manager, episode):
    for next_review_on in (None, today(), today() + dt.timedelta(days=15)):
        with pytest.raises(ValidationError) as refused:
            services.episode_review_record(
                episode=episode,
                outcome=ReviewOutcome.CONTINUE,
                reason="Still unwell",
                next_review_on=next_review_on,
                by=manager,
            )
        assert "next_review_on" in refused.value.message_dict
    assert not EpisodeReview.objects.exists()


def test_every_problem_with_a_review_is_shown_at_once(signed_in, manager, episode):
    response = signed_in(manager).post(
        url("episode_review", episode), {"outcome": ReviewOutcome.CONTINUE, "reason": ""}
    )

    text = page_text(response)
    assert "Enter the reasons for the outcome" in text
    assert "Enter the date of the next review" in text
    no_outcome = page_text(signed_in(manager).post(url("episode_review", episode), {}))
    assert "Select the outcome of the review" in no_outcome
    assert not EpisodeReview.objects.exists()


def test_a_review_needs_its_reasons(signed_in, manager, episode):
    response = signed_in(manager).post(
        url("episode_review", episode), {"outcome": ReviewOutcome.PLAN_DISCHARGE, "reason": ""}
    )

    assert "Enter the reasons for the outcome" in page_text(response)
    with pytest.raises(ValidationError) as refused:
        services.episode_review_record(
            episode=episode,
            outcome=ReviewOutcome.PLAN_DISCHARGE,
            reason="  ",
            next_review_on=None,
            by=manager,
        )
    assert refused.value.message_dict == {"reason": ["Enter the reasons for the outcome"]}
    assert not EpisodeReview.objects.exists()


def test_planning_discharge_needs_no_next_review(manager, episode):
    review = services.episode_review_record(
        episode=episode,
        outcome=ReviewOutcome.PLAN_DISCHARGE,
        reason="Crisis resolved; back to the GP with the CMHT following up",
        next_review_on=today() + dt.timedelta(days=3),
        by=manager,
    )

    assert review.next_review_on is None


def test_the_review_form_shows_the_due_date_and_is_audited(signed_in, manager, episode):
    response = signed_in(manager).get(url("episode_review", episode))

    assert response.status_code == 200
    due = services.review_due_on(episode)
    assert f"Six-week review due {due.day} {due:%B %Y}" in page_text(response)
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, section="episode review", object_id=episode.pk
    ).exists()


# -- Paired visits -----------------------------------------------------------------------


def test_paired_visits_need_a_reason_when_switched_on(signed_in, manager, episode):
    response = signed_in(manager).post(
        url("paired_visits", episode), {"required": "yes", "reason": "", "version": 1}
    )

    assert response.status_code == 200
    assert "Enter why paired visits are needed" in page_text(response)
    assert not Episode.objects.get(pk=episode.pk).paired_visits_required
    assert not PairedVisitsChange.objects.exists()


def test_switching_paired_visits_on_and_off_is_kept_and_audited(signed_in, manager, episode):
    client = signed_in(manager)

    on = client.post(
        url("paired_visits", episode),
        {"required": "yes", "reason": "Brother threatened staff", "version": 1},
    )
    off = client.post(url("paired_visits", episode), {"required": "no", "version": 2})

    assert on.status_code == off.status_code == 302
    episode.refresh_from_db()
    assert episode.paired_visits_required is False
    assert episode.paired_visits_reason == ""
    history = list(PairedVisitsChange.objects.filter(episode=episode))
    assert [(c.required, c.reason) for c in history] == [
        (True, "Brother threatened staff"),
        (False, ""),
    ]
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.UPDATE, section="paired visits", object_id=episode.pk
        ).count()
        == 2
    )


def test_the_paired_visits_page_offers_to_switch_them_on_then_off(signed_in, manager, episode):
    client = signed_in(manager)
    assert "Require paired visits" in page_text(client.get(url("paired_visits", episode)))

    services.paired_visits_set(
        episode=episode, required=True, reason="Dog not safe", expected_version=1, by=manager
    )

    text = page_text(client.get(url("paired_visits", episode)))
    assert "Stop requiring paired visits" in text
    assert "Dog not safe" in text


def test_a_stale_paired_visits_change_is_refused_with_the_reason_kept(
    signed_in, manager, episode, nurse
):
    services.named_worker_change(
        episode=episode, staff=nurse, reason="Leave cover", expected_version=1, by=manager
    )

    response = signed_in(manager).post(
        url("paired_visits", episode),
        {"required": "yes", "reason": "Threats at the last visit", "version": 1},
    )

    assert response.status_code == 200
    assert "Someone else changed this record" in page_text(response)
    body = response.content.decode()
    assert "Threats at the last visit" in body
    assert 'name="version" value="2"' in body
    assert not Episode.objects.get(pk=episode.pk).paired_visits_required


def test_it_refuses_to_require_paired_visits_twice(manager, episode):
    services.paired_visits_set(
        episode=episode, required=True, reason="Dog", expected_version=1, by=manager
    )

    with pytest.raises(ValidationError, match="already required"):
        services.paired_visits_set(
            episode=episode, required=True, reason="Dog", expected_version=2, by=manager
        )
