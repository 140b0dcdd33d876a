"""The aftercare page and the aftercare panel on the episode page: the checklist with a tag and
a link to fix each missing item, the sections, who may see and change what, another team's
episode, a discharged episode shown read-only, the audit of each view, and a fixed number of
queries however many services and referrals there are."""

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crisis_care.core.models import AuditAction, AuditEvent
from crisis_care.core.roles import Role
from crisis_care.core.testing import page_text
from crisis_care.discharge.models import Discharge
from crisis_care.discharge.presenters.panel import aftercare_panel
from crisis_care.discharge.selectors.checklist import aftercare_checklist
from crisis_care.discharge.services import aftercare as services
from crisis_care.treatment.models import Episode, EpisodeStatus

pytestmark = pytest.mark.django_db


def page(episode) -> str:
    return reverse("discharge:aftercare", args=[episode.pk])


def involve(episode, by, name: str, *, mh: bool = True):
    return services.involved_service_add(
        episode=episode, service=None, name=name, secondary_mental_health=mh, by=by
    )


def refer(episode, by, kind: str = "gp"):
    return services.onward_referral_make(
        episode=episode,
        kind=kind,
        service=None,
        reason="Medication review after discharge",
        sent_on=timezone.localdate(),
        by=by,
    )


def arrange(episode, by, involved=()):
    return services.meeting_arrange(
        episode=episode,
        starts_at=timezone.now() + dt.timedelta(days=4),
        place="Sam's home",
        person_invited=True,
        involved_service_ids=[s.pk for s in involved],
        by=by,
    )


def discharge(episode, by) -> None:
    """Discharged directly (the discharge itself is another page's)."""
    now = timezone.now()
    Discharge.objects.create(
        episode=episode,
        outcome="cmht",
        reason="Crisis resolved; handed to the CMHT.",
        discharged_at=now,
        discharged_by=by,
        checklist={},
        summary_due_on=timezone.localdate() + dt.timedelta(days=3),
    )
    Episode.objects.filter(pk=episode.pk).update(status=EpisodeStatus.CLOSED, closed_at=now)


# -- The page ------------------------------------------------------------------------------


def test_the_page_shows_the_checklist_with_a_tag_and_a_link_to_fix_each_missing_item(
    signed_in, practitioner, episode
):
    response = signed_in(practitioner).get(page(episode))

    assert response.status_code == 200
    text = page_text(response)
    body = response.content.decode()
    assert "Aftercare and discharge" in text
    assert episode.person.full_name in text
    assert "2 of 7 done" in text  # 25a and 25d are not needed: no other MH service involved
    assert text.count("Missing") == 5
    assert text.count("Not needed") == 2
    assert "No referral on has been made" in text
    assert reverse("discharge:onward_referral_add", args=[episode.pk]) in body
    assert reverse("discharge:meeting_arrange", args=[episode.pk]) in body
    assert reverse("discharge:discharge_plan", args=[episode.pk]) in body
    assert reverse("discharge:relapse_plan", args=[episode.pk]) in body
    assert reverse("discharge:summary", args=[episode.pk]) in body
    assert reverse("discharge:discharge", args=[episode.pk]) in body
    assert reverse("treatment:episode", args=[episode.pk]) in body


def test_the_page_lists_services_referrals_and_the_meeting(signed_in, practitioner, episode):
    cmht = involve(episode, practitioner, "North Leicester CMHT")
    referral = refer(episode, practitioner)
    services.onward_referral_status_change(
        referral=referral,
        expected_version=referral.version,
        status="accepted",
        worker_name="Dr Amara Shah",
        first_appointment_at=timezone.now() + dt.timedelta(days=8),
        first_appointment_place="Hollybank Medical Centre",
        by=practitioner,
    )
    arrange(episode, practitioner, involved=[cmht])

    text = page_text(signed_in(practitioner).get(page(episode)))

    assert "North Leicester CMHT Secondary mental health service" in text
    assert "No plan agreed yet" in text
    assert f"{episode.person.gp_practice.name} GP" in text
    assert "Accepted" in text
    assert "With Dr Amara Shah" in text
    assert "Hollybank Medical Centre" in text
    assert "Arranged:" in text
    assert "Notice given 4 days" in text
    assert "North Leicester CMHT: invited" in text
    assert "Record the meeting as held" in text


def test_the_page_view_is_audited(signed_in, practitioner, episode):
    signed_in(practitioner).get(page(episode))

    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW,
        object_id=episode.pk,
        person_id=episode.person_id,
        section="aftercare",
    ).exists()


def test_the_page_takes_the_same_number_of_queries_for_1_or_5_services_and_referrals(
    signed_in, practitioner, episode
):
    client = signed_in(practitioner)
    involve(episode, practitioner, "Service 0")
    refer(episode, practitioner)
    client.get(page(episode))  # warm the session
    with CaptureQueriesContext(connection) as few:
        client.get(page(episode))
    for n in range(1, 5):
        involve(episode, practitioner, f"Service {n}", mh=n % 2 == 0)
        refer(episode, practitioner)
    with CaptureQueriesContext(connection) as many:
        response = client.get(page(episode))

    assert page_text(response).count("Service ") >= 5
    assert len(many) == len(few)


# -- Who may see and change what -----------------------------------------------------------


