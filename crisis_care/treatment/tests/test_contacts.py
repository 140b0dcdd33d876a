"""Recording a contact (at a planned visit or unplanned) and writing up its note."""

import datetime as dt

import pytest
from django.urls import reverse

from crisis_care.core.clock import LONDON, local_instant
from crisis_care.core.concurrency import StaleEdit
from crisis_care.core.models import AuditAction, AuditEvent
from crisis_care.core.roles import Role
from crisis_care.core.testing import page_text
from crisis_care.nonprod import factories
from crisis_care.treatment.models import CareContact, CarePlan, Goal, Intervention, VisitStatus
from crisis_care.treatment.presenters import visits as presenters
from crisis_care.treatment.services import contacts as services
from crisis_care.treatment.services import visits as visit_services
from crisis_care.treatment.services.visits import VisitDetails

pytestmark = pytest.mark.django_db

# The visit's window is 9:30am to 10:30am London on Tuesday 3 March 2026; it is now 11am.
DAY = dt.date(2026, 3, 3)
NOW = dt.datetime(2026, 3, 3, 11, 0, tzinfo=LONDON)


def at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return local_instant(day, dt.time(hour, minute))


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 3, 7, 0, tzinfo=LONDON), tick=False)
    return time_machine


@pytest.fixture
def support_worker(staff_user):
    return staff_user(Role.SUPPORT_WORKER)


@pytest.fixture
def visit(clock, episode, practitioner, support_worker):
    """Planned at 7am for 9:30am to 10:30am, with the practitioner and a support worker."""
    planned = visit_services.visit_plan(
        episode=episode,
        window_start=at(9, 30),
        window_end=at(10, 30),
        details=VisitDetails(staff_needed=2),
        staff=[practitioner.staff, support_worker.staff],
        by=practitioner,
    )
    clock.move_to(NOW, tick=False)
    return planned


def record(visit, by, *, start=(9, 40), end=(10, 25), **kwargs):
    fields = {
        "episode": visit.episode if visit else kwargs.pop("episode"),
        "visit": visit,
        "started_at": at(*start),
        "ended_at": at(*end),
        "medium": "01",
        "location": "home",
        "attendance": "attended",
        "staff": [by.staff],
        "by": by,
    }
    fields.update(kwargs)
    return services.contact_record(**fields)


def messages_of(error) -> str:
    return " ".join(error.value.messages)


# -- The rules ---------------------------------------------------------------------------


def test_it_records_a_contact_and_the_visit_is_seen(visit, practitioner):
    contact = record(visit, practitioner, note="Slept better. Walked the dog.")

    visit.refresh_from_db()
    assert visit.status == VisitStatus.ATTENDED
    assert [c.status for c in visit.status_history.all()] == ["planned", "attended"]
    assert contact.minutes_outside_window is None
    assert contact.phoned_about_lateness is None
    assert contact.note_written_at == NOW
    assert presenters.contact_duration(contact) == "45 minutes"
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_id=contact.pk, person_id=visit.episode.person_id
    ).exists()


@pytest.mark.parametrize(
    "attendance", ["not_at_home", "declined", "cancelled_by_person", "cancelled_by_team"]
)
def test_the_visit_status_follows_the_attendance(visit, practitioner, attendance):
    record(visit, practitioner, attendance=attendance)

    visit.refresh_from_db()
    assert visit.status == attendance
    assert visit.status_history.last().status == attendance


def test_it_refuses_a_contact_that_ends_before_it_starts(visit, practitioner):
    with pytest.raises(services.ValidationError) as error:
        record(visit, practitioner, start=(10, 0), end=(9, 50))
    assert error.value.message_dict == {"ended_at": ["The end time must be after the start time"]}
    assert not CareContact.objects.exists()


def test_it_refuses_a_contact_that_starts_or_ends_in_the_future(visit, practitioner):
    with pytest.raises(services.ValidationError) as error:
        record(visit, practitioner, start=(10, 30), end=(11, 30))
    assert error.value.message_dict == {"ended_at": ["The end time must be now or in the past"]}
    with pytest.raises(services.ValidationError) as error:
        record(visit, practitioner, start=(11, 5), end=(11, 30))
    assert "The start time must be now or in the past" in messages_of(error)


