"""The discharge itself: a state transition of the episode with its immutable status row, the
team's care link closed, later visits cancelled, a reason kept for every aftercare gap, a
second discharge and a stale form refused, and the pages' role and team rules."""

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
from crisis_care.people.models import CareTeamLink
from crisis_care.treatment.models import (
    Episode,
    EpisodeStatus,
    EpisodeStatusChange,
    Visit,
    VisitStatus,
    VisitStatusChange,
)
from crisis_care.treatment.services import episodes as episode_services
from crisis_care.treatment.services import visits as visit_services

from ..models import Discharge, DischargeGap
from ..selectors.checklist import CODES, TITLES, aftercare_checklist
from ..services import discharges as services
from .test_discharge_helpers import GAP_REASON, days_ago_at, discharge, started_days_ago, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def episode(make_episode) -> Episode:  # type: ignore[no-untyped-def]
    """An open episode that began two days ago, so a discharge can be dated before now."""
    return started_days_ago(make_episode(), 2)


def plan_visit(episode: Episode, by, hours_from_now: float) -> Visit:  # type: ignore[no-untyped-def]
    start = timezone.now() + dt.timedelta(hours=hours_from_now)
    return visit_services.visit_plan(
        episode=episode,
        window_start=start,
        window_end=start + dt.timedelta(minutes=60),
        details=visit_services.VisitDetails(),
        by=by,
    )


def form_data(episode: Episode, **extra: str) -> dict[str, str]:
    now = timezone.localtime()
    data = {
        "version": str(Episode.objects.get(pk=episode.pk).version),
        "outcome": "cmht",
        "reason": "Crisis resolved; the community team takes over.",
        "discharged_on[day]": str(now.day),
        "discharged_on[month]": str(now.month),
        "discharged_on[year]": str(now.year),
        "discharged_time": now.strftime("%H:%M"),
    }
    for item in aftercare_checklist(episode=episode).gaps:
        data[f"gap_{item.code}"] = GAP_REASON
    data.update(extra)
    return data


# -- The transition ----------------------------------------------------------------------------


def test_discharging_closes_the_episode_with_its_status_row_and_keeps_the_checklist(
    episode, practitioner
):
    at = timezone.now() - dt.timedelta(minutes=5)
    before = episode.version

    done = discharge(episode, practitioner, at=at, outcome="cmht")

    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.CLOSED
    assert episode.closed_at == at
    assert episode.version == before + 1
    closing = EpisodeStatusChange.objects.get(episode=episode, status=EpisodeStatus.CLOSED)
    assert closing.changed_by == practitioner
    assert closing.changed_at == at
    assert done.outcome == "cmht"
    assert set(done.checklist) == set(CODES)
    assert done.checklist["25b"] == "missing"
    assert done.summary_due_on == local_date(at) + dt.timedelta(days=3)
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_id=done.pk, section="discharge"
    ).exists()


def test_discharging_ends_the_teams_care_link_from_the_episode(episode, practitioner):
    link = CareTeamLink.objects.get(source="episode", source_id=episode.pk)
    assert link.closed_at is None

    at = timezone.now() - dt.timedelta(minutes=1)
    discharge(episode, practitioner, at=at)

    link.refresh_from_db()
    assert link.closed_at == at


def test_visits_planned_after_the_discharge_are_cancelled_and_earlier_ones_kept(
    episode, practitioner
):
    later = plan_visit(episode, practitioner, hours_from_now=20)
    next_week = plan_visit(episode, practitioner, hours_from_now=24 * 6)

    discharge(episode, practitioner)

    for visit in (later, next_week):
        visit.refresh_from_db()
        assert visit.status == VisitStatus.CANCELLED_BY_TEAM
        change = VisitStatusChange.objects.filter(visit=visit).order_by("changed_at").last()
        assert change is not None
        assert change.status == VisitStatus.CANCELLED_BY_TEAM
        assert change.note == services.VISIT_CANCEL_REASON


def test_a_planned_visit_whose_window_began_before_the_discharge_is_not_cancelled(
    episode, practitioner, time_machine
):
    earlier = plan_visit(episode, practitioner, hours_from_now=1)
    time_machine.move_to(timezone.now() + dt.timedelta(hours=3))

    discharge(episode, practitioner)

    earlier.refresh_from_db()
    assert earlier.status == VisitStatus.PLANNED


