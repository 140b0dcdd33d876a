"""My tasks, the team's tasks, an episode's actions, and setting, completing and cancelling an
action through the pages: roles, team scope, audit, stale saves and query counts."""

import datetime as dt
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crisis_care.core.clock import LONDON, local_instant
from crisis_care.core.models import AuditAction, AuditEvent
from crisis_care.core.roles import Role
from crisis_care.core.testing import people_audited_on
from crisis_care.nonprod import factories
from crisis_care.treatment.models import (
    Action,
    ActionStatus,
    MdtMeeting,
    MdtReview,
)
from crisis_care.treatment.services.actions import action_complete, action_create
from crisis_care.workforce import services as workforce_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(team):
    return factories.StaffMemberFactory(
        role=Role.SUPPORT_WORKER, team=team, user__first_name="Tom", user__last_name="Reyes"
    )


def _set(episode, owner, by, description="Phone Sam's sister", hours=4.0, review=None):
    return action_create(
        episode=episode,
        description=description,
        owner=owner,
        due_at=timezone.now() + dt.timedelta(hours=hours),
        by=by,
        review=review,
    )


def _another_episode(make_episode, team, **person):
    """Another open episode in the team, decided by another nurse (one can't assess two people
    at the same moment)."""
    nurse = factories.StaffMemberFactory(role=Role.REGISTERED_PRACTITIONER, team=team)
    return make_episode(person=factories.PersonFactory(**person), by=nurse.user)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _text(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(response.content.decode()))


def _review(episode, by):
    meeting = MdtMeeting.objects.create(
        team=episode.team, started_at=timezone.now(), chair=by.staff, started_by=by
    )
    return MdtReview.objects.create(
        meeting=meeting,
        episode=episode,
        decision="Continue twice-daily visits",
        reviewed_by=by,
        reviewed_at=timezone.now(),
    )


# -- My tasks ----------------------------------------------------------------------------


def test_my_tasks_shows_my_open_actions_with_the_person_who_set_them_and_the_review(
    signed_in, episode, practitioner, colleague
):
    review = _review(episode, practitioner)
    _set(episode, colleague, practitioner, "Take the new prescription round", review=review)
    _set(episode, practitioner.staff, practitioner, "Someone else's task")
    done = _set(episode, colleague, practitioner, "Already done")
    action_complete(action=done, note="", expected_version=done.version, by=practitioner)

    response = signed_in(colleague.user).get(reverse("treatment:my_tasks"))

    assert response.status_code == 200
    text = _text(response)
    assert "Take the new prescription round" in text
    assert "Someone else's task" not in text
    assert "Already done" not in text
    assert "Sam Ellison" in text
    assert reverse("treatment:episode", args=[episode.pk]) in text
    assert f"{practitioner}, at the team review on" in text


def test_my_tasks_lists_overdue_first_then_today_then_later(
    signed_in, episode, practitioner, colleague, time_machine
):
    noon = local_instant(timezone.localdate() + dt.timedelta(days=1), dt.time(12, 0))
    time_machine.move_to(noon, tick=False)
    _set(episode, colleague, practitioner, "Later task", hours=30)
    _set(episode, colleague, practitioner, "Today task", hours=6)
    _set(episode, colleague, practitioner, "Overdue task", hours=1)
    time_machine.move_to(noon + dt.timedelta(hours=3, minutes=30), tick=False)

    text = _text(signed_in(colleague.user).get(reverse("treatment:my_tasks")))

    assert text.index("Overdue task") < text.index("Today task") < text.index("Later task")
    assert "Overdue by 2 hours 30 minutes" in text
    assert 'id="tasks-overdue"' in text and 'id="tasks-today"' in text


def test_overdue_is_the_real_time_passed_across_midnight(
    signed_in, episode, practitioner, colleague, time_machine
):
    day = timezone.localdate() + dt.timedelta(days=2)
    time_machine.move_to(local_instant(day, dt.time(22, 0)), tick=False)
    _set(episode, colleague, practitioner, "Late call", hours=1.5)  # due 23:30
    time_machine.move_to(local_instant(day + dt.timedelta(days=1), dt.time(0, 15)), tick=False)

    text = _text(signed_in(colleague.user).get(reverse("treatment:my_tasks")))

    assert "Yesterday at 11:30pm" in text
    assert "Overdue by 45 minutes" in text


def test_overdue_counts_real_hours_on_the_night_the_clocks_go_forward(
    signed_in, episode, practitioner, colleague, time_machine
):
    # 28 March 2027: at 01:00 GMT the clocks go forward to 02:00 BST.
    time_machine.move_to(dt.datetime(2027, 3, 28, 0, 0, tzinfo=dt.UTC), tick=False)
    _set(episode, colleague, practitioner, "Night check", hours=0.5)  # 00:30 GMT
    time_machine.move_to(dt.datetime(2027, 3, 28, 3, 30, tzinfo=LONDON), tick=False)

    text = _text(signed_in(colleague.user).get(reverse("treatment:my_tasks")))

    # 00:30 GMT to 03:30 BST is two real hours, not the three the wall clock suggests.
    assert "Overdue by 2 hours" in text
    assert "Overdue by 3 hours" not in text
    assert "Today at 12:30am" in text


