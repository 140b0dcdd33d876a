"""The 72-hour follow-up after inpatient discharge: people who leave a ward into the team's care
(early supported discharge) are followed up within 72 hours, counted in real elapsed time from
when they left the ward, so the clock change neither adds nor loses an hour. The list, when
they left the ward, and why a follow-up was missed."""

import datetime as dt
import itertools
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crisis_care.core.clock import local_date
from crisis_care.core.models import AuditAction, AuditEvent, User
from crisis_care.core.roles import Role
from crisis_care.core.testing import page_text, people_audited_on
from crisis_care.nonprod import factories
from crisis_care.treatment import services as treatment_services
from crisis_care.treatment.models import Admission, Episode

from ..models import FollowUpMissedReason
from ..presenters import discharges as presenters
from ..selectors import discharges as selectors
from ..selectors.discharges import FollowUpState
from ..services import discharges as services
from .test_discharge_helpers import discharge, early_discharge_episode, record_contact, url

pytestmark = pytest.mark.django_db

NAMES = itertools.cycle(["Ada", "Bilal", "Cerys", "Dev", "Esme", "Femi", "Gus", "Hana"])
# The clocks went back at 2am BST on Sunday 25 October 2026 (01:00 UTC).
NOON_BST_SATURDAY = dt.datetime(2026, 10, 24, 11, 0, tzinfo=dt.UTC)  # 12pm London


@pytest.fixture
def from_ward(
    make_finalised_assessment: Callable[..., object], staff_user: Callable[..., User]
) -> Callable[..., Episode]:
    """from_ward(left=<instant or None>) -> an early supported discharge episode of the team
    (each opened by a different practitioner, for a differently named person), with the ward
    discharge recorded at `left`."""

    def make(left: dt.datetime | None, admitted_on: dt.date | None = None) -> Episode:
        nurse = staff_user(Role.REGISTERED_PRACTITIONER)
        person = factories.PersonFactory(given_name=next(NAMES), family_name="Ward")
        episode = early_discharge_episode(
            make_finalised_assessment,
            nurse,
            admitted_on=admitted_on or local_date(timezone.now()) - dt.timedelta(days=20),
            person=person,
        )
        if left is not None:
            services.ward_discharge_record(episode=episode, discharged_at=left, by=nurse)
        return Episode.objects.select_related("person", "team", "early_discharge_from").get(
            pk=episode.pk
        )

    return make


