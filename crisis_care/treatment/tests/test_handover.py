"""The shift handover: the summary built from the records (red or changed risk first, events
since the last handover, what is still to do), recording it as given, and reading it back
exactly as given. Roles, team scope, audit and query counts."""

import datetime as dt
import html
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crisis_care.core.models import AuditAction, AuditEvent
from crisis_care.core.roles import Role
from crisis_care.core.testing import people_audited_on
from crisis_care.nonprod import factories
from crisis_care.treatment.models import (
    Admission,
    AlertAction,
    Attendance,
    CareContact,
    Handover,
    LoneWorkingAlertAction,
    LoneWorkingCheck,
    MdtMeeting,
    MdtReview,
    Medium,
    Rating,
    RiskRating,
    Visit,
    VisitStaff,
    VisitStatus,
)
from crisis_care.treatment.selectors.handover import handover_summary, receivers
from crisis_care.treatment.services.actions import action_create
from crisis_care.treatment.services.handover import handover_give
from crisis_care.workforce import services as workforce_services

pytestmark = pytest.mark.django_db


def _ago(**delta: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(**delta)


def _ahead(**delta: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(**delta)


def _text(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(response.content.decode()))


def _another_episode(make_episode, team, given_name, family_name):
    nurse = factories.StaffMemberFactory(role=Role.REGISTERED_PRACTITIONER, team=team)
    person = factories.PersonFactory(given_name=given_name, family_name=family_name)
    return make_episode(person=person, by=nurse.user)


def _rate(episode, rating, at, by, summary="Low mood, sister staying"):
    return RiskRating.objects.create(
        episode=episode, rating=rating, summary=summary, reason="At review", set_by=by, set_at=at
    )


def _handover_given(team, by, at):
    handover = Handover.objects.create(
        team=team,
        given_by=by.staff,
        given_at=at,
        summary_html="<p>Earlier</p>",
        recorded_by=by,
    )
    return handover


def _shift(team, start, hours, name, staff, by, coordinator=None):
    """A shift of the team from `start` for `hours`, with these staff on it."""
    local_start = start.astimezone(dt.UTC).astimezone(timezone.get_current_timezone())
    end = local_start + dt.timedelta(hours=hours)
    shift_type = factories.ShiftTypeFactory(
        team=team,
        name=name,
        starts=local_start.time().replace(second=0, microsecond=0),
        ends=end.time().replace(second=0, microsecond=0),
    )
    shift = workforce_services.shift_get_or_create(shift_type=shift_type, day=local_start.date())
    for member in staff:
        workforce_services.shift_assign(
            shift=shift, staff=member, by=by, is_coordinator=member == coordinator
        )
    return shift


@pytest.fixture
def next_shift(team, practitioner):
    """Two staff starting the next shift in an hour: Nia Okoro and Tom Reyes."""
    nia = factories.StaffMemberFactory(
        role=Role.REGISTERED_PRACTITIONER,
        team=team,
        user__first_name="Nia",
        user__last_name="Okoro",
    )
    tom = factories.StaffMemberFactory(
        role=Role.SUPPORT_WORKER, team=team, user__first_name="Tom", user__last_name="Reyes"
    )
    return _shift(team, _ahead(hours=1), 8, "Late", [nia, tom], practitioner)


# -- The summary -------------------------------------------------------------------------


def test_red_and_changed_ratings_come_first_in_that_order(
    episode, make_episode, team, practitioner
):
    _handover_given(team, practitioner, _ago(hours=2))
    went_red = _another_episode(make_episode, team, "Ava", "Zane")
    stayed_red = _another_episode(make_episode, team, "Ben", "Adams")
    went_green = _another_episode(make_episode, team, "Cal", "Brook")
    _rate(episode, Rating.AMBER, _ago(hours=5), practitioner)  # unchanged amber: not listed
    _rate(went_red, Rating.GREEN, _ago(hours=5), practitioner)
    _rate(went_red, Rating.RED, _ago(hours=1), practitioner)
    _rate(stayed_red, Rating.RED, _ago(hours=5), practitioner)
    _rate(went_green, Rating.AMBER, _ago(hours=5), practitioner)
    _rate(went_green, Rating.GREEN, _ago(minutes=30), practitioner)

    rows = handover_summary(team=team).risks

    assert [r.episode.person.given_name for r in rows] == ["Ava", "Ben", "Cal"]
    assert [(r.rating, r.before) for r in rows] == [
        ("red", "green"),
        ("red", "red"),
        ("green", "amber"),
    ]


def test_a_rating_changed_and_changed_back_since_the_last_handover_is_not_a_change(
    episode, team, practitioner
):
    _rate(episode, Rating.AMBER, _ago(hours=5), practitioner)
    _handover_given(team, practitioner, _ago(hours=3))
    _rate(episode, Rating.RED, _ago(hours=2), practitioner)
    _rate(episode, Rating.AMBER, _ago(hours=1), practitioner)

    assert handover_summary(team=team).risks == []


def test_a_first_rating_since_the_last_handover_counts_as_changed(episode, team, practitioner):
    _handover_given(team, practitioner, _ago(hours=3))
    _rate(episode, Rating.GREEN, _ago(hours=1), practitioner)

    (row,) = handover_summary(team=team).risks
    assert row.before is None and row.changed


def test_the_events_are_those_since_the_last_handover(episode, team, practitioner):
    _handover_given(team, practitioner, _ago(hours=3))
    before = CareContact.objects.create(
        episode=episode,
        started_at=_ago(hours=4),
        ended_at=_ago(hours=4),
        medium=Medium.FACE_TO_FACE,
        attendance=Attendance.NOT_AT_HOME,
        recorded_by=practitioner,
        recorded_at=_ago(hours=4),
    )
    not_home = CareContact.objects.create(
        episode=episode,
        started_at=_ago(hours=1),
        ended_at=_ago(hours=1),
        medium=Medium.FACE_TO_FACE,
        attendance=Attendance.DECLINED,
        recorded_by=practitioner,
        recorded_at=_ago(minutes=50),
    )
    CareContact.objects.create(  # seen: not an event for the handover
        episode=episode,
        started_at=_ago(minutes=30),
        ended_at=_ago(minutes=10),
        medium=Medium.FACE_TO_FACE,
        attendance=Attendance.ATTENDED,
        recorded_by=practitioner,
        recorded_at=_ago(minutes=5),
    )
    check = LoneWorkingCheck.objects.create(
        staff=practitioner.staff,
        team=team,
        location="14 Canal Street",
        checked_in_at=_ago(hours=2),
        expected_end_at=_ago(hours=1),
    )
    alert = LoneWorkingAlertAction.objects.create(
        lone_check=check,
        action=AlertAction.PHONED_STAFF,
        taken_by=practitioner,
        taken_at=_ago(minutes=55),
    )
    meeting = MdtMeeting.objects.create(
        team=team, started_at=_ago(hours=2), chair=practitioner.staff, started_by=practitioner
    )
    review = MdtReview.objects.create(
        meeting=meeting,
        episode=episode,
        decision="Continue twice-daily visits",
        reviewed_by=practitioner,
        reviewed_at=_ago(hours=2),
    )
    admission = Admission.objects.create(
        person=episode.person,
        ward="Bradgate Unit, Ward 3",
        legal_status="informal",
        admitted_at=_ago(hours=1),
    )
    type(episode).objects.filter(pk=episode.pk).update(
        early_discharge_from=admission, started_at=_ago(hours=4)
    )

    summary = handover_summary(team=team)

    assert summary.not_attended == [not_home] and before not in summary.not_attended
    assert summary.alerts == [alert]
    assert summary.reviews == [review]
    assert summary.admissions == [admission]
    assert summary.new_episodes == []  # opened before the last handover
    assert summary.person_ids == [str(episode.person_id)]


def test_with_no_recent_handover_the_events_cover_the_last_24_hours(episode, team, practitioner):
    _handover_given(team, practitioner, _ago(days=3))

    summary = handover_summary(team=team)

    assert summary.since == summary.now - dt.timedelta(hours=24)
    assert summary.new_episodes == [episode]


def test_outstanding_visits_show_staffing_gaps_and_leave_out_visits_already_recorded(
    episode, team, practitioner, next_shift
):
    def visit(start, **fields):
        return Visit.objects.create(
            episode=episode,
            window_start=start,
            window_end=start + dt.timedelta(hours=1),
            planned_by=practitioner,
            **fields,
        )

    short = visit(_ahead(hours=2), staff_needed=2, purpose="Medication review")
    VisitStaff.objects.create(visit=short, staff=practitioner.staff, assigned_by=practitioner)
    recorded = visit(_ahead(hours=3))
    CareContact.objects.create(
        episode=episode,
        visit=recorded,
        started_at=_ahead(hours=3),
        ended_at=_ahead(hours=3),
        medium=Medium.FACE_TO_FACE,
        attendance=Attendance.ATTENDED,
        recorded_by=practitioner,
        recorded_at=timezone.now(),
    )
    visit(_ahead(hours=4), status=VisitStatus.CANCELLED_BY_PERSON)
    beyond = visit(_ahead(days=3))

    summary = handover_summary(team=team)

    assert summary.visits == [short]
    assert summary.visits[0].assigned == 1
    assert beyond not in summary.visits
    assert summary.until >= next_shift.ends_at


def test_open_actions_due_by_the_end_of_the_next_shift_overdue_first(
    episode, team, practitioner, next_shift, time_machine
):
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    soon = action_create(
        episode=episode,
        description="Soon",
        owner=practitioner.staff,
        due_at=start + dt.timedelta(hours=3),
        by=practitioner,
    )
    late = action_create(
        episode=episode,
        description="Late",
        owner=practitioner.staff,
        due_at=start + dt.timedelta(minutes=30),
        by=practitioner,
    )
    action_create(
        episode=episode,
        description="Next week",
        owner=practitioner.staff,
        due_at=start + dt.timedelta(days=7),
        by=practitioner,
    )
    time_machine.move_to(start + dt.timedelta(hours=1), tick=False)

    summary = handover_summary(team=team)

    assert summary.actions == [late, soon]
    assert summary.later_actions == 1


def test_the_summary_is_the_users_team_only(episode, team, other_team, practitioner, make_episode):
    nurse = factories.StaffMemberFactory(role=Role.REGISTERED_PRACTITIONER, team=other_team)
    theirs = make_episode(
        person=factories.PersonFactory(given_name="Dee", family_name="Elsewhere"),
        in_team=other_team,
        by=nurse.user,
    )
    _rate(theirs, Rating.RED, _ago(hours=1), nurse.user)

    summary = handover_summary(team=team)

    assert summary.risks == []
    assert theirs not in summary.new_episodes and episode in summary.new_episodes


# -- The page ----------------------------------------------------------------------------


def test_the_page_shows_the_summary_in_order_and_audits_the_people_shown(
    signed_in, episode, team, practitioner, next_shift
):
    _rate(episode, Rating.RED, _ago(hours=1), practitioner, summary="Said she has a plan")
    client = signed_in(practitioner)

    response = client.get(reverse("treatment:handover"))

    assert response.status_code == 200
    text = _text(response)
    assert text.index("People with high or changed risk") < text.index("What has happened")
    assert text.index("What has happened") < text.index("Still to do")
    assert "Said she has a plan" in text
    assert "Nia Okoro" in text and "Tom Reyes" in text  # the next shift, to receive it
    event = AuditEvent.objects.filter(
        object_type="treatment.handover_summary", person_id__isnull=True
    ).latest("occurred_at")
    assert event.actor == practitioner
    assert people_audited_on("treatment.handover_summary") == [str(episode.person_id)]


def test_the_page_takes_a_fixed_number_of_queries(
    signed_in, episode, team, practitioner, make_episode, next_shift, django_assert_num_queries
):
    client = signed_in(practitioner)
    url = reverse("treatment:handover")

    def one_of_everything(episode):
        _rate(episode, Rating.RED, _ago(hours=1), practitioner)
        start = _ahead(hours=2)
        visit = Visit.objects.create(
            episode=episode,
            window_start=start,
            window_end=start + dt.timedelta(hours=1),
            planned_by=practitioner,
        )
        VisitStaff.objects.create(visit=visit, staff=practitioner.staff, assigned_by=practitioner)
        action_create(
            episode=episode,
            description="Phone",
            owner=practitioner.staff,
            due_at=_ahead(hours=2),
            by=practitioner,
        )
        CareContact.objects.create(
            episode=episode,
            started_at=_ago(minutes=20),
            ended_at=_ago(minutes=20),
            medium=Medium.TELEPHONE,
            attendance=Attendance.NOT_AT_HOME,
            recorded_by=practitioner,
            recorded_at=_ago(minutes=10),
        )

    one_of_everything(episode)
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    for name in ("Ava", "Ben", "Cal"):
        one_of_everything(_another_episode(make_episode, team, name, "Smith"))

    with django_assert_num_queries(len(captured)):
        response = client.get(url)
    assert _text(response).count("Smith") >= 12


def test_clerical_staff_cannot_see_the_handover(signed_in, staff_user):
    clerk = staff_user(Role.ADMINISTRATOR)
    assert signed_in(clerk).get(reverse("treatment:handover")).status_code == 403


# -- Giving it ---------------------------------------------------------------------------


def test_giving_the_handover_to_two_people_keeps_the_summary_as_given(
    signed_in, episode, team, practitioner, next_shift
):
    _rate(episode, Rating.RED, _ago(hours=1), practitioner, summary="Said she has a plan")
    nia, tom = (a.staff for a in next_shift.assignments.order_by("staff__user__first_name"))
    client = signed_in(practitioner)

    response = client.post(
        reverse("treatment:handover_give"),
        {
            "team": str(team.pk),
            "shift": str(next_shift.pk),
            "received_by": [str(nia.pk), str(tom.pk)],
            "notes": "Ava's sister is staying tonight",
        },
    )

    handover = Handover.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("treatment:handover_detail", args=[handover.pk])
    assert handover.given_by == practitioner.staff
    assert set(handover.received_by.all()) == {nia, tom}
    assert handover.shift == next_shift
    assert handover.notes == "Ava's sister is staying tonight"
    assert "Said she has a plan" in handover.summary_html
    assert "csrfmiddlewaretoken" not in handover.summary_html
    assert handover.person_ids == [str(episode.person_id)]
    created = AuditEvent.objects.get(action=AuditAction.CREATE, object_id=handover.pk)
    assert sorted(created.detail["received_by"]) == sorted([str(nia.pk), str(tom.pk)])

    # Later changes to the records do not change the handover as given.
    _rate(episode, Rating.GREEN, timezone.now(), practitioner, summary="Much brighter today")
    detail = _text(client.get(reverse("treatment:handover_detail", args=[handover.pk])))
    assert "Said she has a plan" in detail and "Much brighter today" not in detail
    assert "Nia Okoro and Tom Reyes" in detail
    history = _text(client.get(reverse("treatment:handover_history")))
    assert "Nia Okoro and Tom Reyes" in history
    assert reverse("treatment:handover_detail", args=[handover.pk]) in history


def test_the_next_handover_counts_changes_from_this_one(
    signed_in, episode, team, practitioner, next_shift
):
    _rate(episode, Rating.AMBER, _ago(hours=1), practitioner)
    nia = next_shift.assignments.first().staff
    signed_in(practitioner).post(
        reverse("treatment:handover_give"),
        {"team": str(team.pk), "shift": str(next_shift.pk), "received_by": [str(nia.pk)]},
    )

    assert handover_summary(team=team).risks == []  # amber, and unchanged since it was given


def test_it_needs_someone_to_receive_the_handover(signed_in, team, practitioner, next_shift):
    response = signed_in(practitioner).post(
        reverse("treatment:handover_give"),
        {"team": str(team.pk), "shift": str(next_shift.pk), "notes": "Quiet night"},
    )

    assert response.status_code == 200
    text = _text(response)
    assert "Select at least one person who received the handover (not yourself)" in text
    assert 'href="#id_received_by"' in text
    assert "Quiet night" in text
    assert not Handover.objects.exists()


def test_the_giver_cannot_be_the_only_receiver(team, practitioner):
    with pytest.raises(ValidationError) as error:
        handover_give(
            team=team,
            given_by=practitioner.staff,
            received_by=[practitioner.staff],
            shift=None,
            notes="",
            summary_html="<p>Summary</p>",
            person_ids=[],
            by=practitioner,
        )
    assert "received_by" in error.value.message_dict
    assert not Handover.objects.exists()


def test_the_giver_is_left_out_of_the_people_who_can_receive(team, practitioner, next_shift):
    _shift(team, _ago(hours=1), 4, "Early", [practitioner.staff], practitioner)
    found = receivers(team=team, giver=practitioner.staff, now=timezone.now())
    names = sorted(str(r.staff) for r in found.people)
    assert names == ["Nia Okoro", "Tom Reyes"]
    assert [nxt for _, nxt in found.shifts] == [True, False]


def test_it_refuses_someone_not_on_the_next_or_current_shift(
    signed_in, team, practitioner, next_shift
):
    stranger = factories.StaffMemberFactory(role=Role.SUPPORT_WORKER, team=team)

    response = signed_in(practitioner).post(
        reverse("treatment:handover_give"),
        {"team": str(team.pk), "shift": str(next_shift.pk), "received_by": [str(stranger.pk)]},
    )

    assert "Select people from the list" in _text(response)
    assert not Handover.objects.exists()


def test_what_people_typed_is_escaped_in_the_stored_summary(
    signed_in, episode, team, practitioner, next_shift
):
    _rate(episode, Rating.RED, _ago(hours=1), practitioner, summary="<script>alert(1)</script>")
    nia = next_shift.assignments.first().staff
    client = signed_in(practitioner)
    client.post(
        reverse("treatment:handover_give"),
        {"team": str(team.pk), "shift": str(next_shift.pk), "received_by": [str(nia.pk)]},
    )
    handover = Handover.objects.get()

    detail = client.get(reverse("treatment:handover_detail", args=[handover.pk])).content.decode()

    assert "<script>alert(1)</script>" not in detail
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in detail


def test_reading_a_past_handover_is_audited_with_the_people_it_names(
    signed_in, episode, team, practitioner
):
    handover = Handover.objects.create(
        team=team,
        given_by=practitioner.staff,
        given_at=_ago(hours=1),
        summary_html="<p>Summary</p>",
        person_ids=[str(episode.person_id)],
        recorded_by=practitioner,
    )

    signed_in(practitioner).get(reverse("treatment:handover_detail", args=[handover.pk]))

    event = AuditEvent.objects.get(
        action=AuditAction.VIEW, object_id=handover.pk, person_id__isnull=True
    )
    assert event.object_type == "treatment.Handover"
    assert people_audited_on("treatment.Handover") == [str(episode.person_id)]


def test_another_teams_handover_is_refused_and_audited(signed_in, team, practitioner, other_team):
    handover = _handover_given(team, practitioner, _ago(hours=1))
    stranger = factories.StaffMemberFactory(role=Role.REGISTERED_PRACTITIONER, team=other_team)

    response = signed_in(stranger.user).get(
        reverse("treatment:handover_detail", args=[handover.pk])
    )

    assert response.status_code == 403
    assert AuditEvent.objects.filter(
        actor=stranger.user, action=AuditAction.ACCESS_DENIED, object_id=handover.pk
    ).exists()


def test_the_history_lists_only_the_users_teams_handovers(
    signed_in, team, other_team, practitioner
):
    ours = _handover_given(team, practitioner, _ago(hours=1))
    nurse = factories.StaffMemberFactory(role=Role.REGISTERED_PRACTITIONER, team=other_team)
    theirs = _handover_given(other_team, nurse.user, _ago(hours=1))

    text = _text(signed_in(practitioner).get(reverse("treatment:handover_history")))

    assert reverse("treatment:handover_detail", args=[ours.pk]) in text
    assert reverse("treatment:handover_detail", args=[theirs.pk]) not in text
