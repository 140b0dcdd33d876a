"""Lone working (CORE item 32a): checking in and out, when a check-in is overdue, and the
coordinator's action on the alert. Services, selectors and presenters; the pages are in
test_lone_working_views.py."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from crisis_care.core.clock import LONDON
from crisis_care.core.models import AuditAction, AuditEvent, User
from crisis_care.core.presenters import time_short
from crisis_care.core.roles import Role
from crisis_care.treatment.forms.lone_working import next_occurrence
from crisis_care.treatment.models import (
    AlertAction,
    CheckInStatus,
    Episode,
    LoneWorkingAlertAction,
    LoneWorkingCheck,
    Visit,
    VisitLocation,
    VisitStatus,
)
from crisis_care.treatment.presenters import lone_working as presenters
from crisis_care.treatment.selectors import lone_working as selectors
from crisis_care.treatment.services import lone_working as services

pytestmark = pytest.mark.django_db


def make_visit(episode: Episode, *, by: User, minutes: int = 45, **fields: object) -> Visit:
    """A visit planned for now (its window opened ten minutes ago)."""
    start = timezone.now() - dt.timedelta(minutes=10)
    return Visit.objects.create(
        episode=episode,
        window_start=start,
        window_end=start + dt.timedelta(hours=1),
        expected_minutes=minutes,
        planned_by=by,
        **fields,
    )


def make_overdue(check: LoneWorkingCheck, minutes: int = 30) -> LoneWorkingCheck:
    """Time has passed: the check-in's expected end is now `minutes` ago (check-in moved too)."""
    shift = (check.expected_end_at - timezone.now()) + dt.timedelta(minutes=minutes)
    LoneWorkingCheck.objects.filter(pk=check.pk).update(
        checked_in_at=check.checked_in_at - shift, expected_end_at=check.expected_end_at - shift
    )
    check.refresh_from_db()
    return check


@pytest.fixture
def support_worker(staff_user) -> User:
    return staff_user(Role.SUPPORT_WORKER)


@pytest.fixture
def coordinator(staff_user) -> User:
    return staff_user(Role.REGISTERED_PRACTITIONER)


@pytest.fixture
def visit(episode, practitioner) -> Visit:
    return make_visit(episode, by=practitioner)


@pytest.fixture
def checked_in(visit, support_worker) -> LoneWorkingCheck:
    return services.check_in(
        by=support_worker, team=visit.episode.team, visit=visit, location="12 Elm Road", minutes=45
    )


# -- Checking in -----------------------------------------------------------------------------


def test_checking_in_on_a_visit_sets_the_expected_end_and_is_audited(visit, support_worker):
    before = timezone.now()
    check = services.check_in(
        by=support_worker, team=visit.episode.team, visit=visit, location="12 Elm Road", minutes=45
    )

    assert check.staff == support_worker.staff
    assert check.status == CheckInStatus.CHECKED_IN
    assert check.checked_in_at >= before
    assert check.expected_end_at - check.checked_in_at == dt.timedelta(minutes=45)
    audit = AuditEvent.objects.get(object_id=check.pk, action=AuditAction.CREATE)
    assert audit.person_id == visit.episode.person_id
    assert audit.section == "lone working"


def test_it_refuses_a_second_open_check_in_for_the_same_member_of_staff(
    checked_in, support_worker, team
):
    with pytest.raises(ValidationError, match="already checked in at 12 Elm Road"):
        services.check_in(by=support_worker, team=team, location="The café", minutes=30)

    assert LoneWorkingCheck.objects.filter(staff=support_worker.staff).count() == 1


def test_after_checking_out_the_member_of_staff_may_check_in_again(
    checked_in, support_worker, team
):
    services.check_out(check=checked_in, by=support_worker)

    again = services.check_in(by=support_worker, team=team, location="The café", minutes=30)

    assert again.status == CheckInStatus.CHECKED_IN


def test_the_database_itself_refuses_two_open_check_ins_for_one_member_of_staff(
    checked_in, support_worker, team
):
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        LoneWorkingCheck.objects.create(
            staff=support_worker.staff,
            team=team,
            location="Elsewhere",
            checked_in_at=now,
            expected_end_at=now + dt.timedelta(minutes=5),
        )