def hours_ago(hours: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(hours=hours)


def state_of(episode: Episode, now: dt.datetime | None = None) -> FollowUpState:
    found = selectors.follow_up_for_episode(episode=episode)
    assert found is not None
    return found.state(now or timezone.now())


def ward_form(at: dt.datetime) -> dict[str, str]:
    local = timezone.localtime(at)
    return {
        "left_on[day]": str(local.day),
        "left_on[month]": str(local.month),
        "left_on[year]": str(local.year),
        "left_time": local.strftime("%H:%M"),
    }


# -- The rule --------------------------------------------------------------------------------


def test_a_contact_within_72_hours_is_a_follow_up_in_time(from_ward, practitioner):
    episode = from_ward(left=hours_ago(30))
    record_contact(episode, practitioner, at=hours_ago(20), medium="02")

    assert state_of(episode) == FollowUpState.IN_TIME


def test_a_first_contact_after_72_hours_is_late(from_ward, practitioner):
    episode = from_ward(left=hours_ago(100))
    record_contact(episode, practitioner, at=hours_ago(20), medium="11")

    assert state_of(episode) == FollowUpState.LATE


def test_no_contact_is_due_with_hours_left_then_overdue(from_ward):
    episode = from_ward(left=hours_ago(10))
    follow_up = selectors.follow_up_for_episode(episode=episode)
    assert follow_up is not None

    assert follow_up.state(timezone.now()) == FollowUpState.DUE
    assert follow_up.hours_left(timezone.now()) == 62
    assert presenters.follow_up_tag(follow_up, timezone.now())["text"] == "Due: 62 hours left"
    later = timezone.now() + dt.timedelta(hours=63)
    assert follow_up.state(later) == FollowUpState.OVERDUE


def test_only_an_attended_contact_after_leaving_the_ward_counts(from_ward, practitioner):
    episode = from_ward(left=hours_ago(80))
    record_contact(episode, practitioner, at=hours_ago(90))  # before they left the ward
    record_contact(episode, practitioner, at=hours_ago(50), attendance="not_at_home")

    assert state_of(episode) == FollowUpState.OVERDUE


def test_the_72_hours_are_elapsed_time_across_the_clock_change(from_ward, practitioner):
    # Left the ward at 12pm on Saturday 24 October (BST). 12pm on Tuesday 27 October (GMT)
    # reads as 72 hours on the wall clock, but 73 real hours have passed: late.
    late = from_ward(left=NOON_BST_SATURDAY, admitted_on=dt.date(2026, 10, 20))
    record_contact(late, practitioner, at=dt.datetime(2026, 10, 27, 12, 0, tzinfo=dt.UTC))
    # Seen at 11am GMT on the Tuesday: exactly 72 real hours: in time.
    in_time = from_ward(left=NOON_BST_SATURDAY, admitted_on=dt.date(2026, 10, 20))
    record_contact(in_time, practitioner, at=dt.datetime(2026, 10, 27, 11, 0, tzinfo=dt.UTC))
    tuesday_evening = dt.datetime(2026, 10, 27, 18, 0, tzinfo=dt.UTC)

    assert state_of(late, tuesday_evening) == FollowUpState.LATE
    assert state_of(in_time, tuesday_evening) == FollowUpState.IN_TIME
    found = selectors.follow_up_for_episode(episode=late)
    assert found is not None
    assert found.hours_taken() == 73
    assert presenters.follow_up_detail(found, tuesday_evening) == (
        "Seen 27 October 2026 at midday, 73 hours after leaving"
    )


def test_the_deadline_across_the_clock_change_is_shown_in_london_time(from_ward):
    waiting = from_ward(left=NOON_BST_SATURDAY, admitted_on=dt.date(2026, 10, 20))
    found = selectors.follow_up_for_episode(episode=waiting)
    assert found is not None
    tuesday_morning = dt.datetime(2026, 10, 27, 10, 30, tzinfo=dt.UTC)

    assert found.state(tuesday_morning) == FollowUpState.DUE
    assert found.hours_left(tuesday_morning) == 1
    # 72 real hours after 12pm BST on Saturday is 11am GMT on Tuesday, not 12pm.
    assert presenters.follow_up_detail(found, tuesday_morning) == ("Due by 27 October 2026 at 11am")


# -- The list --------------------------------------------------------------------------------


def test_the_follow_up_list_shows_each_ward_discharge_with_its_state(
    signed_in, practitioner, from_ward
):
    in_time = from_ward(left=hours_ago(30))
    record_contact(in_time, practitioner, at=hours_ago(20))
    overdue = from_ward(left=hours_ago(80))
    due = from_ward(left=hours_ago(10))
    old = from_ward(
        left=hours_ago(24 * 30), admitted_on=local_date(timezone.now()) - dt.timedelta(days=40)
    )
    waiting = from_ward(left=None)

    response = signed_in(practitioner).get(url("follow_ups"))

    assert response.status_code == 200
    text = page_text(response)
    assert "2 follow-ups after a ward discharge not yet done" in text
    assert f"{in_time.person.full_name}" in text and "Followed up in time" in text
    assert "10 hours after leaving" in text
    assert f"{overdue.person.full_name}" in text and "Overdue" in text
    assert f"{due.person.full_name}" in text and "Due: 62 hours left" in text
    assert old.person.full_name not in text  # more than 28 days ago
    assert f"{waiting.person.full_name}, Bradgate Unit, Ward 3" in text
    body = response.content.decode()
    assert url("follow_up_missed", overdue.early_discharge_from) in body
    assert url("follow_up_missed", due.early_discharge_from) not in body
    assert url("ward_discharge", waiting) in body
    assert people_audited_on("discharge.follow_ups") == sorted(
        str(e.person_id) for e in (in_time, overdue, due, waiting)
    )


def test_the_list_across_the_clock_change(signed_in, practitioner, from_ward, time_machine):
    late = from_ward(left=NOON_BST_SATURDAY, admitted_on=dt.date(2026, 10, 20))
    record_contact(late, practitioner, at=dt.datetime(2026, 10, 27, 12, 0, tzinfo=dt.UTC))
    time_machine.move_to(dt.datetime(2026, 10, 28, 9, 0, tzinfo=dt.UTC))

    text = page_text(signed_in(practitioner).get(url("follow_ups")))

    assert "Followed up late" in text
    assert "73 hours after leaving" in text
    assert "24 October 2026 at midday" in text


def test_the_list_reads_the_same_number_of_queries_for_1_or_4_ward_discharges(
    signed_in, practitioner, from_ward, django_assert_num_queries
):
    first = from_ward(left=hours_ago(30))
    record_contact(first, practitioner, at=hours_ago(20))
    client = signed_in(practitioner)
    client.get(url("follow_ups"))  # warm the session
    with CaptureQueriesContext(connection) as few:
        assert client.get(url("follow_ups")).status_code == 200

    for hours in (5, 50, 90):
        from_ward(left=hours_ago(hours))
    with django_assert_num_queries(len(few.captured_queries)):
        text = page_text(client.get(url("follow_ups")))
    assert "3 follow-ups after a ward discharge not yet done" in text


# -- When they left the ward -------------------------------------------------------------------


def test_recording_when_they_left_the_ward_starts_the_clock(signed_in, practitioner, from_ward):
    episode = from_ward(left=None)
    left = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(hours=3)

    response = signed_in(practitioner).post(url("ward_discharge", episode), ward_form(left))

    assert response.status_code == 302
    assert response["Location"] == url("follow_ups")
    admission = Admission.objects.get(pk=episode.early_discharge_from_id)
    assert admission.discharged_at == left
    assert state_of(episode) == FollowUpState.DUE
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE, object_id=admission.pk, section="admission"
    ).exists()


