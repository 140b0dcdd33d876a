"""Booking a two-person assessment from a referral, and cancelling it."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from crisis_care.assessments import presenters, services
from crisis_care.assessments.models import Assessment, AssessmentStatus
from crisis_care.core.clock import LONDON, local_instant
from crisis_care.core.models import AuditAction, AuditEvent
from crisis_care.core.roles import Role
from crisis_care.core.testing import page_text
from crisis_care.nonprod import factories
from crisis_care.workforce import services as workforce_services

pytestmark = pytest.mark.django_db

# A Tuesday morning in winter (London is on GMT). The early shift runs 07:00 to 15:30.
NINE_AM = dt.datetime(2026, 3, 3, 9, 0, tzinfo=LONDON)
DAY = NINE_AM.date()


@pytest.fixture(autouse=True)
def morning(time_machine):
    time_machine.move_to(NINE_AM)


@pytest.fixture
def early_shift(team, practitioner):
    """early_shift(*users): put these users on today's early shift (07:00 to 15:30)."""
    early = factories.standard_shift_types(team)[0]
    shift = workforce_services.shift_get_or_create(shift_type=early, day=DAY)

    def put(*users):
        for user in users:
            workforce_services.shift_assign(shift=shift, staff=user.staff, by=practitioner)
        return list(users)

    return put


@pytest.fixture
def support_worker(staff_user):
    return staff_user(Role.SUPPORT_WORKER)


@pytest.fixture
def pair(practitioner, support_worker, early_shift):
    """A registered practitioner and a support worker, both on the early shift."""
    return early_shift(practitioner, support_worker)


def booking_data(staff, *, at="10:00", day=DAY, duration="90", venue="home", **extra):
    data = {
        "date[day]": str(day.day),
        "date[month]": str(day.month),
        "date[year]": str(day.year),
        "time": at,
        "duration": duration,
        "venue": venue,
        "venue_address": "",
        "staff_1": str(staff[0].staff.pk),
        "staff_2": str(staff[1].staff.pk),
        "action": "book",
    }
    data.update(extra)
    return data


def book(referral, staff, by, *, at=dt.time(10, 0), minutes=90, **kwargs):
    return services.assessment_book(
        referral=referral,
        starts_at=local_instant(DAY, at),
        duration=dt.timedelta(minutes=minutes),
        venue=kwargs.pop("venue", "home"),
        venue_address=kwargs.pop("venue_address", ""),
        staff=[user.staff for user in staff],
        by=by,
        **kwargs,
    )


def book_url(referral):
    return reverse("assessments:book", args=[referral.pk])


def test_it_books_an_assessment_for_a_practitioner_and_a_support_worker(
    signed_in, practitioner, pair, make_referral
):
    referral = make_referral()

    response = signed_in(practitioner).post(book_url(referral), booking_data(pair), follow=True)

    assessment = Assessment.objects.get(referral=referral)
    assert response.redirect_chain[-1][0] == reverse("assessments:detail", args=[assessment.pk])
    assert assessment.status == AssessmentStatus.BOOKED
    assert assessment.starts_at == local_instant(DAY, dt.time(10, 0))
    assert assessment.ends_at == local_instant(DAY, dt.time(11, 30))
    assert {link.staff_id for link in assessment.staff_links.all()} == {u.staff.pk for u in pair}
    assert "Assessment booked for 3 March 2026 at 10am" in page_text(response)
    assert [c.status for c in assessment.status_history.all()] == ["booked"]


def test_it_refuses_two_support_workers_and_keeps_what_was_typed(
    signed_in, practitioner, staff_user, early_shift, make_referral
):
    supports = early_shift(staff_user(Role.SUPPORT_WORKER), staff_user(Role.SUPPORT_WORKER))
    referral = make_referral()

    response = signed_in(practitioner).post(
        book_url(referral),
        booking_data(supports, venue="other", venue_address="Loughborough crisis café"),
    )

    text = page_text(response)
    assert "There is a problem" in text
    assert "At least one of the two must be a registered mental health practitioner" in text
    assert 'href="#id_staff_1"' in response.text
    assert 'value="Loughborough crisis café"' in response.text
    assert 'name="time" type="text" value="10:00"' in response.text
    assert re.search(rf'<option value="{supports[1].staff.pk}" selected\s*>', response.text)
    assert not Assessment.objects.exists()