@pytest.mark.parametrize("minutes", [4, 241, 0])
def test_it_refuses_an_expected_time_outside_5_to_240_minutes(visit, support_worker, minutes):
    with pytest.raises(ValidationError) as caught:
        services.check_in(
            by=support_worker,
            team=visit.episode.team,
            visit=visit,
            location="Here",
            minutes=minutes,
        )

    assert "minutes" in caught.value.message_dict
    assert not LoneWorkingCheck.objects.exists()


def test_it_refuses_a_check_in_without_a_location(visit, support_worker):
    with pytest.raises(ValidationError) as caught:
        services.check_in(
            by=support_worker, team=visit.episode.team, visit=visit, location="  ", minutes=30
        )

    assert caught.value.message_dict == {"location": ["Enter where you are"]}


def test_it_refuses_a_check_in_on_a_cancelled_visit(episode, practitioner, support_worker):
    cancelled = make_visit(episode, by=practitioner, status=VisitStatus.CANCELLED_BY_PERSON)

    with pytest.raises(ValidationError, match="cancelled"):
        services.check_in(
            by=support_worker, team=episode.team, visit=cancelled, location="Here", minutes=30
        )


def test_it_refuses_a_check_in_with_a_team_the_member_of_staff_is_not_in(
    support_worker, other_team
):
    with pytest.raises(PermissionDenied):
        services.check_in(by=support_worker, team=other_team, location="Here", minutes=30)


def test_clerical_staff_do_not_check_in(staff_user, team):
    clerk = staff_user(Role.ADMINISTRATOR)

    with pytest.raises(PermissionDenied):
        services.check_in(by=clerk, team=team, location="Here", minutes=30)


def test_an_ad_hoc_check_in_keeps_what_it_is_for(support_worker, team):
    check = services.check_in(
        by=support_worker,
        team=team,
        location="4 Mill Lane, LE2 1AB",
        minutes=90,
        purpose="Assessment of a new referral",
    )

    assert check.visit is None
    assert presenters.visited_text(check) == "Assessment of a new referral"


# -- Checking out ----------------------------------------------------------------------------


def test_the_member_of_staff_checks_themself_out(checked_in, support_worker):
    check = services.check_out(check=checked_in, by=support_worker)

    assert check.status == CheckInStatus.CHECKED_OUT
    assert check.checked_out_by == support_worker
    assert check.checked_out_at is not None
    assert AuditEvent.objects.filter(object_id=check.pk, action=AuditAction.UPDATE).count() == 1


def test_another_support_worker_cannot_check_someone_out(checked_in, staff_user):
    colleague = staff_user(Role.SUPPORT_WORKER)

    with pytest.raises(PermissionDenied):
        services.check_out(check=checked_in, by=colleague, note="Saw them leave")

    checked_in.refresh_from_db()
    assert checked_in.status == CheckInStatus.CHECKED_IN


def test_a_coordinator_checks_someone_out_only_with_a_note(checked_in, coordinator):
    with pytest.raises(ValidationError) as caught:
        services.check_out(check=checked_in, by=coordinator, note=" ")
    assert "note" in caught.value.message_dict

    check = services.check_out(check=checked_in, by=coordinator, note="Phoned: back at base")

    assert check.status == CheckInStatus.CHECKED_OUT
    assert check.checked_out_by == coordinator
    assert check.check_out_note == "Phoned: back at base"


def test_a_coordinator_of_another_team_cannot_check_someone_out(checked_in, staff_user, other_team):
    outsider = staff_user(Role.REGISTERED_PRACTITIONER, in_team=other_team)

    with pytest.raises(PermissionDenied):
        services.check_out(check=checked_in, by=outsider, note="Spoke to them")


def test_checking_out_twice_is_refused(checked_in, support_worker):
    services.check_out(check=checked_in, by=support_worker)

    with pytest.raises(ValidationError, match="already checked out"):
        services.check_out(check=checked_in, by=support_worker)


# -- Overdue ---------------------------------------------------------------------------------