def test_the_ward_discharge_is_not_in_the_future_nor_before_the_admission(
    signed_in, practitioner, from_ward
):
    episode = from_ward(left=None, admitted_on=local_date(timezone.now()) - dt.timedelta(days=2))
    client = signed_in(practitioner)

    future = client.post(url("ward_discharge", episode), ward_form(hours_ago(-3)))
    before = client.post(url("ward_discharge", episode), ward_form(hours_ago(24 * 4)))

    assert "in the past" in page_text(future)
    assert "must be after they were admitted" in page_text(before)
    assert Admission.objects.get(pk=episode.early_discharge_from_id).discharged_at is None


def test_an_episode_not_from_a_ward_has_no_ward_discharge(signed_in, practitioner, episode):
    assert signed_in(practitioner).get(url("ward_discharge", episode)).status_code == 404
    with pytest.raises(ValidationError):
        services.ward_discharge_record(episode=episode, discharged_at=hours_ago(1), by=practitioner)


# -- Why a follow-up was missed ----------------------------------------------------------------


def test_the_reason_a_follow_up_was_missed_is_kept_for_review(signed_in, practitioner, from_ward):
    overdue = from_ward(left=hours_ago(80))
    admission = overdue.early_discharge_from
    client = signed_in(practitioner)
    reason = "No answer at the door or by phone on three visits; GP and sister told."

    response = client.post(url("follow_up_missed", admission), {"reason": reason})

    assert response.status_code == 302
    missed = FollowUpMissedReason.objects.get(admission=admission)
    assert missed.reason == reason
    assert missed.recorded_by == practitioner
    assert reason in page_text(client.get(url("follow_ups")))
    again = client.post(url("follow_up_missed", admission), {"reason": "Second go"})
    assert "already recorded" in page_text(again)
    assert FollowUpMissedReason.objects.count() == 1


