"""'My visits today': the signed-in member of staff's visits on the London day, on a phone,
in a fixed number of queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crisis_care.core.clock import LONDON, local_instant
from crisis_care.core.models import AuditAction, AuditEvent
from crisis_care.core.roles import Role
from crisis_care.core.testing import page_text, people_audited_on
from crisis_care.nonprod import factories
from crisis_care.treatment.models import LoneWorkingCheck
from crisis_care.treatment.services import visits as services
from crisis_care.treatment.services.visits import VisitDetails
from crisis_care.treatment.views.visits import optional_url

pytestmark = pytest.mark.django_db

# Just after midnight on the Sunday the clocks go forward: the London day is 23 hours long.
NOW = dt.datetime(2026, 3, 29, 0, 30, tzinfo=LONDON)
DAY = NOW.date()


@pytest.fixture(autouse=True)
def night(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def support_worker(staff_user):
    return staff_user(Role.SUPPORT_WORKER)


def plan(episode, by, start, *, staff, day=DAY, minutes=60, **details):
    window_start = local_instant(day, dt.time(*start))
    return services.visit_plan(
        episode=episode,
        window_start=window_start,
        window_end=window_start + dt.timedelta(minutes=minutes),
        details=VisitDetails(**details),
        staff=[user.staff for user in staff],
        by=by,
    )


def test_it_lists_my_visits_today_in_window_order_with_what_i_need_at_the_door(
    signed_in, episode, practitioner, support_worker
):
    person = episode.person
    person.address_line_1, person.postcode, person.phone = (
        "12 Canal Street",
        "LE2 7AA",
        "07700 900123",
    )
    person.save()
    plan(episode, practitioner, (16, 0), staff=[support_worker])
    plan(
        episode,
        practitioner,
        (9, 30),
        staff=[practitioner, support_worker],
        staff_needed=2,
        needs=frozenset({"registered_practitioner"}),
        purpose="Medication review",
    )

    response = signed_in(support_worker).get(reverse("treatment:my_visits"))

    text = page_text(response)
    assert "Today, Sunday 29 March 2026" in text
    assert text.index("9:30am to 10:30am") < text.index("4pm to 5pm")
    assert "12 Canal Street" in text and "LE2 7AA" in text
    assert '<a href="tel:07700900123">07700 900123</a>' in response.text
    assert f"With {practitioner.staff}" in text
    assert "On your own" in text
    assert "Needs a registered practitioner" in text
    assert "Medication review" in text
    assert "Not checked in" in text


def test_it_shows_only_my_visits_on_the_london_day(
    signed_in, episode, practitioner, support_worker, staff_user, time_machine
):
    someone_else = staff_user(Role.SUPPORT_WORKER)
    time_machine.move_to(NOW - dt.timedelta(hours=2), tick=False)
    plan(
        episode,
        practitioner,
        (23, 30),
        day=DAY - dt.timedelta(days=1),
        minutes=30,
        staff=[support_worker],
    )
    time_machine.move_to(NOW, tick=False)
    plan(episode, practitioner, (0, 45), minutes=30, staff=[support_worker])
    plan(episode, practitioner, (23, 15), minutes=30, staff=[support_worker])
    plan(
        episode,
        practitioner,
        (0, 15),
        day=DAY + dt.timedelta(days=1),
        minutes=30,
        staff=[support_worker],
    )
    plan(episode, practitioner, (12, 0), staff=[someone_else])

    text = page_text(signed_in(support_worker).get(reverse("treatment:my_visits")))

    # 12:45am GMT plus 30 minutes is 2:15am BST: the clocks went forward at 1am.
    assert "12:45am to 2:15am" in text
    assert "11:15pm to 11:45pm" in text
    assert "11:30pm to midnight" not in text
    assert "12:15am" not in text
    assert "midday" not in text


def test_it_says_when_there_are_no_visits(signed_in, support_worker):
    assert "You have no visits today." in page_text(
        signed_in(support_worker).get(reverse("treatment:my_visits"))
    )


def test_it_warns_about_a_paired_visit_with_one_member_of_staff(
    signed_in, episode, practitioner, support_worker
):
    episode.paired_visits_required = True
    episode.paired_visits_reason = "Threats to staff in January"
    episode.save()
    plan(episode, practitioner, (10, 0), staff=[support_worker], staff_needed=2)

    text = page_text(signed_in(support_worker).get(reverse("treatment:my_visits")))

    assert "Two staff must go (Threats to staff in January)" in text
    assert "Only one member of staff is assigned: do not go alone" in text


def test_it_links_to_the_persons_current_safety_plan(
    signed_in, episode, practitioner, support_worker
):
    plan(episode, practitioner, (10, 0), staff=[support_worker])
    safety_plan = episode.person.safety_plans.order_by("-written_at").first()

    response = signed_in(support_worker).get(reverse("treatment:my_visits"))

    assert safety_plan is not None
    assert (
        reverse("assessments:safety_plan_detail", kwargs={"plan_pk": safety_plan.pk})
        in response.text
    )


def test_it_offers_check_in_then_check_out_and_record_contact(
    signed_in, episode, practitioner, support_worker
):
    visit = plan(episode, practitioner, (0, 0), minutes=60, staff=[support_worker])
    client = signed_in(support_worker)

    before = client.get(reverse("treatment:my_visits"))
    assert reverse("treatment:lone_check_in", args=[visit.pk]) in before.text
    assert reverse("treatment:contact_record", args=[visit.pk]) in before.text

    check = LoneWorkingCheck.objects.create(
        staff=support_worker.staff,
        team=episode.team,
        visit=visit,
        location="12 Canal Street",
        checked_in_at=NOW,
        expected_end_at=NOW + dt.timedelta(minutes=45),
    )
    after = client.get(reverse("treatment:my_visits"))
    # 45 minutes after 12:30am GMT is 2:15am BST (the clocks go forward at 1am).
    assert "You checked in at 12:30am. Expected to finish by 2:15am" in page_text(after)
    assert reverse("treatment:lone_check_out", args=[check.pk]) in after.text
    assert reverse("treatment:lone_check_in", args=[visit.pk]) not in after.text


def test_the_lone_working_links_are_left_out_when_those_pages_do_not_exist():
    assert optional_url("treatment:no_such_page", "x") is None
    assert optional_url("treatment:my_visits") == reverse("treatment:my_visits")


def test_it_audits_the_list_and_each_person_shown(signed_in, episode, practitioner, support_worker):
    plan(episode, practitioner, (10, 0), staff=[support_worker])

    signed_in(support_worker).get(reverse("treatment:my_visits"))

    event = AuditEvent.objects.get(
        actor=support_worker, object_type="treatment.my_visits", person_id__isnull=True
    )
    assert event.action == AuditAction.VIEW
    assert people_audited_on("treatment.my_visits") == [str(episode.person_id)]


def test_an_administrator_has_no_visits_page(signed_in, staff_user):
    assert (
        signed_in(staff_user(Role.ADMINISTRATOR)).get(reverse("treatment:my_visits")).status_code
        == 403
    )


def test_the_page_takes_the_same_number_of_queries_for_2_or_8_visits(
    signed_in, make_episode, practitioner, support_worker, staff_user, django_assert_num_queries
):
    episodes = [
        make_episode(person=factories.PersonFactory(), by=staff_user(Role.REGISTERED_PRACTITIONER))
        for _ in range(4)
    ]
    colleague = staff_user(Role.REGISTERED_PRACTITIONER)
    client = signed_in(support_worker)

    def add_visits(hours):
        for number, hour in enumerate(hours):
            visit = plan(
                episodes[number % 4],
                practitioner,
                (hour, 0),
                minutes=45,
                staff=[support_worker, colleague],
                staff_needed=2,
            )
            LoneWorkingCheck.objects.create(
                staff=support_worker.staff,
                team=visit.episode.team,
                visit=visit,
                location="Home",
                checked_in_at=NOW - dt.timedelta(hours=2, minutes=number),
                expected_end_at=NOW - dt.timedelta(hours=1, minutes=number),
                checked_out_at=NOW - dt.timedelta(hours=1, minutes=number),
                status="checked_out",
            )

    add_visits([8, 9])
    client.get(reverse("treatment:my_visits"))  # warm the session and the user
    with CaptureQueriesContext(connection) as two:
        response = client.get(reverse("treatment:my_visits"))
    assert response.text.count("nhsuk-card__content") == 2
    # Session, user, staff, visits, their staff, registrations, check-ins, the audit row,
    # and what the layout itself reads.
    assert len(two.captured_queries) <= 15

    add_visits([10, 11, 13, 14, 15, 16])
    with django_assert_num_queries(len(two.captured_queries)):
        response = client.get(reverse("treatment:my_visits"))
    assert response.text.count("nhsuk-card__content") == 8