def test_a_check_in_becomes_an_alert_only_once_its_expected_end_has_passed(
    time_machine, visit, support_worker, team
):
    time_machine.move_to(dt.datetime(2026, 3, 10, 10, 0, tzinfo=LONDON), tick=False)
    check = services.check_in(
        by=support_worker, team=team, visit=visit, location="12 Elm Road", minutes=45
    )

    time_machine.move_to(dt.datetime(2026, 3, 10, 10, 44, 59, tzinfo=LONDON), tick=False)
    board = selectors.board_for_team(team=team)
    assert board.alerts == []
    assert board.checked_in == [check]
    assert presenters.due_text(check, timezone.now()) == "Due out by 10:45am (in 1 minute)"

    time_machine.move_to(dt.datetime(2026, 3, 10, 11, 50, tzinfo=LONDON), tick=False)
    board = selectors.board_for_team(team=team)
    assert board.alerts == [check]
    assert board.checked_in == []
    assert presenters.overdue_text(check, timezone.now()) == "Overdue by 1 hour 5 minutes"


def test_a_checked_out_visit_is_never_an_alert(time_machine, support_worker, team):
    time_machine.move_to(dt.datetime(2026, 3, 10, 10, 0, tzinfo=LONDON), tick=False)
    check = services.check_in(by=support_worker, team=team, location="12 Elm Road", minutes=45)
    time_machine.move_to(dt.datetime(2026, 3, 10, 10, 30, tzinfo=LONDON), tick=False)
    services.check_out(check=check, by=support_worker)

    time_machine.move_to(dt.datetime(2026, 3, 10, 13, 30, tzinfo=LONDON), tick=False)
    board = selectors.board_for_team(team=team)

    assert board.alerts == []
    assert board.checked_in == []
    assert board.checked_out_today == [check]


def test_the_expected_end_is_real_minutes_later_across_the_autumn_clock_change(
    time_machine, support_worker, team
):
    # 00:30 BST on the night the clocks go back (01:00 GMT comes twice).
    time_machine.move_to(dt.datetime(2025, 10, 26, 0, 30, tzinfo=LONDON), tick=False)
    check = services.check_in(by=support_worker, team=team, location="Night visit", minutes=120)

    assert check.expected_end_at - check.checked_in_at == dt.timedelta(hours=2)
    assert time_short(check.expected_end_at) == "1:30am"  # the second 1:30, in GMT

    # 01:29 GMT (1 hour 59 real minutes later): not yet overdue.
    time_machine.move_to(dt.datetime(2025, 10, 26, 1, 29, tzinfo=dt.UTC), tick=False)
    assert selectors.board_for_team(team=team).alerts == []
    time_machine.move_to(dt.datetime(2025, 10, 26, 1, 31, tzinfo=dt.UTC), tick=False)
    assert selectors.board_for_team(team=team).alerts == [check]


def test_todays_check_outs_are_listed_and_yesterdays_are_not(
    time_machine, support_worker, staff_user, team
):
    time_machine.move_to(dt.datetime(2026, 3, 10, 22, 0, tzinfo=LONDON), tick=False)
    late = services.check_in(by=support_worker, team=team, location="Late visit", minutes=30)
    services.check_out(check=late, by=support_worker)
    time_machine.move_to(dt.datetime(2026, 3, 11, 9, 0, tzinfo=LONDON), tick=False)
    other = staff_user(Role.SUPPORT_WORKER)
    early = services.check_in(by=other, team=team, location="Early visit", minutes=30)
    services.check_out(check=early, by=other)

    board = selectors.board_for_team(team=team)

    assert board.checked_out_today == [early]


# -- The coordinator's action ------------------------------------------------------------------


def test_a_visit_that_is_not_overdue_has_no_alert_to_act_on(checked_in, coordinator):
    with pytest.raises(ValidationError, match="not overdue"):
        services.alert_action_record(
            check=checked_in, action=AlertAction.PHONED_STAFF, by=coordinator
        )


def test_phoning_the_member_of_staff_closes_the_alert_but_not_the_check_in(
    checked_in, coordinator, team
):
    check = make_overdue(checked_in)

    taken = services.alert_action_record(
        check=check, action=AlertAction.PHONED_STAFF, note="Running over, safe", by=coordinator
    )

    assert taken.was_due_at == check.expected_end_at
    board = selectors.board_for_team(team=team)
    assert board.alerts == []
    assert board.checked_in == [check]
    check.refresh_from_db()
    assert check.status == CheckInStatus.CHECKED_IN
    assert AuditEvent.objects.filter(object_id=taken.pk, action=AuditAction.CREATE).exists()