def test_a_second_discharge_is_refused(episode, practitioner):
    discharge(episode, practitioner)

    with pytest.raises(ValidationError, match="already been discharged"):
        discharge(episode, practitioner)
    assert Discharge.objects.filter(episode=episode).count() == 1


def test_a_discharge_from_a_stale_form_is_refused(episode, practitioner, staff_user):
    version = Episode.objects.get(pk=episode.pk).version
    manager = staff_user(Role.TEAM_MANAGER)
    episode_services.paired_visits_set(
        episode=episode,
        required=True,
        reason="Dog is aggressive to strangers",
        expected_version=version,
        by=manager,
    )

    with pytest.raises(StaleEdit):
        services.discharge_episode(
            episode=episode,
            outcome="gp",
            reason="Crisis resolved",
            discharged_at=timezone.now(),
            gap_reasons={code: GAP_REASON for code in CODES},
            expected_version=version,
            by=practitioner,
        )
    assert not Discharge.objects.exists()
    assert Episode.objects.get(pk=episode.pk).status == EpisodeStatus.OPEN


def test_the_time_of_discharge_is_not_in_the_future_nor_before_treatment_began(
    episode, practitioner
):
    gaps = {code: GAP_REASON for code in CODES}
    common = {
        "episode": episode,
        "outcome": "gp",
        "reason": "Crisis resolved",
        "gap_reasons": gaps,
        "by": practitioner,
    }
    with pytest.raises(ValidationError) as future:
        services.discharge_episode(
            discharged_at=timezone.now() + dt.timedelta(hours=1),
            expected_version=episode.version,
            **common,
        )
    assert "now or in the past" in str(future.value)
    with pytest.raises(ValidationError) as early:
        services.discharge_episode(
            discharged_at=episode.started_at - dt.timedelta(minutes=1),
            expected_version=episode.version,
            **common,
        )
    assert "after home treatment started" in str(early.value)


def test_every_gap_in_the_checklist_needs_its_own_reason(episode, practitioner):
    gaps = aftercare_checklist(episode=episode).gaps
    assert {item.code for item in gaps} >= {"25b", "25c", "25e", "25f", "24"}

    with pytest.raises(ValidationError) as refused:
        services.discharge_episode(
            episode=episode,
            outcome="gp",
            reason="Crisis resolved",
            discharged_at=timezone.now(),
            gap_reasons={"25b": GAP_REASON},
            expected_version=episode.version,
            by=practitioner,
        )
    missing = refused.value.message_dict
    assert "gap_25b" not in missing
    for item in gaps:
        if item.code != "25b":
            assert missing[f"gap_{item.code}"] == [
                f"Enter why this is not done: {item.title.lower()}"
            ]


def test_the_reasons_for_the_gaps_are_kept_for_review(episode, practitioner):
    done = discharge(episode, practitioner)

    kept = {gap.item: gap.reason for gap in DischargeGap.objects.filter(discharge=done)}
    missing = {code for code, state in done.checklist.items() if state == "missing"}
    assert set(kept) == missing
    assert set(kept.values()) == {GAP_REASON}


def test_an_ended_episode_is_read_only_afterwards(episode, practitioner):
    discharge(episode, practitioner)
    episode.refresh_from_db()

    with pytest.raises(ValidationError):
        episode_services.episode_review_record(
            episode=episode,
            outcome="continue",
            reason="Still unwell",
            next_review_on=timezone.localdate() + dt.timedelta(days=7),
            by=practitioner,
        )
    with pytest.raises(ValidationError):
        plan_visit(episode, practitioner, hours_from_now=3)


# -- The page ----------------------------------------------------------------------------------


def test_the_discharge_page_shows_the_checklist_and_asks_why_for_each_gap(
    signed_in, practitioner, episode
):
    response = signed_in(practitioner).get(url("discharge", episode))

    assert response.status_code == 200
    text = page_text(response)
    assert "Discharge from home treatment" in text
    assert "The aftercare checklist is not complete" in text
    for code in ("25b", "25c", "25e", "25f", "24"):
        assert f"Not done: {TITLES[code]}" in text
    assert text.count("Why is this not done?") == len(aftercare_checklist(episode=episode).gaps)
    assert f'name="version" value="{episode.version}"' in response.content.decode()