def test_overdue_counts_real_hours_on_the_night_the_clocks_go_back(
    signed_in, episode, practitioner, colleague, time_machine
):
    # 31 October 2027: at 02:00 BST the clocks go back to 01:00 GMT.
    time_machine.move_to(dt.datetime(2027, 10, 30, 23, 0, tzinfo=dt.UTC), tick=False)  # 00:00 BST
    _set(episode, colleague, practitioner, "Night check", hours=0.5)  # 00:30 BST
    time_machine.move_to(dt.datetime(2027, 10, 31, 2, 30, tzinfo=dt.UTC), tick=False)  # 02:30 GMT

    text = _text(signed_in(colleague.user).get(reverse("treatment:my_tasks")))

    assert "Overdue by 3 hours" in text


def test_viewing_my_tasks_writes_one_audit_row_naming_the_people_shown(
    signed_in, episode, make_episode, practitioner, colleague
):
    from crisis_care.people.models import Person

    second = _another_episode(make_episode, episode.team, given_name="Ada", family_name="Quinn")
    _set(episode, colleague, practitioner, "One")
    _set(episode, colleague, practitioner, "Two")
    _set(second, colleague, practitioner, "Three")
    before = AuditEvent.objects.count()

    signed_in(colleague.user).get(reverse("treatment:my_tasks"))

    assert AuditEvent.objects.count() == before + 1 + 2  # the list, then each person on it
    event = AuditEvent.objects.get(object_type="treatment.my_tasks", person_id__isnull=True)
    assert event.action == AuditAction.VIEW
    assert event.detail["rows"] == 2
    assert people_audited_on("treatment.my_tasks") == sorted(
        str(p.pk) for p in Person.objects.filter(pk__in=[episode.person_id, second.person_id])
    )


def test_my_tasks_takes_a_fixed_number_of_queries(
    signed_in, episode, make_episode, practitioner, colleague, django_assert_num_queries
):
    client = signed_in(colleague.user)
    url = reverse("treatment:my_tasks")
    _set(episode, colleague, practitioner, "One", review=_review(episode, practitioner))
    client.get(url)  # the first request of a session does a little more
    with_one = _queries(client, url)

    for n in range(5):
        other = _another_episode(make_episode, episode.team)
        _set(other, colleague, practitioner, f"More {n}", review=_review(other, practitioner))
        _set(other, colleague, practitioner, f"Another {n}", hours=30)

    # The same queries for eleven tasks as for one (the page's own: staff, teams, the
    # actions with their people, reviews and who set them, may-oversee, the audit row).
    with django_assert_num_queries(with_one):
        response = client.get(url)
    assert _text(response).count("Mark as done") == 11


def test_support_workers_see_their_tasks_but_clerical_staff_do_not(signed_in, staff_user):
    assert (
        signed_in(staff_user(Role.SUPPORT_WORKER)).get(reverse("treatment:my_tasks")).status_code
        == 200
    )
    clerk = staff_user(Role.ADMINISTRATOR)
    assert signed_in(clerk).get(reverse("treatment:my_tasks")).status_code == 403


def test_my_tasks_leaves_out_actions_on_another_teams_episodes(
    signed_in, episode, practitioner, colleague, other_team, make_episode
):
    # An action on another team's episode (as if the colleague had moved teams) stays with it.
    their_nurse = factories.StaffMemberFactory(role=Role.REGISTERED_PRACTITIONER, team=other_team)
    elsewhere = make_episode(in_team=other_team, by=their_nurse.user)
    Action.objects.create(
        episode=elsewhere,
        description="Other team's job",
        owner=colleague,
        due_at=timezone.now() + dt.timedelta(hours=2),
        created_by=practitioner,
    )
    _set(episode, colleague, practitioner, "Our job")

    text = _text(signed_in(colleague.user).get(reverse("treatment:my_tasks")))

    assert "Our job" in text
    assert "Other team" not in text


# -- The team's tasks --------------------------------------------------------------------


