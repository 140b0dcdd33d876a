"""Planning visits: one-off and patterns, staffing them (skills, team, double booking),
moving, cancelling and telling the person. Services first, then the pages."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crisis_care.assessments.models import Assessment, AssessmentStaff, AssessmentStatus
from crisis_care.core.clock import LONDON, local_instant
from crisis_care.core.concurrency import StaleEdit
from crisis_care.core.models import AuditAction, AuditEvent
from crisis_care.core.roles import Role
from crisis_care.core.testing import page_text
from crisis_care.nonprod import factories
from crisis_care.treatment.models import Visit, VisitStaff, VisitStatus
from crisis_care.treatment.services import visits as services
from crisis_care.treatment.services.visits import PatternPhase, VisitDetails
from crisis_care.workforce.models import Profession

pytestmark = pytest.mark.django_db

# A Tuesday in winter (London is on GMT); the clocks go forward on Sunday 29 March 2026.
NOW = dt.datetime(2026, 3, 3, 8, 0, tzinfo=LONDON)
TODAY = NOW.date()
TOMORROW = TODAY + dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def morning(time_machine):
    time_machine.move_to(NOW)


@pytest.fixture
def support_worker(staff_user):
    return staff_user(Role.SUPPORT_WORKER)


@pytest.fixture
def nurse(staff_user):
    return staff_user(Role.REGISTERED_PRACTITIONER)


@pytest.fixture
def other(make_episode, staff_user):
    """Another person's episode in the same team (assessed by someone else)."""
    return make_episode(
        person=factories.PersonFactory(), by=staff_user(Role.REGISTERED_PRACTITIONER)
    )


def plan(episode, by, *, day=TOMORROW, start=(9, 30), end=(10, 30), staff=(), **details):
    return services.visit_plan(
        episode=episode,
        window_start=local_instant(day, dt.time(*start)),
        window_end=local_instant(day, dt.time(*end)),
        details=VisitDetails(**details),
        staff=[user.staff for user in staff],
        by=by,
    )


def messages_of(error) -> str:
    return " ".join(error.value.messages)


# -- Planning one visit ------------------------------------------------------------------


def test_it_plans_a_visit_at_home_with_its_status_history_and_an_audit_row(episode, practitioner):
    visit = plan(episode, practitioner, purpose="Medication review")

    assert visit.status == VisitStatus.PLANNED
    assert visit.location == "home"
    assert visit.window_start == dt.datetime(2026, 3, 4, 9, 30, tzinfo=dt.UTC)
    assert [c.status for c in visit.status_history.all()] == ["planned"]
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_id=visit.pk, person_id=episode.person_id
    ).exists()


def test_it_refuses_a_window_longer_than_an_hour(episode, practitioner):
    with pytest.raises(services.ValidationError) as error:
        plan(episode, practitioner, start=(9, 30), end=(10, 45))
    assert "at most an hour" in messages_of(error)
    assert not Visit.objects.exists()


def test_it_accepts_a_window_of_exactly_an_hour(episode, practitioner):
    assert plan(episode, practitioner, start=(9, 30), end=(10, 30)).pk


def test_it_refuses_a_window_that_ends_before_it_starts(episode, practitioner):
    with pytest.raises(services.ValidationError) as error:
        plan(episode, practitioner, start=(10, 0), end=(9, 30))
    assert "must end after it starts" in messages_of(error)


def test_it_refuses_a_window_that_has_already_passed(episode, practitioner):
    with pytest.raises(services.ValidationError) as error:
        plan(episode, practitioner, day=TODAY, start=(6, 0), end=(7, 0))
    assert "already passed" in messages_of(error)


def test_it_needs_to_know_where_when_the_visit_is_somewhere_else(episode, practitioner):
    with pytest.raises(services.ValidationError) as error:
        plan(episode, practitioner, location="other")
    assert error.value.message_dict == {"location_detail": ["Enter where the visit will be"]}

    visit = plan(episode, practitioner, location="other", location_detail="Sister's, 4 Mill Lane")
    assert visit.location_detail == "Sister's, 4 Mill Lane"


def test_it_requires_two_staff_when_the_person_needs_paired_visits(episode, practitioner):
    episode.paired_visits_required = True
    episode.save()

    with pytest.raises(services.ValidationError) as error:
        plan(episode, practitioner, staff_needed=1)
    assert "paired visits" in messages_of(error)
    assert plan(episode, practitioner, staff_needed=2).staff_needed == 2