def test_a_reason_is_not_taken_for_a_follow_up_done_in_time_or_still_due(
    signed_in, practitioner, from_ward
):
    done = from_ward(left=hours_ago(30))
    record_contact(done, practitioner, at=hours_ago(20))
    due = from_ward(left=hours_ago(5))
    client = signed_in(practitioner)

    for episode in (done, due):
        response = client.post(
            url("follow_up_missed", episode.early_discharge_from), {"reason": "Not needed"}
        )
        assert "This follow-up is not missed" in page_text(response)
    assert not FollowUpMissedReason.objects.exists()


def test_a_late_follow_up_can_have_its_reason_recorded(signed_in, practitioner, from_ward):
    late = from_ward(left=hours_ago(100))
    record_contact(late, practitioner, at=hours_ago(20))

    response = signed_in(practitioner).post(
        url("follow_up_missed", late.early_discharge_from), {"reason": "Staff off sick"}
    )

    assert response.status_code == 302
    assert FollowUpMissedReason.objects.filter(admission=late.early_discharge_from).exists()


def test_a_reason_can_still_be_added_after_the_team_has_discharged_the_person(
    signed_in, practitioner, from_ward
):
    """The reason belongs to the ward discharge: the follow-up measure needs it whether or not
    home treatment has since ended."""
    overdue = from_ward(left=hours_ago(80))
    discharge(overdue, practitioner)

    response = signed_in(practitioner).post(
        url("follow_up_missed", overdue.early_discharge_from),
        {"reason": "Admitted to another trust's ward the day after"},
    )

    assert response.status_code == 302
    assert FollowUpMissedReason.objects.get(admission=overdue.early_discharge_from).reason == (
        "Admitted to another trust's ward the day after"
    )


# -- Who may see and record it -----------------------------------------------------------------


def test_clerical_staff_and_auditors_cannot_see_the_follow_ups(signed_in, staff_user, from_ward):
    overdue = from_ward(left=hours_ago(80))
    for role in (Role.ADMINISTRATOR, Role.IG_AUDITOR):
        client = signed_in(staff_user(role))
        assert client.get(url("follow_ups")).status_code == 403
        assert client.get(url("follow_up_missed", overdue.early_discharge_from)).status_code == 403
    support = signed_in(staff_user(Role.SUPPORT_WORKER))
    assert support.get(url("follow_ups")).status_code == 200


def test_another_teams_ward_discharge_is_refused_and_audited(
    signed_in, practitioner, staff_user, other_team, make_finalised_assessment
):
    their_nurse = staff_user(in_team=other_team)
    assessment = make_finalised_assessment(
        source="inpatient_ward", by=their_nurse, in_team=other_team
    )
    _, theirs = treatment_services.decision_apply(
        assessment=assessment,
        by=their_nurse,
        outcome="home_treatment",
        reasons="Early discharge",
        person_view="Wants home",
        early_discharge_ward="Bradgate Unit, Ward 1",
        early_discharge_admitted_on=local_date(timezone.now()) - dt.timedelta(days=9),
    )
    assert isinstance(theirs, Episode)
    services.ward_discharge_record(episode=theirs, discharged_at=hours_ago(80), by=their_nurse)
    admission = Admission.objects.get(pk=theirs.early_discharge_from_id)
    client = signed_in(practitioner)

    assert client.get(url("ward_discharge", theirs)).status_code == 403
    assert client.post(url("follow_up_missed", admission), {"reason": "x"}).status_code == 403
    assert admission.person.full_name not in page_text(client.get(url("follow_ups")))

    assert not FollowUpMissedReason.objects.exists()
    assert AuditEvent.objects.filter(
        actor=practitioner, action=AuditAction.ACCESS_DENIED, object_id=theirs.pk
    ).exists()
    assert AuditEvent.objects.filter(
        actor=practitioner, action=AuditAction.ACCESS_DENIED, object_id=admission.pk
    ).exists()


def test_the_follow_up_list_links_to_each_persons_episode(signed_in, practitioner, from_ward):
    episode = from_ward(left=hours_ago(4))

    body = signed_in(practitioner).get(url("follow_ups")).content.decode()

    assert reverse("treatment:episode", args=[episode.pk]) in body