def test_a_second_safe_call_on_a_closed_alert_is_refused(checked_in, coordinator, staff_user):
    check = make_overdue(checked_in)
    services.alert_action_record(check=check, action=AlertAction.PHONED_STAFF, by=coordinator)

    with pytest.raises(ValidationError, match="already recorded"):
        services.alert_action_record(
            check=check,
            action=AlertAction.PHONED_STAFF,
            by=staff_user(Role.TEAM_MANAGER),
        )


def test_extending_needs_a_new_end_within_4_hours(checked_in, coordinator):
    check = make_overdue(checked_in)
    now = timezone.now()

    for new_end, message in [
        (None, "Enter the new time"),
        (now - dt.timedelta(minutes=1), "later than now"),
        (now + dt.timedelta(hours=4, minutes=5), "within 4 hours"),
    ]:
        with pytest.raises(ValidationError) as caught:
            services.alert_action_record(
                check=check,
                action=AlertAction.EXTENDED,
                new_expected_end_at=new_end,
                by=coordinator,
            )
        assert message in caught.value.message_dict["new_end"][0]
    assert not LoneWorkingAlertAction.objects.exists()


def test_extending_moves_the_expected_end_and_the_alert_returns_when_it_passes(
    time_machine, checked_in, coordinator, team
):
    check = make_overdue(checked_in)
    new_end = timezone.now() + dt.timedelta(minutes=30)

    services.alert_action_record(
        check=check, action=AlertAction.EXTENDED, new_expected_end_at=new_end, by=coordinator
    )

    check.refresh_from_db()
    assert check.expected_end_at == new_end
    assert selectors.board_for_team(team=team).alerts == []
    time_machine.move_to(new_end + dt.timedelta(minutes=1), tick=False)
    assert selectors.board_for_team(team=team).alerts == [check]
    assert AuditEvent.objects.filter(
        object_id=check.pk, action=AuditAction.UPDATE, detail__changed=["expected_end_at"]
    ).exists()


def test_a_safe_call_before_an_extension_does_not_close_the_next_alert(
    time_machine, checked_in, coordinator, team
):
    check = make_overdue(checked_in)
    services.alert_action_record(check=check, action=AlertAction.PHONED_STAFF, by=coordinator)
    new_end = timezone.now() + dt.timedelta(minutes=20)
    services.alert_action_record(
        check=check, action=AlertAction.EXTENDED, new_expected_end_at=new_end, by=coordinator
    )

    time_machine.move_to(new_end + dt.timedelta(minutes=5), tick=False)

    assert selectors.board_for_team(team=team).alerts == [check]


@pytest.mark.parametrize("action", [AlertAction.ESCALATED, AlertAction.POLICE])
def test_escalating_needs_a_note_and_keeps_the_alert_until_they_are_safe(
    checked_in, coordinator, team, action
):
    check = make_overdue(checked_in)
    with pytest.raises(ValidationError) as caught:
        services.alert_action_record(check=check, action=action, by=coordinator)
    assert "note" in caught.value.message_dict

    services.alert_action_record(
        check=check, action=action, note="Told the on-call manager, ref 4471", by=coordinator
    )

    assert selectors.board_for_team(team=team).alerts == [check]


def test_checking_out_clears_an_alert(checked_in, support_worker, team):
    check = make_overdue(checked_in)
    assert selectors.board_for_team(team=team).alerts == [check]

    services.check_out(check=check, by=support_worker)

    assert selectors.board_for_team(team=team).alerts == []


def test_no_action_is_recorded_once_they_have_checked_out(checked_in, support_worker, coordinator):
    check = make_overdue(checked_in)
    services.check_out(check=check, by=support_worker)

    with pytest.raises(ValidationError, match="checked out"):
        services.alert_action_record(check=check, action=AlertAction.PHONED_STAFF, by=coordinator)


@pytest.mark.parametrize("role", [Role.SUPPORT_WORKER, Role.ADMINISTRATOR])
def test_only_qualified_staff_record_the_action_taken(checked_in, staff_user, role):
    check = make_overdue(checked_in)

    with pytest.raises(PermissionDenied):
        services.alert_action_record(
            check=check, action=AlertAction.PHONED_STAFF, by=staff_user(role)
        )


def test_a_coordinator_of_another_team_cannot_act_on_the_alert(checked_in, staff_user, other_team):
    check = make_overdue(checked_in)

    with pytest.raises(PermissionDenied):
        services.alert_action_record(
            check=check,
            action=AlertAction.PHONED_STAFF,
            by=staff_user(Role.REGISTERED_PRACTITIONER, in_team=other_team),
        )