def test_it_refuses_a_prescriber_and_a_psychologist_on_a_one_person_visit(episode, practitioner):
    with pytest.raises(services.ValidationError) as error:
        plan(episode, practitioner, needs=frozenset({"prescriber", "psychologist"}))
    assert "needs two staff" in messages_of(error)


def test_it_plans_and_staffs_a_visit_with_a_support_worker_named_first(
    episode, practitioner, support_worker, nurse
):
    visit = plan(
        episode,
        practitioner,
        staff_needed=2,
        needs=frozenset({"registered_practitioner"}),
        staff=[support_worker, nurse],
    )

    assert {link.staff_id for link in visit.staff_links.all()} == {
        support_worker.staff.pk,
        nurse.staff.pk,
    }


# -- Staffing ----------------------------------------------------------------------------


def test_it_refuses_staff_from_another_team(episode, practitioner, staff_user, other_team):
    outsider = staff_user(Role.REGISTERED_PRACTITIONER, in_team=other_team)
    visit = plan(episode, practitioner)

    with pytest.raises(services.ValidationError) as error:
        services.visit_assign(visit=visit, staff=outsider.staff, by=practitioner)
    assert "is not in" in messages_of(error)
    assert not VisitStaff.objects.exists()


def test_it_refuses_a_support_worker_alone_on_a_visit_that_needs_a_practitioner(
    episode, practitioner, support_worker
):
    visit = plan(episode, practitioner, needs=frozenset({"registered_practitioner"}))

    with pytest.raises(services.ValidationError) as error:
        services.visit_assign(visit=visit, staff=support_worker.staff, by=practitioner)
    assert "needs a registered practitioner" in messages_of(error)


def test_it_refuses_two_support_workers_on_a_visit_that_needs_a_practitioner(
    episode, practitioner, support_worker, staff_user
):
    visit = plan(
        episode, practitioner, staff_needed=2, needs=frozenset({"registered_practitioner"})
    )
    services.visit_assign(visit=visit, staff=support_worker.staff, by=practitioner)

    second = staff_user(Role.SUPPORT_WORKER)
    with pytest.raises(services.ValidationError) as error:
        services.visit_assign(visit=visit, staff=second.staff, by=practitioner)
    assert "would fill the last place" in messages_of(error)
    services.visit_assign(visit=visit, staff=practitioner.staff, by=practitioner)
    assert visit.staff_links.count() == 2


def test_a_lapsed_registration_does_not_count_as_a_registered_practitioner(
    episode, practitioner, nurse
):
    nurse.staff.registrations.update(expires_on=TODAY - dt.timedelta(days=1))
    visit = plan(episode, practitioner, needs=frozenset({"registered_practitioner"}))

    with pytest.raises(services.ValidationError):
        services.visit_assign(visit=visit, staff=nurse.staff, by=practitioner)


def test_a_visit_needing_a_prescriber_takes_a_psychiatrist_but_not_a_nurse(
    episode, practitioner, nurse, staff_user
):
    doctor = staff_user(Role.DOCTOR)
    visit = plan(episode, practitioner, needs=frozenset({"prescriber"}))

    with pytest.raises(services.ValidationError) as error:
        services.visit_assign(visit=visit, staff=nurse.staff, by=practitioner)
    assert "needs a prescriber" in messages_of(error)
    services.visit_assign(visit=visit, staff=doctor.staff, by=practitioner)
    assert doctor.staff.profession == Profession.PSYCHIATRIST


def test_a_visit_needing_a_psychologist_refuses_anyone_else(episode, practitioner, staff_user):
    psychologist = staff_user(Role.PSYCHOLOGIST)
    visit = plan(episode, practitioner, needs=frozenset({"psychologist"}))

    with pytest.raises(services.ValidationError) as error:
        services.visit_assign(visit=visit, staff=practitioner.staff, by=practitioner)
    assert "needs a psychologist" in messages_of(error)
    services.visit_assign(visit=visit, staff=psychologist.staff, by=practitioner)


def test_it_refuses_more_staff_than_the_visit_needs(episode, practitioner, nurse):
    visit = plan(episode, practitioner, staff=[practitioner])

    with pytest.raises(services.ValidationError) as error:
        services.visit_assign(visit=visit, staff=nurse.staff, by=practitioner)
    assert "already has the member of staff it needs" in messages_of(error)