def test_it_records_at_most_one_contact_per_visit(visit, practitioner):
    record(visit, practitioner)
    with pytest.raises(services.ValidationError) as error:
        record(visit, practitioner)
    assert "already been recorded" in messages_of(error)
    assert CareContact.objects.count() == 1


def test_a_cancelled_visit_takes_no_contact(visit, practitioner):
    visit_services.visit_cancel(
        visit=visit, by_whom="cancelled_by_team", reason="Sick", by=practitioner
    )
    with pytest.raises(services.ValidationError) as error:
        record(visit, practitioner)
    assert "Record an unplanned contact instead" in messages_of(error)


@pytest.mark.parametrize(
    ("start", "minutes"),
    [((9, 30), None), ((10, 30), None), ((9, 10), -20), ((10, 40), 10), ((10, 50), 20)],
)
def test_it_measures_the_arrival_against_the_window(visit, practitioner, start, minutes):
    contact = record(visit, practitioner, start=start, end=(10, 55), phoned_about_lateness=True)
    assert contact.minutes_outside_window == minutes


def test_more_than_15_minutes_late_needs_the_phone_call_answered(visit, practitioner):
    with pytest.raises(services.ValidationError) as error:
        record(visit, practitioner, start=(10, 46), end=(10, 58))
    assert "phoned the person to say you were running late" in messages_of(error)

    contact = record(visit, practitioner, start=(10, 46), end=(10, 58), phoned_about_lateness=False)
    assert (contact.minutes_outside_window, contact.phoned_about_lateness) == (16, False)
    assert {"text": "Late: person not phoned", "classes": "nhsuk-tag--red"} in (
        presenters.contact_flags(contact, DAY)
    )


def test_15_minutes_late_does_not_ask_about_a_call(visit, practitioner):
    contact = record(visit, practitioner, start=(10, 45), end=(10, 58))
    assert (contact.minutes_outside_window, contact.phoned_about_lateness) == (15, None)


def test_a_phone_call_has_no_place_and_a_cancellation_no_arrival(visit, practitioner):
    contact = record(
        visit,
        practitioner,
        medium="02",
        attendance="cancelled_by_person",
        start=(10, 50),
        end=(10, 55),
    )
    assert (contact.location, contact.minutes_outside_window) == ("", None)


def test_it_needs_someone_from_the_team_there(visit, practitioner, staff_user, other_team):
    with pytest.raises(services.ValidationError) as error:
        record(visit, practitioner, staff=[])
    assert "Select who was there" in messages_of(error)
    outsider = staff_user(Role.REGISTERED_PRACTITIONER, in_team=other_team)
    with pytest.raises(services.ValidationError) as error:
        record(visit, practitioner, staff=[outsider.staff])
    assert "is not in" in messages_of(error)


def test_it_refuses_goals_from_another_persons_plan(visit, practitioner, make_episode, staff_user):
    other = make_episode(
        person=factories.PersonFactory(), by=staff_user(Role.REGISTERED_PRACTITIONER)
    )
    plan = CarePlan.objects.create(episode=other, created_by=practitioner)
    goal = Goal.objects.create(care_plan=plan, need="Sleep", goal="Sleep", created_by=practitioner)
    with pytest.raises(services.ValidationError) as error:
        record(visit, practitioner, goals=[goal])
    assert "this person's care plan" in messages_of(error)


def test_it_records_an_unplanned_contact_with_no_window(clock, episode, practitioner):
    clock.move_to(NOW, tick=False)
    contact = record(None, practitioner, episode=episode, medium="02", start=(10, 0), end=(10, 20))

    assert contact.visit is None
    assert contact.minutes_outside_window is None


