"""The assessment rules, at the service layer: who may assess, double booking, the clock,
finalising, addenda and the gatekeeping record."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from crisis_care.assessments import services
from crisis_care.assessments.models import (
    MANDATORY_DOMAINS,
    AssessmentStatus,
    Decision,
    Outcome,
)
from crisis_care.core.models import AuditEvent
from crisis_care.core.roles import Role
from crisis_care.nonprod import factories
from crisis_care.referrals.clocks import ClockName, ClockState
from crisis_care.referrals.models import Status
from crisis_care.referrals.selectors import referral_clocks
from crisis_care.workforce import services as workforce_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_shift(team, practitioner):
    """on_shift(*users): put these users on a shift from an hour ago to eight hours ahead."""
    start = (timezone.localtime() - dt.timedelta(hours=1)).replace(second=0, microsecond=0)
    end = start + dt.timedelta(hours=9)
    shift_type = factories.ShiftTypeFactory(
        team=team, name="Now", starts=start.time(), ends=end.time()
    )
    # The shift belongs to the day it starts (an overnight shift ends the next morning).
    shift = workforce_services.shift_get_or_create(shift_type=shift_type, day=start.date())

    def put(*users):
        for user in users:
            workforce_services.shift_assign(shift=shift, staff=user.staff, by=practitioner)
        return [u.staff for u in users]

    return put


@pytest.fixture
def pair(staff_user, practitioner, on_shift):
    support = staff_user(Role.SUPPORT_WORKER)
    return on_shift(practitioner, support)


def book(referral, staff, by, *, in_minutes=60, minutes=90, **kwargs):
    return services.assessment_book(
        referral=referral,
        starts_at=timezone.now() + dt.timedelta(minutes=in_minutes),
        duration=dt.timedelta(minutes=minutes),
        venue="home",
        venue_address="",
        staff=staff,
        by=by,
        **kwargs,
    )


def complete(assessment, by):
    services.assessment_start(assessment=assessment, at=None, by=by)
    assessment.refresh_from_db()
    services.assessment_save(
        assessment=assessment,
        data={name: f"Recorded {name}" for name in MANDATORY_DOMAINS},
        expected_version=assessment.version,
        by=by,
    )
    services.risk_save(
        assessment=assessment,
        data={
            "to_self": "Thoughts of overdose, no plan today",
            "formulation": "Risk rises when alone at night",
        },
        by=by,
    )
    assessment.refresh_from_db()
    return services.assessment_finalise(assessment=assessment, by=by)


def test_a_booking_needs_a_registered_practitioner(
    make_referral, staff_user, on_shift, practitioner
):
    supports = on_shift(staff_user(Role.SUPPORT_WORKER), staff_user(Role.SUPPORT_WORKER))

    with pytest.raises(ValidationError, match="registered mental health practitioner"):
        book(make_referral(priority="2"), supports, practitioner)


def test_a_lapsed_registration_does_not_count(make_referral, staff_user, on_shift, practitioner):
    nurse = staff_user(Role.REGISTERED_PRACTITIONER)
    nurse.staff.registrations.update(expires_on=timezone.localdate() - dt.timedelta(days=1))
    staff = on_shift(nurse, staff_user(Role.SUPPORT_WORKER))

    with pytest.raises(ValidationError, match="registered mental health practitioner"):
        book(make_referral(priority="2"), staff, practitioner)


def test_a_double_booking_is_refused(make_referral, pair, practitioner, staff_user, on_shift):
    book(make_referral(priority="2"), pair, practitioner, in_minutes=60)
    other_pair = [pair[0], *on_shift(staff_user(Role.SUPPORT_WORKER))]

    with pytest.raises(ValidationError, match="already booked"):
        book(make_referral(priority="2"), other_pair, practitioner, in_minutes=120)


def test_back_to_back_bookings_are_fine(make_referral, pair, practitioner):
    book(make_referral(priority="2"), pair, practitioner, in_minutes=60, minutes=60)
    book(make_referral(priority="2"), pair, practitioner, in_minutes=120, minutes=60)


def test_staff_not_on_shift_cannot_be_booked(make_referral, staff_user, practitioner, on_shift):
    off_duty = staff_user(Role.REGISTERED_PRACTITIONER)
    staff = [*on_shift(practitioner), off_duty.staff]

    with pytest.raises(ValidationError, match="not on shift"):
        book(make_referral(priority="2"), staff, practitioner)


def test_a_booking_past_the_clock_must_be_acknowledged(make_referral, pair, practitioner):
    referral = make_referral(priority="1")  # emergency: face to face within the hour

    with pytest.raises(services.ClockWouldBreach):
        book(referral, pair, practitioner, in_minutes=120)

    assessment = book(
        referral,
        pair,
        practitioner,
        in_minutes=120,
        breach_acknowledged="Nearest pair are in ED until then",
    )
    assert assessment.clock_breach_acknowledged == "Nearest pair are in ED until then"


def test_starting_the_assessment_stops_the_face_to_face_clock(make_referral, pair, practitioner):
    referral = make_referral(priority="4")
    assessment = book(referral, pair, practitioner, in_minutes=30)

    services.assessment_start(assessment=assessment, at=None, by=practitioner)

    referral.refresh_from_db()
    clocks = {c.name: c for c in referral_clocks(referral)}
    assert clocks[ClockName.FACE_TO_FACE].state is ClockState.MET
    assert referral.first_contact_at is not None


def test_every_state_change_is_a_row(make_referral, pair, practitioner):
    assessment = book(make_referral(priority="2"), pair, practitioner)
    complete(assessment, practitioner)

    assert [c.status for c in assessment.status_history.all()] == [
        AssessmentStatus.BOOKED,
        AssessmentStatus.STARTED,
        AssessmentStatus.COMPLETED,
    ]


def test_finalising_needs_every_domain(make_referral, pair, practitioner):
    assessment = book(make_referral(priority="2"), pair, practitioner)
    services.assessment_start(assessment=assessment, at=None, by=practitioner)
    assessment.refresh_from_db()
    services.assessment_save(
        assessment=assessment,
        data={"mental_state": "Low, tearful"},
        expected_version=assessment.version,
        by=practitioner,
    )
    assessment.refresh_from_db()

    with pytest.raises(ValidationError, match="Missing: circumstances and triggers of the crisis"):
        services.assessment_finalise(assessment=assessment, by=practitioner)
    assessment.refresh_from_db()
    assert assessment.mental_state == "Low, tearful"
    assert not assessment.is_finalised


def test_a_support_worker_can_contribute_but_not_finalise(
    make_referral, pair, practitioner, staff_user
):
    support = pair[1].user
    assessment = book(make_referral(priority="2"), pair, practitioner)
    services.assessment_start(assessment=assessment, at=None, by=support)
    assessment.refresh_from_db()
    services.assessment_save(
        assessment=assessment,
        data={name: "x" for name in MANDATORY_DOMAINS},
        expected_version=assessment.version,
        by=support,
    )
    services.risk_save(
        assessment=assessment, data={"formulation": "Low risk when with family"}, by=support
    )
    assessment.refresh_from_db()

    with pytest.raises(ValidationError, match="Only a registered practitioner"):
        services.assessment_finalise(assessment=assessment, by=support)


def test_a_finalised_assessment_cannot_be_edited_only_added_to(make_referral, pair, practitioner):
    assessment = complete(book(make_referral(priority="2"), pair, practitioner), practitioner)

    with pytest.raises(ValidationError, match="finalised"):
        services.assessment_save(
            assessment=assessment,
            data={"mental_state": "changed"},
            expected_version=assessment.version,
            by=practitioner,
        )
    addendum = services.addendum_add(
        assessment=assessment, text="Mother phoned: she has the tablets", by=practitioner
    )

    assessment.refresh_from_db()
    assert assessment.mental_state == "Recorded mental_state"
    assert addendum.written_by == practitioner
    assert addendum.written_at is not None


def test_an_admission_records_gatekeeping_and_a_failure_needs_a_reason(
    make_referral, pair, practitioner
):
    assessment = complete(book(make_referral(priority="2"), pair, practitioner), practitioner)

    with pytest.raises(ValidationError) as missing:
        services.decision_record(
            assessment=assessment,
            outcome=Outcome.ADMISSION,
            reasons="Unsafe at home",
            by=practitioner,
            legal_status="s2",
            ward="Ward 3, Bradgate Unit",
            gatekept_in_person=False,
        )
    assert "gatekeeping_failure_reason" in missing.value.message_dict

    decision = services.decision_record(
        assessment=assessment,
        outcome=Outcome.ADMISSION,
        reasons="Unsafe at home",
        by=practitioner,
        legal_status="s2",
        ward="Ward 3, Bradgate Unit",
        gatekept_in_person=False,
        gatekeeping_failure_reason="Admitted by the out-of-area AMHP before the team arrived",
    )

    assert decision.gatekept_in_person is False
    assert AuditEvent.objects.filter(object_id=decision.pk, flagged_for_review=True).exists()
    assessment.referral.refresh_from_db()
    assert assessment.referral.status == Status.CLOSED


def test_a_decision_without_reasons_is_refused_and_nothing_saved(make_referral, pair, practitioner):
    assessment = complete(book(make_referral(priority="2"), pair, practitioner), practitioner)

    with pytest.raises(ValidationError, match="Enter the reasons"):
        services.decision_record(
            assessment=assessment, outcome=Outcome.HOME_TREATMENT, reasons=" ", by=practitioner
        )
    assert not Decision.objects.exists()


def test_the_database_refuses_an_admission_without_its_gatekeeping_record(
    make_referral, pair, practitioner
):
    from django.db import IntegrityError, transaction

    assessment = complete(book(make_referral(priority="2"), pair, practitioner), practitioner)
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.create(
            assessment=assessment,
            outcome=Outcome.ADMISSION,
            reasons="x",
            decided_by=practitioner,
            decided_at=timezone.now(),
        )


def test_home_treatment_opens_an_episode_with_the_team_relationship(
    make_referral, pair, practitioner
):
    from crisis_care.people.models import CareTeamLink
    from crisis_care.treatment import services as treatment_services

    referral = make_referral(priority="2")
    assessment = complete(book(referral, pair, practitioner), practitioner)

    decision, episode = treatment_services.decision_apply(
        assessment=assessment,
        by=practitioner,
        outcome=Outcome.HOME_TREATMENT,
        reasons="Safe at home with daily visits and family support",
    )

    assert episode.decision == decision
    assert episode.person == referral.person
    links = CareTeamLink.objects.filter(person=referral.person)
    assert links.get(source="episode").closed_at is None
    assert links.get(source="referral").closed_at is not None