def test_it_refuses_a_double_booking_of_overlapping_visits(episode, other, practitioner, nurse):
    plan(episode, practitioner, start=(9, 30), end=(10, 30), staff=[nurse])
    clashing = plan(other, practitioner, start=(10, 0), end=(11, 0))

    with pytest.raises(services.ValidationError) as error:
        services.visit_assign(visit=clashing, staff=nurse.staff, by=practitioner)
    assert "already booked for a visit from 9:30am to 10:30am on 4 March 2026" in messages_of(error)


def test_back_to_back_windows_are_not_a_double_booking(episode, other, practitioner, nurse):
    plan(episode, practitioner, start=(9, 30), end=(10, 30), staff=[nurse])
    next_visit = plan(other, practitioner, start=(10, 30), end=(11, 30))

    services.visit_assign(visit=next_visit, staff=nurse.staff, by=practitioner)


def test_a_cancelled_visit_frees_the_staff(episode, other, practitioner, nurse):
    first = plan(episode, practitioner, staff=[nurse])
    services.visit_cancel(
        visit=first, by_whom="cancelled_by_person", reason="At the GP", by=practitioner
    )
    second = plan(other, practitioner)

    services.visit_assign(visit=second, staff=nurse.staff, by=practitioner)


def test_it_refuses_a_visit_during_the_staff_members_assessment(episode, practitioner, nurse):
    assessment = Assessment.objects.get(pk=episode.decision.assessment_id)
    assessment.starts_at = local_instant(TOMORROW, dt.time(9, 0))
    assessment.ends_at = local_instant(TOMORROW, dt.time(10, 30))
    assessment.status = AssessmentStatus.BOOKED
    assessment.save()
    AssessmentStaff.objects.create(
        assessment=assessment, staff=nurse.staff, registered_practitioner=True
    )
    visit = plan(episode, practitioner)

    with pytest.raises(services.ValidationError) as error:
        services.visit_assign(visit=visit, staff=nurse.staff, by=practitioner)
    assert "booked for an assessment from 9am" in messages_of(error)


def test_assigning_locks_the_staff_row_before_checking_for_clashes(episode, practitioner, nurse):
    visit = plan(episode, practitioner)

    with CaptureQueriesContext(connection) as queries:
        services.visit_assign(visit=visit, staff=nurse.staff, by=practitioner)

    sql = [q["sql"] for q in queries.captured_queries]
    lock = next(
        i
        for i, s in enumerate(sql)
        if 'FROM "workforce_staffmember"' in s and "ORDER BY" in s and "IN (" in s
    )
    clash = next(
        i
        for i, s in enumerate(sql)
        if 'FROM "treatment_visit"' in s and "window_start" in s and "<" in s
    )
    assert lock < clash
    if connection.features.has_select_for_update:
        assert "FOR UPDATE" in sql[lock]


def test_it_unassigns_and_audits(episode, practitioner, nurse):
    visit = plan(episode, practitioner, staff=[nurse])

    services.visit_unassign(visit=visit, staff=nurse.staff, by=practitioner)

    assert not visit.staff_links.exists()
    assert AuditEvent.objects.filter(
        object_id=visit.pk, action=AuditAction.UPDATE, detail__unassigned=str(nurse.staff.pk)
    ).exists()


# -- Cancelling, moving, telling the person ----------------------------------------------


def test_it_cancels_a_visit_keeping_who_and_why_in_its_history(episode, practitioner):
    visit = plan(episode, practitioner)

    services.visit_cancel(
        visit=visit, by_whom="cancelled_by_team", reason="Staff off sick", by=practitioner
    )

    visit.refresh_from_db()
    assert visit.status == VisitStatus.CANCELLED_BY_TEAM
    last = visit.status_history.last()
    assert (last.status, last.note, last.changed_by) == (
        "cancelled_by_team",
        "Staff off sick",
        practitioner,
    )