def test_a_note_written_up_the_next_day_is_flagged_late(visit, practitioner, clock):
    contact = record(visit, practitioner)
    opened_at_version = contact.version
    assert contact.note_written_at is None
    assert {"text": "Note to write up", "classes": "nhsuk-tag--yellow"} in presenters.contact_flags(
        contact, DAY
    )

    clock.move_to(dt.datetime(2026, 3, 4, 0, 10, tzinfo=LONDON), tick=False)
    written = services.contact_write_up(
        contact=contact, note="Seen at home.", expected_version=contact.version, by=practitioner
    )

    assert presenters.written_up_late(written)
    assert presenters.contact_flags(written, DAY + dt.timedelta(days=1))[0]["text"] == (
        "Written up late"
    )
    with pytest.raises(StaleEdit):
        services.contact_write_up(
            contact=contact, note="Mine", expected_version=opened_at_version, by=practitioner
        )


def test_revising_a_note_keeps_when_it_was_first_written(visit, practitioner, clock):
    contact = record(visit, practitioner, note="Seen.")
    clock.move_to(dt.datetime(2026, 3, 5, 9, 0, tzinfo=LONDON), tick=False)

    revised = services.contact_write_up(
        contact=contact,
        note="Seen. Talked about work.",
        expected_version=contact.version,
        by=practitioner,
    )
    assert revised.note_written_at == NOW
    assert not presenters.written_up_late(revised)


# -- The pages ---------------------------------------------------------------------------


def form_data(**extra):
    data = {
        "attendance": "attended",
        "date[day]": "3",
        "date[month]": "3",
        "date[year]": "2026",
        "start_time": "9:40",
        "end_time": "10:25",
        "medium": "01",
        "location": "home",
        "location_detail": "",
        "note": "",
    }
    data.update(extra)
    return data


def test_the_form_suggests_the_window_start_and_now_with_the_assigned_staff(
    signed_in, visit, support_worker
):
    response = signed_in(support_worker).get(reverse("treatment:contact_record", args=[visit.pk]))

    assert response.status_code == 200
    assert (
        'name="start_time" type="text" value="09:30"' in response.text
        or 'value="09:30"' in response.text
    )
    assert 'value="11:00"' in response.text
    assert response.text.count('name="staff" type="checkbox"') == 2
    assert response.text.count("checked") >= 2
    assert "Did you phone the person" not in page_text(response)