def test_a_member_of_staff_already_booked_at_that_time_is_refused(
    signed_in, practitioner, pair, staff_user, early_shift, make_referral
):
    book(make_referral(), pair, practitioner, at=dt.time(10, 0))
    other_support = early_shift(staff_user(Role.SUPPORT_WORKER))[0]

    response = signed_in(practitioner).post(
        book_url(make_referral()), booking_data([pair[0], other_support], at="11:00")
    )

    assert (
        f"{practitioner} is already booked for an assessment from 10:00 on that day"
        in page_text(response)
    )
    assert Assessment.objects.count() == 1


def test_a_member_of_staff_not_on_shift_is_refused(
    signed_in, practitioner, staff_user, early_shift, make_referral
):
    early_shift(practitioner)
    off_duty = staff_user(Role.SUPPORT_WORKER)

    response = signed_in(practitioner).post(
        book_url(make_referral()), booking_data([practitioner, off_duty])
    )

    assert f"{off_duty} is not on shift for the whole assessment" in page_text(response)
    assert 'href="#id_staff_2"' in response.text
    assert not Assessment.objects.exists()


def test_an_assessment_running_past_the_end_of_the_shift_is_refused(
    signed_in, practitioner, pair, make_referral
):
    response = signed_in(practitioner).post(
        book_url(make_referral()), booking_data(pair, at="14:30", duration="120")
    )

    assert "is not on shift for the whole assessment" in page_text(response)
    assert not Assessment.objects.exists()


def test_a_booking_past_the_clock_asks_why_before_saving_and_saves_with_the_reason(
    signed_in, practitioner, pair, make_referral
):
    referral = make_referral(priority="4")  # very urgent: 4 hours from 08:55, so 12:55
    client = signed_in(practitioner)

    first = client.post(book_url(referral), booking_data(pair, at="14:00"))

    text = page_text(first)
    assert (
        "This is after the 4-hour target of 3 March 2026 at 12:55pm: the standard will be missed"
        in text
    )
    assert "Why can it not be sooner?" in text
    assert "There is a problem" not in text
    assert not Assessment.objects.exists()

    without_reason = client.post(
        book_url(referral), booking_data(pair, at="14:00", breach_asked="1")
    )
    assert "Enter why the assessment cannot be sooner" in page_text(without_reason)
    assert not Assessment.objects.exists()

    client.post(
        book_url(referral),
        booking_data(
            pair,
            at="14:00",
            breach_asked="1",
            breach_acknowledged="Both registered staff are at a section 136 assessment until 13:30",
        ),
    )
    assessment = Assessment.objects.get(referral=referral)
    assert assessment.clock_breach_acknowledged.startswith("Both registered staff")


def test_a_reason_is_not_kept_when_the_time_is_moved_inside_the_target(
    signed_in, practitioner, pair, make_referral
):
    referral = make_referral(priority="4")

    signed_in(practitioner).post(
        book_url(referral),
        booking_data(pair, at="11:00", breach_asked="1", breach_acknowledged="Typed earlier"),
    )

    assert Assessment.objects.get(referral=referral).clock_breach_acknowledged == ""


@pytest.mark.parametrize("venue", ["other", "gp_surgery", "friend_relative"])
def test_a_venue_away_from_home_needs_its_address(
    signed_in, practitioner, pair, make_referral, venue
):
    response = signed_in(practitioner).post(
        book_url(make_referral()), booking_data(pair, venue=venue)
    )

    assert "Enter the address of the venue" in page_text(response)
    assert 'href="#id_venue_address"' in response.text
    assert not Assessment.objects.exists()


def test_the_booking_form_lists_every_venue_and_who_is_registered(
    signed_in, practitioner, support_worker, make_referral
):
    response = signed_in(practitioner).get(book_url(make_referral()))

    text = page_text(response)
    for label in (
        "The person's home",
        "A ward at the Bradgate Unit",
        "Emergency department, Leicester Royal Infirmary",
        "A GP surgery",
        "A friend's or relative's home",
        "Another agreed place",
    ):
        assert label in text
    assert f"{practitioner} (registered practitioner)" in text
    assert f"{support_worker} (registered practitioner)" not in text
    # Radios: the first item's id is the bare prefix, so the error summary can link to it.
    assert 'id="id_venue"' in response.text
    assert 'id="id_duration"' in response.text