def test_it_refuses_to_cancel_without_a_reason_or_twice(episode, practitioner):
    visit = plan(episode, practitioner)
    with pytest.raises(services.ValidationError):
        services.visit_cancel(visit=visit, by_whom="cancelled_by_team", reason=" ", by=practitioner)
    services.visit_cancel(visit=visit, by_whom="cancelled_by_team", reason="Sick", by=practitioner)
    with pytest.raises(services.ValidationError) as error:
        services.visit_cancel(
            visit=visit, by_whom="cancelled_by_team", reason="Again", by=practitioner
        )
    assert "Only a planned visit" in messages_of(error)


def test_moving_a_visit_checks_its_version_and_clears_person_told(episode, practitioner):
    visit = plan(episode, practitioner)
    visit = services.visit_person_told(visit=visit, by=practitioner)
    assert visit.person_told_at is not None

    moved = services.visit_move(
        visit=visit,
        window_start=local_instant(TOMORROW, dt.time(14, 0)),
        window_end=local_instant(TOMORROW, dt.time(15, 0)),
        expected_version=visit.version,
        by=practitioner,
    )

    assert moved.person_told_at is None
    with pytest.raises(StaleEdit):
        services.visit_move(
            visit=moved,
            window_start=local_instant(TOMORROW, dt.time(16, 0)),
            window_end=local_instant(TOMORROW, dt.time(17, 0)),
            expected_version=visit.version,
            by=practitioner,
        )


def test_moving_a_visit_refuses_a_clash_for_its_staff(episode, other, practitioner, nurse):
    plan(other, practitioner, start=(14, 0), end=(15, 0), staff=[nurse])
    visit = plan(episode, practitioner, staff=[nurse])

    with pytest.raises(services.ValidationError) as error:
        services.visit_move(
            visit=visit,
            window_start=local_instant(TOMORROW, dt.time(14, 30)),
            window_end=local_instant(TOMORROW, dt.time(15, 30)),
            expected_version=visit.version,
            by=practitioner,
        )
    assert "already booked" in messages_of(error)


# -- Patterns ----------------------------------------------------------------------------


def test_a_pattern_visits_twice_a_day_then_daily_then_every_other_day():
    windows = services.pattern_windows(
        start_on=TOMORROW,
        phases=[
            PatternPhase(days=3, per_day=2),
            PatternPhase(days=4, per_day=1),
            PatternPhase(days=7, every=2),
        ],
        window_minutes=60,
    )

    local = [w[0].astimezone(LONDON) for w in windows]
    assert len(windows) == 6 + 4 + 4
    assert [t.strftime("%d %H:%M") for t in local[:3]] == ["04 09:30", "04 16:00", "05 09:30"]
    assert [t.day for t in local[10:]] == [11, 13, 15, 17]
    assert all(end - start == dt.timedelta(hours=1) for start, end in windows)


def test_a_pattern_keeps_london_times_across_the_clock_changes():
    spring = services.pattern_windows(
        start_on=dt.date(2026, 3, 28), phases=[PatternPhase(days=3)], window_minutes=60
    )
    autumn = services.pattern_windows(
        start_on=dt.date(2026, 10, 24), phases=[PatternPhase(days=3)], window_minutes=45
    )

    assert [s.astimezone(dt.UTC).hour for s, _ in spring] == [9, 8, 8]
    assert [s.astimezone(dt.UTC).hour for s, _ in autumn] == [8, 9, 9]
    assert {s.astimezone(LONDON).strftime("%H:%M") for s, _ in spring + autumn} == {"09:30"}
    assert all(e - s == dt.timedelta(minutes=45) for s, e in autumn)


def test_a_pattern_uses_the_times_given_and_refuses_overlapping_ones():
    windows = services.pattern_windows(
        start_on=TOMORROW,
        phases=[PatternPhase(days=1, per_day=3, times=(dt.time(8), dt.time(12), dt.time(20)))],
        window_minutes=60,
    )
    assert [s.astimezone(LONDON).hour for s, _ in windows] == [8, 12, 20]

    with pytest.raises(services.ValidationError) as error:
        services.pattern_windows(
            start_on=TOMORROW,
            phases=[PatternPhase(days=1, per_day=2, times=(dt.time(9), dt.time(9, 30)))],
            window_minutes=60,
        )
    assert "each window ending before the next" in messages_of(error)


def test_a_pattern_covers_at_most_42_days():
    with pytest.raises(services.ValidationError) as error:
        services.pattern_windows(
            start_on=TOMORROW,
            phases=[PatternPhase(days=30), PatternPhase(days=13, every=2)],
            window_minutes=60,
        )
    assert "at most 42 days" in messages_of(error)