def test_the_form_records_a_contact_and_goes_back_to_my_visits(
    signed_in, visit, practitioner, support_worker
):
    response = signed_in(support_worker).post(
        reverse("treatment:contact_record", args=[visit.pk]),
        form_data(staff=[str(support_worker.staff.pk), str(practitioner.staff.pk)], note="Seen."),
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("treatment:my_visits")
    contact = CareContact.objects.get(visit=visit)
    assert set(contact.staff.all()) == {support_worker.staff, practitioner.staff}
    assert "Contact with Sam Ellison recorded." in page_text(response)


def test_the_form_asks_about_the_phone_call_when_more_than_15_minutes_late(
    signed_in, visit, support_worker
):
    client = signed_in(support_worker)
    url = reverse("treatment:contact_record", args=[visit.pk])
    data = form_data(start_time="10:50", end_time="10:58", staff=[str(support_worker.staff.pk)])

    asked = client.post(url, data)
    text = page_text(asked)
    assert "There is a problem" in text
    assert "Did you phone the person to say you were running late?" in text
    assert 'href="#id_phoned_about_lateness"' in asked.text
    assert 'value="10:50"' in asked.text
    assert not CareContact.objects.exists()

    client.post(url, {**data, "phoned_about_lateness": "yes"})
    contact = CareContact.objects.get(visit=visit)
    assert (contact.minutes_outside_window, contact.phoned_about_lateness) == (20, True)


def test_the_form_shows_an_end_before_the_start_against_the_end_time(
    signed_in, visit, support_worker
):
    response = signed_in(support_worker).post(
        reverse("treatment:contact_record", args=[visit.pk]),
        form_data(
            start_time="10:00", end_time="09:50", staff=[str(support_worker.staff.pk)], note="Typed"
        ),
    )

    assert 'href="#id_end_time"' in response.text
    assert "The end time must be after the start time" in page_text(response)
    assert "Typed" in response.text


def test_the_form_offers_the_care_plans_goals_and_interventions(
    signed_in, visit, practitioner, support_worker
):
    plan = CarePlan.objects.create(episode=visit.episode, created_by=practitioner)
    goal = Goal.objects.create(
        care_plan=plan,
        need="I can't sleep",
        goal="Sleep through the night",
        created_by=practitioner,
    )
    item = Intervention.objects.create(
        care_plan=plan, kind="daily_routine", detail="Sleep diary", created_by=practitioner
    )
    client = signed_in(support_worker)
    url = reverse("treatment:contact_record", args=[visit.pk])
    assert "Sleep through the night" in page_text(client.get(url))

    client.post(
        url,
        form_data(
            staff=[str(support_worker.staff.pk)], goals=[str(goal.pk)], interventions=[str(item.pk)]
        ),
    )
    contact = CareContact.objects.get(visit=visit)
    assert list(contact.goals.all()) == [goal]
    assert list(contact.interventions.all()) == [item]


def test_a_second_contact_for_a_visit_goes_to_the_visit(signed_in, visit, practitioner):
    record(visit, practitioner)
    response = signed_in(practitioner).get(reverse("treatment:contact_record", args=[visit.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("treatment:visit", args=[visit.pk])


def test_the_unplanned_contact_page_records_a_call(signed_in, clock, episode, practitioner):
    clock.move_to(NOW, tick=False)
    response = signed_in(practitioner).post(
        reverse("treatment:contact_record_unplanned", args=[episode.pk]),
        form_data(
            medium="02", staff=[str(practitioner.staff.pk)], start_time="10:30", end_time="10:40"
        ),
    )

    assert response.status_code == 302
    contact = CareContact.objects.get(episode=episode)
    assert (contact.visit, contact.medium, contact.location) == (None, "02", "")


def test_the_write_up_page_keeps_the_note_typed_when_someone_saved_first(
    signed_in, visit, practitioner, support_worker
):
    contact = record(visit, practitioner)
    opened_at_version = contact.version
    services.contact_write_up(
        contact=contact, note="Theirs", expected_version=opened_at_version, by=practitioner
    )

    response = signed_in(support_worker).post(
        reverse("treatment:contact_write_up", args=[contact.pk]),
        {"note": "Mine, typed on the bus", "version": str(opened_at_version)},
    )

    text = page_text(response)
    assert "Someone else changed this record" in text
    assert "Theirs" in text
    assert "Mine, typed on the bus" in response.text
    contact.refresh_from_db()
    assert contact.note == "Theirs"


def test_a_late_note_is_flagged_on_the_episodes_visits_page(signed_in, visit, practitioner, clock):
    contact = record(visit, practitioner)
    clock.move_to(dt.datetime(2026, 3, 4, 9, 0, tzinfo=LONDON), tick=False)
    signed_in(practitioner).post(
        reverse("treatment:contact_write_up", args=[contact.pk]),
        {"note": "Seen at home.", "version": str(contact.version)},
    )

    page = signed_in(practitioner).get(reverse("treatment:episode_visits", args=[visit.episode_id]))
    assert "Written up late" in page_text(page)


def test_another_teams_contact_is_refused_and_audited(
    signed_in, visit, practitioner, staff_user, other_team
):
    contact = record(visit, practitioner)
    outsider = staff_user(Role.REGISTERED_PRACTITIONER, in_team=other_team)

    for url in (
        reverse("treatment:contact_record", args=[visit.pk]),
        reverse("treatment:contact_write_up", args=[contact.pk]),
        reverse("treatment:contact_record_unplanned", args=[visit.episode_id]),
    ):
        assert signed_in(outsider).get(url).status_code == 403
    assert AuditEvent.objects.filter(actor=outsider, action=AuditAction.ACCESS_DENIED).count() == 3