def test_an_administrator_reads_the_page_but_cannot_plan_aftercare(signed_in, staff_user, episode):
    client = signed_in(staff_user(Role.ADMINISTRATOR))

    response = client.get(page(episode))

    assert response.status_code == 200
    body = response.content.decode()
    assert reverse("discharge:onward_referral_add", args=[episode.pk]) not in body
    assert reverse("discharge:involved_service_add", args=[episode.pk]) not in body
    assert reverse("discharge:discharge", args=[episode.pk]) not in body
    # The plans are other people's pages: the link to read them stays.
    assert reverse("discharge:discharge_plan", args=[episode.pk]) in body
    for name in ("onward_referral_add", "involved_service_add", "meeting_arrange"):
        assert client.get(reverse(f"discharge:{name}", args=[episode.pk])).status_code == 403


def test_a_support_worker_plans_aftercare(signed_in, staff_user, episode):
    client = signed_in(staff_user(Role.SUPPORT_WORKER))

    response = client.get(reverse("discharge:onward_referral_add", args=[episode.pk]))

    assert response.status_code == 200


def test_an_ig_auditor_may_not_read_the_page(signed_in, staff_user, episode):
    assert signed_in(staff_user(Role.IG_AUDITOR)).get(page(episode)).status_code == 403


def test_another_teams_episode_is_refused_and_the_attempt_audited(
    signed_in, staff_user, other_team, make_episode
):
    theirs_by = staff_user(in_team=other_team)
    theirs = make_episode(in_team=other_team, by=theirs_by)
    involved = involve(theirs, theirs_by, "Their CMHT")
    referral = refer(theirs, theirs_by)
    meeting = arrange(theirs, theirs_by)
    client = signed_in(staff_user())

    for name in ("aftercare", "involved_service_add", "onward_referral_add", "meeting_arrange"):
        assert client.get(reverse(f"discharge:{name}", args=[theirs.pk])).status_code == 403
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.ACCESS_DENIED, object_id=theirs.pk, section="aftercare"
        ).count()
        == 4
    )
    for name, obj in (
        ("involved_service_edit", involved),
        ("onward_referral_status", referral),
        ("meeting_record", meeting),
        ("meeting_cancel", meeting),
    ):
        response = client.post(reverse(f"discharge:{name}", args=[obj.pk]), {"reason": "x"})
        assert response.status_code == 403
        assert AuditEvent.objects.filter(
            action=AuditAction.ACCESS_DENIED, object_id=obj.pk, section="aftercare"
        ).exists()
    meeting.refresh_from_db()
    assert meeting.status == "arranged"


def test_a_missing_episode_is_not_found(signed_in, practitioner):
    client = signed_in(practitioner)

    assert client.get(reverse("discharge:aftercare", args=[uuid.uuid4()])).status_code == 404
    assert client.get(reverse("discharge:meeting_cancel", args=[uuid.uuid4()])).status_code == 404


# -- A discharged episode ------------------------------------------------------------------


def test_a_discharged_episode_is_shown_read_only(signed_in, practitioner, episode):
    cmht = involve(episode, practitioner, "North Leicester CMHT")
    referral = refer(episode, practitioner)
    meeting = arrange(episode, practitioner, involved=[cmht])
    discharge(episode, practitioner)
    client = signed_in(practitioner)

    response = client.get(page(episode))

    assert response.status_code == 200
    text = page_text(response)
    body = response.content.decode()
    assert f"Discharged on {timezone.localdate().day} " in text
    assert "North Leicester CMHT" in text
    for name, obj in (
        ("involved_service_add", episode),
        ("onward_referral_add", episode),
        ("meeting_arrange", episode),
        ("involved_service_edit", cmht),
        ("onward_referral_status", referral),
        ("meeting_record", meeting),
        ("meeting_cancel", meeting),
    ):
        url = reverse(f"discharge:{name}", args=[obj.pk])
        assert url not in body, name
        assert client.get(url).status_code == 403, name
    assert reverse("discharge:discharge", args=[episode.pk]) not in body
    assert "Not needed" in text or "Missing" in text


# -- The panel on the episode page ---------------------------------------------------------


def test_the_episode_page_shows_how_much_is_done_and_what_is_missing(
    signed_in, practitioner, episode
):
    refer(episode, practitioner)

    response = signed_in(practitioner).get(reverse("treatment:episode", args=[episode.pk]))

    text = page_text(response)
    assert "Aftercare and discharge" in text
    assert "3 of 7 done" in text
    assert "Discharge meeting arranged, with the person and family invited" in text
    assert "Referrals made for support after discharge" not in text
    assert reverse("discharge:aftercare", args=[episode.pk]) in response.content.decode()


def test_the_panel_is_not_shown_to_a_role_that_may_not_see_aftercare(staff_user, episode):
    assert aftercare_panel(episode, staff_user(Role.IG_AUDITOR)) is None
    assert aftercare_panel(episode, staff_user(Role.SYSTEM_ADMINISTRATOR)) is None


def test_the_panel_takes_no_more_queries_than_the_checklist(practitioner, episode):
    cmht = involve(episode, practitioner, "North Leicester CMHT")
    arrange(episode, practitioner, involved=[cmht])
    with CaptureQueriesContext(connection) as checklist:
        aftercare_checklist(episode=episode)
    with CaptureQueriesContext(connection) as panel:
        html = aftercare_panel(episode, practitioner)

    assert html is not None and "of 7 done" in html
    assert len(panel) == len(checklist) <= 7