def test_a_pattern_creates_every_visit_sharing_one_pattern_id(episode, practitioner):
    visits = services.visit_pattern_create(
        episode=episode,
        start_on=TOMORROW,
        phases=[PatternPhase(days=3, per_day=2), PatternPhase(days=4)],
        window_minutes=60,
        details=VisitDetails(needs=frozenset({"registered_practitioner"})),
        by=practitioner,
    )

    saved = list(Visit.objects.filter(episode=episode))
    assert len(saved) == len(visits) == 10
    assert len({v.pattern_id for v in saved}) == 1 and saved[0].pattern_id is not None
    assert all(v.needs_registered_practitioner and v.status == "planned" for v in saved)
    assert all(v.status_history.count() == 1 for v in saved)
    assert (
        AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="treatment.Visit").count()
        == 10
    )


def test_a_pattern_creates_nothing_when_any_window_has_passed(episode, practitioner):
    with pytest.raises(services.ValidationError):
        services.visit_pattern_create(
            episode=episode,
            start_on=TODAY,
            phases=[PatternPhase(days=2, per_day=1, times=(dt.time(7),))],
            window_minutes=30,
            details=VisitDetails(),
            by=practitioner,
        )
    assert not Visit.objects.exists()


def test_a_pattern_for_paired_visits_needs_two_staff(episode, practitioner):
    episode.paired_visits_required = True
    episode.save()
    with pytest.raises(services.ValidationError):
        services.visit_pattern_preview(
            episode=episode,
            start_on=TOMORROW,
            phases=[PatternPhase(days=2)],
            window_minutes=60,
            details=VisitDetails(staff_needed=1),
        )


# -- The pages ---------------------------------------------------------------------------


def plan_data(**extra):
    data = {
        "date[day]": str(TOMORROW.day),
        "date[month]": str(TOMORROW.month),
        "date[year]": str(TOMORROW.year),
        "window_start": "09:30",
        "window_end": "10:30",
        "location": "home",
        "location_detail": "",
        "staff_needed": "1",
        "expected_minutes": "45",
        "purpose": "",
        "staff_1": "",
        "staff_2": "",
    }
    data.update(extra)
    return data


def test_the_plan_page_plans_a_visit_and_goes_to_it(signed_in, practitioner, episode, nurse):
    response = signed_in(practitioner).post(
        reverse("treatment:visit_plan", args=[episode.pk]),
        plan_data(staff_1=str(nurse.staff.pk), needs=["registered_practitioner"]),
        follow=True,
    )

    visit = Visit.objects.get(episode=episode)
    assert response.redirect_chain[-1][0] == reverse("treatment:visit", args=[visit.pk])
    text = page_text(response)
    assert "Visit planned for 4 March 2026, 9:30am to 10:30am." in text
    assert list(visit.staff.all()) == [nurse.staff]


def test_the_plan_page_shows_a_long_window_against_the_field_and_keeps_what_was_typed(
    signed_in, practitioner, episode
):
    response = signed_in(practitioner).post(
        reverse("treatment:visit_plan", args=[episode.pk]),
        plan_data(window_end="11:00", purpose="Benefits form"),
    )

    text = page_text(response)
    assert "There is a problem" in text
    assert 'href="#id_window_end"' in response.text
    assert "at most an hour long" in text
    assert 'value="Benefits form"' in response.text
    assert not Visit.objects.exists()


def test_the_plan_page_shows_a_double_booking_against_the_staff_list(
    signed_in, practitioner, episode, other, nurse
):
    plan(other, practitioner, staff=[nurse])

    response = signed_in(practitioner).post(
        reverse("treatment:visit_plan", args=[episode.pk]),
        plan_data(staff_1=str(nurse.staff.pk)),
    )

    assert 'href="#id_staff_1"' in response.text
    assert "already booked for a visit" in page_text(response)
    assert Visit.objects.filter(episode=episode).count() == 0


def pattern_data(**extra):
    data = {
        "start_on[day]": str(TOMORROW.day),
        "start_on[month]": str(TOMORROW.month),
        "start_on[year]": str(TOMORROW.year),
        "window_minutes": "60",
        "phase_1_days": "3",
        "phase_1_frequency": "2",
        "phase_1_times": "",
        "phase_2_days": "4",
        "phase_2_frequency": "1",
        "phase_2_times": "10:00",
        "location": "home",
        "staff_needed": "1",
        "expected_minutes": "45",
    }
    data.update(extra)
    return data