def test_discharging_through_the_page_redirects_to_the_summary(signed_in, practitioner, episode):
    client = signed_in(practitioner)

    response = client.post(url("discharge", episode), form_data(episode))

    assert response.status_code == 302
    assert response["Location"] == url("summary", episode)
    assert Episode.objects.get(pk=episode.pk).status == EpisodeStatus.CLOSED
    page = page_text(client.get(reverse("treatment:episode", args=[episode.pk])))
    assert "Ended" in page
    assert "Closed" in page


def test_a_missing_gap_reason_is_shown_against_its_box_and_nothing_is_saved(
    signed_in, practitioner, episode
):
    data = form_data(episode)
    del data["gap_25c"]

    response = signed_in(practitioner).post(url("discharge", episode), data)

    assert response.status_code == 200
    text = page_text(response)
    assert f"Enter why this is not done: {TITLES['25c'].lower()}" in text
    assert 'href="#id_gap_25c"' in response.content.decode()
    assert not Discharge.objects.exists()


def test_a_stale_discharge_form_is_refused_and_keeps_what_was_typed(
    signed_in, practitioner, staff_user, episode
):
    data = form_data(episode, reason="Settled; going back to the GP.")
    manager = staff_user(Role.TEAM_MANAGER)
    episode_services.paired_visits_set(
        episode=episode,
        required=True,
        reason="Dog is aggressive to strangers",
        expected_version=int(data["version"]),
        by=manager,
    )

    response = signed_in(practitioner).post(url("discharge", episode), data)

    assert response.status_code == 200
    text = page_text(response)
    assert "Someone else changed this record" in text
    assert "Settled; going back to the GP." in text
    current = Episode.objects.get(pk=episode.pk)
    assert f'name="version" value="{current.version}"' in response.content.decode()
    assert current.status == EpisodeStatus.OPEN


def test_after_discharge_the_page_shows_the_record_and_a_second_discharge_is_refused(
    signed_in, practitioner, episode
):
    discharge(episode, practitioner, outcome="cmht")
    client = signed_in(practitioner)

    text = page_text(client.get(url("discharge", episode)))
    assert "Home treatment has ended" in text
    assert "Crisis resolved: handed to the community mental health team" in text
    assert f"Not done. Why: {GAP_REASON}" in text

    response = client.post(url("discharge", episode), form_data(episode))
    assert response.status_code == 403
    assert Discharge.objects.filter(episode=episode).count() == 1


def test_only_qualified_staff_discharge(signed_in, staff_user, episode):
    for role in (Role.SUPPORT_WORKER, Role.ADMINISTRATOR):
        client = signed_in(staff_user(role))
        assert client.get(url("discharge", episode)).status_code == 403
        assert client.post(url("discharge", episode), form_data(episode)).status_code == 403
    assert signed_in(staff_user(Role.IG_AUDITOR)).get(url("discharge", episode)).status_code == 403
    assert signed_in(staff_user(Role.DOCTOR)).get(url("discharge", episode)).status_code == 200
    assert not Discharge.objects.exists()


def test_a_support_worker_can_read_the_discharge_record(
    signed_in, staff_user, practitioner, episode
):
    discharge(episode, practitioner)

    response = signed_in(staff_user(Role.SUPPORT_WORKER)).get(url("discharge", episode))

    assert response.status_code == 200
    assert "Add an addendum" in page_text(response)


def test_another_teams_episode_is_refused_and_the_attempt_audited(
    signed_in, staff_user, other_team, make_episode, practitioner
):
    theirs = make_episode(in_team=other_team, by=staff_user(in_team=other_team))
    client = signed_in(practitioner)

    assert client.get(url("discharge", theirs)).status_code == 403
    assert client.post(url("discharge", theirs), form_data(theirs)).status_code == 403

    assert not Discharge.objects.exists()
    assert AuditEvent.objects.filter(
        actor=practitioner,
        action=AuditAction.ACCESS_DENIED,
        object_id=theirs.pk,
        section="discharge",
    ).exists()


def test_viewing_the_discharge_page_is_audited(signed_in, practitioner, episode):
    signed_in(practitioner).get(url("discharge", episode))

    assert AuditEvent.objects.filter(
        actor=practitioner,
        action=AuditAction.VIEW,
        person_id=episode.person_id,
        section="discharge",
    ).exists()


def test_a_backdated_discharge_dates_the_summary_from_the_day_of_discharge(
    make_episode, practitioner
):
    episode = started_days_ago(make_episode(), 10)

    done = discharge(episode, practitioner, at=days_ago_at(4))

    assert done.summary_due_on == local_date(timezone.now()) - dt.timedelta(days=1)