# -- The banner's query ------------------------------------------------------------------------


def test_banner_checks_find_the_users_own_check_in_and_their_teams_alerts(
    checked_in, coordinator, support_worker, staff_user, other_team, django_assert_num_queries
):
    check = make_overdue(checked_in)
    outsider = staff_user(Role.REGISTERED_PRACTITIONER, in_team=other_team)

    with django_assert_num_queries(1):
        rows = selectors.banner_checks(user=coordinator, may_respond=True)
    assert [(r.pk, r.team_alert, r.own) for r in rows] == [(check.pk, True, False)]

    rows = selectors.banner_checks(user=support_worker, may_respond=False)
    assert [(r.pk, r.team_alert, r.own) for r in rows] == [(check.pk, False, True)]

    assert selectors.banner_checks(user=outsider, may_respond=True) == []


# -- Presenters ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (1, "1 minute"),
        (45, "45 minutes"),
        (60, "1 hour"),
        (65, "1 hour 5 minutes"),
        (150, "2 hours 30 minutes"),
        (0, "0 minutes"),
    ],
)
def test_minutes_read_as_hours_and_minutes(minutes, text):
    assert presenters.minutes_text(minutes) == text


def test_the_banner_counts_overdue_visits():
    assert presenters.banner_text(1) == "1 lone working visit overdue"
    assert presenters.banner_text(3) == "3 lone working visits overdue"


def test_the_default_location_is_the_persons_home_address(episode, practitioner):
    person = episode.person
    person.address_line_1 = "12 Elm Road"
    person.town = "Leicester"
    person.postcode = "LE2 1AB"
    person.save()
    home = make_visit(episode, by=practitioner)
    base = make_visit(episode, by=practitioner, location=VisitLocation.TEAM_BASE)
    elsewhere = make_visit(
        episode, by=practitioner, location=VisitLocation.OTHER, location_detail="The library"
    )

    assert presenters.default_location(home) == "12 Elm Road, Leicester, LE2 1AB"
    assert presenters.default_location(base) == "Bradgate Unit, Groby Road, Leicester, LE3 9EJ"
    assert presenters.default_location(elsewhere) == "The library"


def test_the_default_duration_is_the_visits_kept_within_the_limits(episode, practitioner):
    assert presenters.default_minutes(make_visit(episode, by=practitioner, minutes=45)) == 45
    assert presenters.default_minutes(make_visit(episode, by=practitioner, minutes=300)) == 240
    assert presenters.default_minutes(make_visit(episode, by=practitioner, minutes=2)) == 5
    assert presenters.default_minutes(None) == 60


def test_a_new_end_time_means_the_next_time_the_clock_shows_it():
    after = dt.datetime(2026, 3, 10, 23, 40, tzinfo=LONDON)

    assert next_occurrence(dt.time(23, 55), after=after) == dt.datetime(
        2026, 3, 10, 23, 55, tzinfo=LONDON
    )
    assert next_occurrence(dt.time(0, 20), after=after) == dt.datetime(
        2026, 3, 11, 0, 20, tzinfo=LONDON
    )


def test_the_reminder_to_check_out_turns_urgent_once_the_time_has_passed():
    end = dt.datetime(2026, 3, 10, 10, 45, tzinfo=LONDON)

    assert presenters.own_check_text("12 Elm Road", end, end - dt.timedelta(minutes=5)) == (
        "You are checked in at 12 Elm Road, due out by 10:45am: check out when you leave"
    )
    assert presenters.own_check_text("12 Elm Road", end, end + dt.timedelta(minutes=5)) == (
        "You were due out of 12 Elm Road by 10:45am: check out now, or phone the shift coordinator"
    )


def test_an_extension_reads_with_its_new_time(checked_in, coordinator):
    check = make_overdue(checked_in)
    new_end = timezone.now() + dt.timedelta(minutes=20)

    taken = services.alert_action_record(
        check=check, action=AlertAction.EXTENDED, new_expected_end_at=new_end, by=coordinator
    )

    assert presenters.action_text(taken) == (
        f"Visit running on: new expected end agreed, now due out by {time_short(new_end)}. "
        f"Recorded by {coordinator} at {time_short(taken.taken_at)}."
    )