def test_the_pattern_page_previews_every_visit_then_creates_them_on_confirm(
    signed_in, practitioner, episode
):
    client = signed_in(practitioner)
    url = reverse("treatment:visit_pattern", args=[episode.pk])

    preview = client.post(url, {**pattern_data(), "action": "preview"})
    text = page_text(preview)
    assert "10 visits from 4 March 2026 to 10 March 2026" in text
    assert "Tomorrow, Wednesday 4 March 2026" in text
    assert "9:30am to 10:30am" in text and "4pm to 5pm" in text and "10am to 11am" in text
    assert not Visit.objects.exists()

    created = client.post(url, {**pattern_data(), "action": "confirm"}, follow=True)
    assert created.redirect_chain[-1][0] == reverse("treatment:episode_visits", args=[episode.pk])
    assert Visit.objects.filter(episode=episode).count() == 10
    assert "10 visits from 4 March 2026 to 10 March 2026 planned" in page_text(created)


def test_the_pattern_page_changes_the_pattern_without_creating_anything(
    signed_in, practitioner, episode
):
    response = signed_in(practitioner).post(
        reverse("treatment:visit_pattern", args=[episode.pk]),
        {**pattern_data(phase_1_days="5"), "action": "change"},
    )

    assert "Plan a pattern of visits" in page_text(response)
    assert 'value="5"' in response.text
    assert not Visit.objects.exists()


def test_the_pattern_page_refuses_more_than_six_weeks(signed_in, practitioner, episode):
    response = signed_in(practitioner).post(
        reverse("treatment:visit_pattern", args=[episode.pk]),
        {**pattern_data(phase_1_days="40", phase_2_days="7"), "action": "preview"},
    )

    assert "at most 42 days" in page_text(response)
    assert 'href="#id_phase_1_days"' in response.text


def test_the_pattern_page_asks_for_times_matching_the_frequency(signed_in, practitioner, episode):
    response = signed_in(practitioner).post(
        reverse("treatment:visit_pattern", args=[episode.pk]),
        {**pattern_data(phase_1_times="09:00"), "action": "preview"},
    )

    assert "Enter 2 start times for twice a day" in page_text(response)


def test_the_visit_page_assigns_staff_and_shows_the_practitioner_rule(
    signed_in, practitioner, episode, support_worker
):
    visit = plan(episode, practitioner, needs=frozenset({"registered_practitioner"}))
    client = signed_in(practitioner)

    page = client.get(reverse("treatment:visit", args=[visit.pk]))
    assert "Needs a registered practitioner" in page_text(page)

    refused = client.post(
        reverse("treatment:visit_assign", args=[visit.pk]), {"staff": str(support_worker.staff.pk)}
    )
    assert "There is a problem" in page_text(refused)
    assert "needs a registered practitioner" in page_text(refused)

    done = client.post(
        reverse("treatment:visit_assign", args=[visit.pk]),
        {"staff": str(practitioner.staff.pk)},
        follow=True,
    )
    assert f"{practitioner.staff} assigned to the visit." in page_text(done)
    assert list(visit.staff.all()) == [practitioner.staff]

    client.post(
        reverse("treatment:visit_unassign", args=[visit.pk]), {"staff": str(practitioner.staff.pk)}
    )
    assert not visit.staff.exists()


def test_the_move_page_keeps_the_new_time_when_someone_moved_it_first(
    signed_in, practitioner, episode
):
    visit = plan(episode, practitioner)
    services.visit_move(
        visit=visit,
        window_start=local_instant(TOMORROW, dt.time(12, 0)),
        window_end=local_instant(TOMORROW, dt.time(13, 0)),
        expected_version=visit.version,
        by=practitioner,
    )

    response = signed_in(practitioner).post(
        reverse("treatment:visit_move", args=[visit.pk]),
        plan_data(window_start="15:00", window_end="16:00", version=str(visit.version)),
    )

    text = page_text(response)
    assert "Someone else changed this record" in text
    assert "Someone else moved this visit to 4 March 2026, midday to 1pm" in text
    assert 'value="15:00"' in response.text
    visit.refresh_from_db()
    assert visit.window_start == local_instant(TOMORROW, dt.time(12, 0))