def test_a_team_manager_sees_everyones_open_actions_and_can_filter_them(
    signed_in, staff_user, episode, practitioner, colleague, time_machine
):
    manager = staff_user(Role.TEAM_MANAGER)
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    _set(episode, colleague, practitioner, "Overdue task for Tom", hours=1)
    _set(episode, practitioner.staff, practitioner, "Task for the nurse", hours=5)
    time_machine.move_to(start + dt.timedelta(hours=2), tick=False)
    client = signed_in(manager)
    url = reverse("treatment:team_tasks")

    everyone = _text(client.get(url))
    toms = _text(client.get(url, {"owner": str(colleague.pk)}))
    overdue = _text(client.get(url, {"overdue": "on"}))

    assert "Overdue task for Tom" in everyone and "Task for the nurse" in everyone
    assert "Overdue task for Tom" in toms and "Task for the nurse" not in toms
    assert "Overdue task for Tom" in overdue and "Task for the nurse" not in overdue
    # Three views of the list, each auditing the one person on it.
    assert people_audited_on("treatment.team_tasks") == [str(episode.person_id)] * 3


def test_the_teams_tasks_are_refused_to_a_practitioner_who_is_not_coordinating(
    signed_in, practitioner
):
    assert signed_in(practitioner).get(reverse("treatment:team_tasks")).status_code == 403


def test_the_shift_coordinator_sees_the_teams_tasks(signed_in, team, practitioner):
    start = (timezone.now() - dt.timedelta(hours=1)).astimezone(LONDON)
    shift_type = factories.ShiftTypeFactory(
        team=team,
        name="Coordinating",
        starts=start.time().replace(second=0, microsecond=0),
        ends=(start + dt.timedelta(hours=8)).time().replace(second=0, microsecond=0),
    )
    shift = workforce_services.shift_get_or_create(shift_type=shift_type, day=start.date())
    workforce_services.shift_assign(
        shift=shift, staff=practitioner.staff, by=practitioner, is_coordinator=True
    )

    response = signed_in(practitioner).get(reverse("treatment:team_tasks"))

    assert response.status_code == 200


def test_the_teams_tasks_take_a_fixed_number_of_queries(
    signed_in, staff_user, episode, make_episode, practitioner, colleague, django_assert_num_queries
):
    client = signed_in(staff_user(Role.TEAM_MANAGER))
    url = reverse("treatment:team_tasks")
    _set(episode, colleague, practitioner, "One")
    client.get(url)
    with_one = _queries(client, url)
    for n in range(5):
        other = _another_episode(make_episode, episode.team)
        _set(
            other,
            practitioner.staff,
            practitioner,
            f"More {n}",
            review=_review(other, practitioner),
        )

    with django_assert_num_queries(with_one):
        response = client.get(url)
    assert _text(response).count("Mark as done") == 6


# -- An episode's actions and setting one ------------------------------------------------