def test_checking_a_time_shows_who_is_on_shift_then_without_booking(
    signed_in, practitioner, support_worker, early_shift, make_referral
):
    early_shift(practitioner)

    response = signed_in(practitioner).post(
        book_url(make_referral()),
        {
            "date[day]": "3",
            "date[month]": "3",
            "date[year]": "2026",
            "time": "10:00",
            "action": "check",
        },
    )

    text = page_text(response)
    assert f"{practitioner} (registered practitioner) (on shift)" in text
    assert f"{support_worker} (not on shift)" in text
    assert "There is a problem" not in text
    assert not Assessment.objects.exists()


def test_the_booking_page_is_audited_against_the_person(signed_in, practitioner, make_referral):
    referral = make_referral()

    signed_in(practitioner).get(book_url(referral))

    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, person_id=referral.person_id, section="assessment booking"
    ).exists()


def test_a_referral_in_another_team_cannot_be_booked(
    signed_in, staff_user, other_team, make_referral
):
    outsider = staff_user(Role.REGISTERED_PRACTITIONER, in_team=other_team)

    response = signed_in(outsider).get(book_url(make_referral()))

    assert response.status_code == 403


def test_roles_that_do_not_book_are_refused(signed_in, staff_user, make_referral):
    auditor = staff_user(Role.IG_AUDITOR)

    assert signed_in(auditor).get(book_url(make_referral())).status_code == 403


def test_a_referral_not_matched_to_a_person_cannot_be_booked(
    signed_in, practitioner, pair, make_referral
):
    referral = make_referral()
    type(referral).objects.filter(pk=referral.pk).update(person=None)

    response = signed_in(practitioner).post(book_url(referral), booking_data(pair))

    assert "Match the referral to a person's record before booking" in page_text(response)
    assert not Assessment.objects.exists()


def test_cancelling_needs_a_reason(signed_in, practitioner, pair, make_referral):
    assessment = book(make_referral(), pair, practitioner)
    url = reverse("assessments:cancel", args=[assessment.pk])
    client = signed_in(practitioner)

    refused = client.post(url, {"reason": "  "})

    assert "Enter why the assessment is cancelled" in page_text(refused)
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.BOOKED

    client.post(url, {"reason": "Sam has gone to stay with his sister in Derby"})

    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.CANCELLED
    last = assessment.status_history.last()
    assert (last.status, last.note, last.changed_by) == (
        "cancelled",
        "Sam has gone to stay with his sister in Derby",
        practitioner,
    )


def test_a_cancelled_booking_frees_the_staff(signed_in, practitioner, pair, make_referral):
    assessment = book(make_referral(), pair, practitioner)
    services.assessment_cancel(assessment=assessment, reason="Person admitted", by=practitioner)

    signed_in(practitioner).post(book_url(make_referral()), booking_data(pair))

    assert Assessment.objects.filter(status=AssessmentStatus.BOOKED).count() == 1


# Presenters.


@pytest.mark.parametrize(
    ("delta", "words"),
    [
        (dt.timedelta(hours=4), "4-hour"),
        (dt.timedelta(hours=24), "24-hour"),
        (dt.timedelta(hours=1), "1-hour"),
        (dt.timedelta(weeks=4), "4-week"),
        (dt.timedelta(minutes=30), "30 minutes"),
    ],
)
def test_a_target_is_described_by_its_length(delta, words):
    assert presenters.target_length(delta) == words


def test_a_staff_choice_says_who_is_registered_and_on_shift():
    assert (
        presenters.staff_label("Ana Diaz", registered=True, on_shift=True)
        == "Ana Diaz (registered practitioner) (on shift)"
    )
    assert presenters.staff_label("Jo Bell", registered=False, on_shift=None) == "Jo Bell"
    assert (
        presenters.staff_label("Jo Bell", registered=False, on_shift=False)
        == "Jo Bell (not on shift)"
    )