def test_the_cancel_and_person_told_pages_record_their_changes(signed_in, practitioner, episode):
    visit = plan(episode, practitioner)
    client = signed_in(practitioner)

    client.post(reverse("treatment:visit_person_told", args=[visit.pk]))
    visit.refresh_from_db()
    assert visit.person_told_at is not None

    missing = client.post(
        reverse("treatment:visit_cancel", args=[visit.pk]), {"by_whom": "cancelled_by_person"}
    )
    assert "Enter why the visit is cancelled" in page_text(missing)
    client.post(
        reverse("treatment:visit_cancel", args=[visit.pk]),
        {"by_whom": "cancelled_by_person", "reason": "Staying with her sister"},
    )
    visit.refresh_from_db()
    assert visit.status == VisitStatus.CANCELLED_BY_PERSON


def test_the_episode_visits_page_lists_visits_by_london_day_and_audits_the_view(
    signed_in, practitioner, episode, nurse
):
    plan(episode, practitioner, staff=[nurse], needs=frozenset({"registered_practitioner"}))
    plan(episode, practitioner, day=TOMORROW + dt.timedelta(days=1), start=(16, 0), end=(17, 0))

    response = signed_in(practitioner).get(reverse("treatment:episode_visits", args=[episode.pk]))

    text = page_text(response)
    assert "Tomorrow, Wednesday 4 March 2026" in text
    assert "Thursday 5 March 2026" in text
    assert f"{nurse.staff}" in text
    assert "No staff assigned yet (1 needed)" in text
    assert "Needs a registered practitioner" in text
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, person_id=episode.person_id, section="visits"
    ).exists()


@pytest.mark.parametrize(
    "name", ["treatment:episode_visits", "treatment:visit_plan", "treatment:visit_pattern"]
)
def test_another_teams_episode_is_refused_and_the_refusal_audited(
    name, signed_in, staff_user, other_team, episode
):
    outsider = staff_user(Role.REGISTERED_PRACTITIONER, in_team=other_team)

    response = signed_in(outsider).get(reverse(name, args=[episode.pk]))

    assert response.status_code == 403
    assert AuditEvent.objects.filter(
        actor=outsider, action=AuditAction.ACCESS_DENIED, object_id=episode.pk
    ).exists()


def test_another_teams_visit_is_refused_and_the_refusal_audited(
    signed_in, staff_user, other_team, episode, practitioner
):
    visit = plan(episode, practitioner)
    outsider = staff_user(Role.REGISTERED_PRACTITIONER, in_team=other_team)

    for name in ("treatment:visit", "treatment:visit_cancel", "treatment:visit_move"):
        assert signed_in(outsider).get(reverse(name, args=[visit.pk])).status_code == 403
    response = signed_in(outsider).post(
        reverse("treatment:visit_assign", args=[visit.pk]), {"staff": str(outsider.staff.pk)}
    )
    assert response.status_code == 403
    assert (
        AuditEvent.objects.filter(
            actor=outsider, action=AuditAction.ACCESS_DENIED, object_id=visit.pk
        ).count()
        == 4
    )
    assert not visit.staff.exists()


def test_an_auditor_cannot_see_visits_and_an_administrator_cannot_record_one(
    signed_in, staff_user, episode, practitioner
):
    visit = plan(episode, practitioner)
    auditor = staff_user(Role.IG_AUDITOR)
    clerk = staff_user(Role.ADMINISTRATOR)

    assert (
        signed_in(auditor).get(reverse("treatment:episode_visits", args=[episode.pk])).status_code
        == 403
    )
    # Clerical staff book visits, but do not go on them.
    assert (
        signed_in(clerk).get(reverse("treatment:visit_plan", args=[episode.pk])).status_code == 200
    )
    assert (
        signed_in(clerk).get(reverse("treatment:contact_record", args=[visit.pk])).status_code
        == 403
    )
    assert signed_in(clerk).get(reverse("treatment:my_visits")).status_code == 403


def test_a_missing_visit_is_not_found(signed_in, practitioner):
    response = signed_in(practitioner).get(
        reverse("treatment:visit", args=["00000000-0000-0000-0000-000000000000"])
    )
    assert response.status_code == 404