def test_setting_an_action_puts_it_on_the_owners_list(signed_in, episode, practitioner, colleague):
    when = (timezone.now() + dt.timedelta(days=1)).astimezone(LONDON)
    client = signed_in(practitioner)

    response = client.post(
        reverse("treatment:action_add", args=[episode.pk]),
        {
            "description": "Check Sam has collected the prescription",
            "owner": str(colleague.pk),
            "due_date[day]": str(when.day),
            "due_date[month]": str(when.month),
            "due_date[year]": str(when.year),
            "due_time": "10:00",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("treatment:episode_actions", args=[episode.pk])
    action = Action.objects.get(episode=episode)
    assert action.owner == colleague
    assert action.due_at == local_instant(when.date(), dt.time(10, 0))
    assert "Check Sam has collected" in _text(
        signed_in(colleague.user).get(reverse("treatment:my_tasks"))
    )


def test_setting_an_action_due_in_the_past_says_so_against_the_time(
    signed_in, episode, practitioner, colleague
):
    earlier = (timezone.now() - dt.timedelta(hours=2)).astimezone(LONDON)
    if earlier.date() != timezone.localdate():
        earlier = timezone.now().astimezone(LONDON).replace(hour=0, minute=0)

    response = signed_in(practitioner).post(
        reverse("treatment:action_add", args=[episode.pk]),
        {
            "description": "Phone the GP",
            "owner": str(colleague.pk),
            "due_date[day]": str(timezone.localdate().day),
            "due_date[month]": str(timezone.localdate().month),
            "due_date[year]": str(timezone.localdate().year),
            "due_time": earlier.strftime("%H:%M"),
        },
    )

    assert response.status_code == 200
    text = _text(response)
    assert "The due time must not be in the past" in text
    assert 'href="#id_due_time"' in text
    assert "Phone the GP" in text  # what was typed is kept
    assert not Action.objects.exists()


def test_the_owner_list_only_offers_the_episodes_team(signed_in, episode, practitioner, other_team):
    outsider = factories.StaffMemberFactory(role=Role.REGISTERED_PRACTITIONER, team=other_team)
    when = timezone.now() + dt.timedelta(days=1)

    response = signed_in(practitioner).post(
        reverse("treatment:action_add", args=[episode.pk]),
        {
            "description": "Visit",
            "owner": str(outsider.pk),
            "due_date[day]": str(when.day),
            "due_date[month]": str(when.month),
            "due_date[year]": str(when.year),
            "due_time": "10:00",
        },
    )

    assert "Select someone in the team from the list" in _text(response)
    assert not Action.objects.exists()


def test_setting_an_action_on_another_teams_episode_is_refused_and_audited(
    signed_in, episode, other_team
):
    stranger = factories.StaffMemberFactory(role=Role.REGISTERED_PRACTITIONER, team=other_team)

    response = signed_in(stranger.user).get(reverse("treatment:action_add", args=[episode.pk]))

    assert response.status_code == 403
    assert AuditEvent.objects.filter(
        actor=stranger.user, action=AuditAction.ACCESS_DENIED, object_id=episode.pk
    ).exists()


def test_clerical_staff_cannot_set_actions(signed_in, staff_user, episode):
    clerk = staff_user(Role.ADMINISTRATOR)
    assert (
        signed_in(clerk).get(reverse("treatment:action_add", args=[episode.pk])).status_code == 403
    )


def test_an_episodes_actions_page_lists_open_and_closed_actions(
    signed_in, episode, practitioner, colleague
):
    _set(episode, colleague, practitioner, "Still to do")
    done = _set(episode, colleague, practitioner, "Finished job")
    action_complete(action=done, note="", expected_version=done.version, by=practitioner)

    response = signed_in(practitioner).get(reverse("treatment:episode_actions", args=[episode.pk]))

    text = _text(response)
    assert text.index("Still to do") < text.index("Done or cancelled") < text.index("Finished job")
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_id=episode.pk, section="actions"
    ).exists()


# -- Marking done and cancelling ---------------------------------------------------------


def test_marking_an_action_done_returns_to_the_list(signed_in, episode, practitioner, colleague):
    action = _set(episode, colleague, practitioner)
    client = signed_in(colleague.user)

    response = client.post(
        reverse("treatment:action_done", args=[action.pk]),
        {"note": "Spoke to her sister", "version": action.version, "next": "/treatment/tasks/"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/treatment/tasks/"
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE


def test_it_does_not_redirect_off_the_site_after_marking_done(
    signed_in, episode, practitioner, colleague
):
    action = _set(episode, colleague, practitioner)

    response = signed_in(colleague.user).post(
        reverse("treatment:action_done", args=[action.pk]),
        {"note": "", "version": action.version, "next": "https://evil.example/"},
    )

    assert response["Location"] == reverse("treatment:my_tasks")


def test_when_a_colleague_already_did_it_the_page_says_so_and_keeps_the_note(
    signed_in, episode, practitioner, colleague
):
    action = _set(episode, colleague, practitioner)
    opened_at = action.version
    action_complete(action=action, note="", expected_version=opened_at, by=practitioner)

    response = signed_in(colleague.user).post(
        reverse("treatment:action_done", args=[action.pk]),
        {"note": "Visited, all well", "version": opened_at},
    )

    assert response.status_code == 200
    text = _text(response)
    assert f"{practitioner} marked this action as done" in text
    assert "Visited, all well" in text
    assert Action.objects.get(pk=action.pk).status == ActionStatus.DONE
    assert action.status_history.count() == 2  # open, and the colleague's done


def test_cancelling_needs_a_reason(signed_in, episode, practitioner, colleague):
    action = _set(episode, colleague, practitioner)

    response = signed_in(practitioner).post(
        reverse("treatment:action_cancel", args=[action.pk]), {"reason": "", "version": 1}
    )

    assert response.status_code == 200
    assert "Enter why the action is being cancelled" in _text(response)
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


def test_cancelling_with_a_reason_takes_it_off_the_list(
    signed_in, episode, practitioner, colleague
):
    action = _set(episode, colleague, practitioner, "Book the interpreter")
    client = signed_in(colleague.user)

    client.post(
        reverse("treatment:action_cancel", args=[action.pk]),
        {"reason": "Sam no longer wants one", "version": action.version},
    )

    text = _text(client.get(reverse("treatment:my_tasks")))
    assert "Cancelled: Book the interpreter" in text  # the message, not the list
    assert "Mark as done" not in text
    assert action.status_history.last().note == "Sam no longer wants one"


def test_another_teams_action_is_refused_and_audited(signed_in, episode, practitioner, other_team):
    action = _set(episode, practitioner.staff, practitioner)
    stranger = factories.StaffMemberFactory(role=Role.REGISTERED_PRACTITIONER, team=other_team)

    for name in ("treatment:action_done", "treatment:action_cancel"):
        response = signed_in(stranger.user).post(
            reverse(name, args=[action.pk]), {"note": "x", "reason": "x", "version": 1}
        )
        assert response.status_code == 403
    assert (
        AuditEvent.objects.filter(
            actor=stranger.user, action=AuditAction.ACCESS_DENIED, object_id=action.pk
        ).count()
        == 2
    )
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN
