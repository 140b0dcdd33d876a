"""Medication (CORE item 15): recording what the person takes, the prescriber rule for
starting, changing, reviewing and stopping a medicine, version-checked edits with immutable
history, and deliveries (never in the future). Services first, then the pages."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from crisis_care.core.clock import LONDON
from crisis_care.core.concurrency import StaleEdit
from crisis_care.core.models import AuditAction, AuditEvent, User
from crisis_care.core.roles import Role
from crisis_care.core.testing import page_text
from crisis_care.nonprod import factories
from crisis_care.treatment.models import (
    Episode,
    Medication,
    MedicationChange,
    MedicationChangeKind,
    MedicationDelivery,
)
from crisis_care.treatment.presenters import medication as presenters
from crisis_care.treatment.services import medication as services
from crisis_care.treatment.tests.test_lone_working import make_visit
from crisis_care.workforce.models import Profession, Team

pytestmark = pytest.mark.django_db

SERTRALINE = {"name": "Sertraline", "dose": "50mg", "route": "By mouth", "frequency": "Once a day"}


@pytest.fixture
def doctor(staff_user) -> User:
    return staff_user(Role.DOCTOR)  # a psychiatrist: a prescriber


@pytest.fixture
def nurse_prescriber(team: Team) -> User:
    staff = factories.StaffMemberFactory(
        role=Role.REGISTERED_PRACTITIONER,
        profession=Profession.NON_MEDICAL_PRESCRIBER,
        team=team,
    )
    return staff.user


@pytest.fixture
def support_worker(staff_user) -> User:
    return staff_user(Role.SUPPORT_WORKER)


@pytest.fixture
def started(episode: Episode, doctor: User) -> Medication:
    return services.medication_start(episode=episode, by=doctor, **SERTRALINE)


def _last_change(medication: Medication) -> MedicationChange:
    return medication.changes.order_by("-changed_at", "-created_at").first()  # type: ignore[return-value]


# -- Recording and starting -----------------------------------------------------------------------


def test_care_staff_record_a_medicine_the_person_already_takes(episode, support_worker):
    medication = services.medication_record(
        episode=episode,
        by=support_worker,
        name="Lansoprazole",
        dose="15mg",
        route="By mouth",
        frequency="Once a day",
        started_on=dt.date(2025, 6, 1),
    )

    assert medication.person == episode.person
    assert medication.started_by_team is False
    change = _last_change(medication)
    assert change.kind == MedicationChangeKind.RECORDED
    assert change.prescriber is None
    assert change.changed_by == support_worker
    assert AuditEvent.objects.filter(
        object_id=medication.pk, action=AuditAction.CREATE, person_id=episode.person_id
    ).exists()


def test_clerical_staff_do_not_record_medication(episode, staff_user):
    with pytest.raises(PermissionDenied):
        services.medication_record(
            episode=episode,
            by=staff_user(Role.ADMINISTRATOR),
            started_on=dt.date(2025, 6, 1),
            **SERTRALINE,
        )


def test_a_start_date_in_the_future_is_refused(episode, support_worker):
    with pytest.raises(ValidationError) as caught:
        services.medication_record(
            episode=episode,
            by=support_worker,
            started_on=timezone.localdate() + dt.timedelta(days=1),
            **SERTRALINE,
        )
    assert "started_on" in caught.value.message_dict


@pytest.mark.parametrize("prescriber", ["doctor", "nurse_prescriber"])
def test_a_prescriber_starts_a_medicine_and_is_recorded_as_the_prescriber(
    request, episode, prescriber
):
    user = request.getfixturevalue(prescriber)

    medication = services.medication_start(episode=episode, by=user, **SERTRALINE)

    assert medication.started_by_team is True
    assert medication.started_on == timezone.localdate()
    change = _last_change(medication)
    assert change.kind == MedicationChangeKind.STARTED
    assert change.prescriber == user.staff


@pytest.mark.parametrize(
    "role", [Role.REGISTERED_PRACTITIONER, Role.SUPPORT_WORKER, Role.PSYCHOLOGIST]
)
def test_only_prescribers_start_a_medicine(episode, staff_user, role):
    # A registered practitioner who is a nurse (not a non-medical prescriber) may not prescribe.
    with pytest.raises(PermissionDenied):
        services.medication_start(episode=episode, by=staff_user(role), **SERTRALINE)
    assert not Medication.objects.exists()


def test_a_prescribing_profession_is_not_enough_without_a_prescribing_role(episode, team):
    pharmacist_as_psychologist = factories.StaffMemberFactory(
        role=Role.PSYCHOLOGIST, profession=Profession.PSYCHIATRIST, team=team
    ).user

    with pytest.raises(PermissionDenied):
        services.medication_start(episode=episode, by=pharmacist_as_psychologist, **SERTRALINE)


def test_a_medicine_needs_its_name_dose_route_and_frequency(episode, doctor):
    with pytest.raises(ValidationError) as caught:
        services.medication_start(
            episode=episode, by=doctor, name=" ", dose="", route="", frequency=""
        )
    assert set(caught.value.message_dict) == {"name", "dose", "route", "frequency"}


# -- Changing, reviewing and stopping ---------------------------------------------------------------


def test_a_prescriber_changes_the_dose_with_a_reason(started, episode, nurse_prescriber):
    medication = services.medication_change_dose(
        medication=started,
        episode=episode,
        by=nurse_prescriber,
        dose="100mg",
        route="By mouth",
        frequency="Once a day",
        reason="Still low after two weeks",
        expected_version=started.version,
    )

    assert medication.dose == "100mg"
    assert medication.version == 2
    change = _last_change(medication)
    assert change.kind == MedicationChangeKind.DOSE_CHANGED
    assert change.prescriber == nurse_prescriber.staff
    assert change.detail == (
        "From 50mg, by mouth, Once a day to 100mg, by mouth, Once a day. Still low after two weeks"
    )
    # The history is kept: the start is still there, as it was.
    assert [c.kind for c in medication.changes.all()] == [
        MedicationChangeKind.STARTED,
        MedicationChangeKind.DOSE_CHANGED,
    ]
    assert medication.changes.all()[0].detail == "Sertraline 50mg, by mouth, Once a day"


def test_a_stale_dose_change_is_refused(started, episode, doctor, nurse_prescriber):
    services.medication_change_dose(
        medication=started,
        episode=episode,
        by=doctor,
        dose="75mg",
        route="By mouth",
        frequency="Once a day",
        reason="Side effects",
        expected_version=1,
    )

    with pytest.raises(StaleEdit):
        services.medication_change_dose(
            medication=started,
            episode=episode,
            by=nurse_prescriber,
            dose="100mg",
            route="By mouth",
            frequency="Once a day",
            reason="Still low",
            expected_version=1,
        )

    started.refresh_from_db()
    assert started.dose == "75mg"
    assert started.changes.count() == 2


def test_the_same_dose_is_not_a_change(started, episode, doctor):
    with pytest.raises(ValidationError) as caught:
        services.medication_change_dose(
            medication=started,
            episode=episode,
            by=doctor,
            reason="No reason",
            expected_version=1,
            **{k: v for k, v in SERTRALINE.items() if k != "name"},
        )
    assert "dose" in caught.value.message_dict


def test_nurses_who_do_not_prescribe_cannot_change_a_dose(started, episode, practitioner):
    with pytest.raises(PermissionDenied):
        services.medication_change_dose(
            medication=started,
            episode=episode,
            by=practitioner,
            dose="100mg",
            route="By mouth",
            frequency="Once a day",
            reason="Still low",
            expected_version=1,
        )


def test_a_review_leaves_the_medicine_as_it_is_and_is_written_down(started, episode, doctor):
    with pytest.raises(ValidationError):
        services.medication_review(
            medication=started, episode=episode, by=doctor, note="", expected_version=1
        )

    medication = services.medication_review(
        medication=started,
        episode=episode,
        by=doctor,
        note="Sleeping better, no side effects",
        expected_version=1,
    )

    assert (medication.dose, medication.version) == ("50mg", 2)
    assert _last_change(medication).kind == MedicationChangeKind.REVIEWED


def test_stopping_a_medicine_checks_the_date(started, episode, doctor):
    for stopped_on in (
        timezone.localdate() + dt.timedelta(days=1),
        started.started_on - dt.timedelta(days=1),
    ):
        with pytest.raises(ValidationError) as caught:
            services.medication_stop(
                medication=started,
                episode=episode,
                by=doctor,
                stopped_on=stopped_on,
                reason="Not helping",
                expected_version=1,
            )
        assert "stopped_on" in caught.value.message_dict

    medication = services.medication_stop(
        medication=started,
        episode=episode,
        by=doctor,
        stopped_on=timezone.localdate(),
        reason="Not helping",
        expected_version=1,
    )

    assert medication.stopped_on == timezone.localdate()
    assert _last_change(medication).kind == MedicationChangeKind.STOPPED
    with pytest.raises(ValidationError, match="has been stopped"):
        services.medication_review(
            medication=medication, episode=episode, by=doctor, note="Review", expected_version=2
        )


# -- Deliveries ---------------------------------------------------------------------------------


def test_a_delivery_is_recorded_with_what_who_and_when(
    started, episode, support_worker, practitioner
):
    visit = make_visit(episode, by=practitioner)
    when = timezone.now() - dt.timedelta(minutes=5)

    delivery = services.delivery_record(
        episode=episode,
        by=support_worker,
        medications=[started],
        delivered_at=when,
        delivered_by=support_worker.staff,
        supply="7 days",
        visit=visit,
    )

    assert list(delivery.medications.all()) == [started]
    assert (delivery.delivered_at, delivery.delivered_by, delivery.visit) == (
        when,
        support_worker.staff,
        visit,
    )
    assert AuditEvent.objects.filter(object_id=delivery.pk, action=AuditAction.CREATE).exists()


def test_a_delivery_cannot_be_in_the_future(started, episode, support_worker):
    with pytest.raises(ValidationError) as caught:
        services.delivery_record(
            episode=episode,
            by=support_worker,
            medications=[started],
            delivered_at=timezone.now() + dt.timedelta(minutes=2),
            delivered_by=support_worker.staff,
        )
    assert caught.value.message_dict == {
        "delivered_time": ["The delivery must be now or in the past"]
    }
    assert not MedicationDelivery.objects.exists()


def test_a_delivery_is_by_someone_in_the_team_and_on_one_of_the_persons_visits(
    started, episode, support_worker, staff_user, other_team, make_episode, practitioner
):
    outsider = staff_user(Role.SUPPORT_WORKER, in_team=other_team)
    someone_elses_visit = make_visit(
        make_episode(by=staff_user(Role.REGISTERED_PRACTITIONER)), by=practitioner
    )

    with pytest.raises(ValidationError) as caught:
        services.delivery_record(
            episode=episode,
            by=support_worker,
            medications=[started],
            delivered_at=timezone.now(),
            delivered_by=outsider.staff,
            visit=someone_elses_visit,
        )

    assert set(caught.value.message_dict) == {"delivered_by", "visit"}


def test_a_delivery_needs_at_least_one_of_the_persons_medicines(
    episode, support_worker, make_episode, doctor, staff_user
):
    another = make_episode(by=staff_user(Role.REGISTERED_PRACTITIONER))
    other = services.medication_start(episode=another, by=doctor, **SERTRALINE)

    for medicines in ([], [other]):
        with pytest.raises(ValidationError) as caught:
            services.delivery_record(
                episode=episode,
                by=support_worker,
                medications=medicines,
                delivered_at=timezone.now(),
                delivered_by=support_worker.staff,
            )
        assert "medications" in caught.value.message_dict


# -- Presenters ------------------------------------------------------------------------------------


def test_a_medicine_reads_as_a_line(started):
    assert presenters.medicine_text(started) == "Sertraline 50mg, by mouth, Once a day"
    assert presenters.since_text(started).startswith("Started by the team on ")


# -- The pages ---------------------------------------------------------------------------------


def test_the_page_shows_what_they_take_what_was_stopped_and_the_deliveries(
    signed_in, episode, doctor, support_worker, started
):
    stopped = services.medication_record(
        episode=episode,
        by=support_worker,
        name="Zopiclone",
        dose="7.5mg",
        route="By mouth",
        frequency="At night",
        started_on=dt.date(2025, 1, 1),
    )
    services.medication_stop(
        medication=stopped,
        episode=episode,
        by=doctor,
        stopped_on=timezone.localdate(),
        reason="Sleeping again",
        expected_version=1,
    )
    services.delivery_record(
        episode=episode,
        by=support_worker,
        medications=[started],
        delivered_at=timezone.now(),
        delivered_by=support_worker.staff,
        supply="7 days",
    )

    response = signed_in(support_worker).get(reverse("treatment:medication", args=[episode.pk]))

    text = page_text(response)
    assert text.index("Taking now") < text.index("Sertraline 50mg") < text.index("Deliveries")
    assert text.index("Stopped") < text.index("Zopiclone 7.5mg")
    assert "7 days" in text
    assert f"by {doctor.staff} (prescriber)" in text
    assert "Record a delivery" in text
    assert "Start a medicine" not in text  # support workers do not prescribe
    assert "Change the dose" not in text
    assert AuditEvent.objects.filter(
        actor=support_worker, action=AuditAction.VIEW, section="medication"
    ).exists()


def test_prescribers_see_the_prescribing_actions(signed_in, episode, doctor, started):
    text = page_text(signed_in(doctor).get(reverse("treatment:medication", args=[episode.pk])))
    assert "Start a medicine" in text
    assert "Change the dose of Sertraline" in text


def test_another_teams_medication_is_refused_and_audited(
    signed_in, staff_user, other_team, episode
):
    outsider = staff_user(Role.DOCTOR, in_team=other_team)

    for name in ("treatment:medication", "treatment:medication_start"):
        assert signed_in(outsider).get(reverse(name, args=[episode.pk])).status_code == 403
    assert (
        AuditEvent.objects.filter(
            actor=outsider, action=AuditAction.ACCESS_DENIED, object_id=episode.pk
        ).count()
        == 2
    )


def test_a_nurse_who_does_not_prescribe_is_refused_the_start_page(signed_in, practitioner, episode):
    client = signed_in(practitioner)
    url = reverse("treatment:medication_start", args=[episode.pk])

    assert client.get(url).status_code == 403
    assert client.post(url, SERTRALINE).status_code == 403
    assert not Medication.objects.exists()


def test_starting_a_medicine_on_the_page(signed_in, doctor, episode):
    response = signed_in(doctor).post(
        reverse("treatment:medication_start", args=[episode.pk]), SERTRALINE
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("treatment:medication", args=[episode.pk])
    assert _last_change(Medication.objects.get()).prescriber == doctor.staff


def test_a_stale_dose_change_keeps_what_was_typed(
    signed_in, doctor, nurse_prescriber, episode, started
):
    services.medication_change_dose(
        medication=started,
        episode=episode,
        by=nurse_prescriber,
        dose="75mg",
        route="By mouth",
        frequency="Once a day",
        reason="Side effects",
        expected_version=1,
    )

    response = signed_in(doctor).post(
        reverse("treatment:medication_dose", args=[episode.pk, started.pk]),
        {
            "version": "1",
            "dose": "100mg",
            "route": "By mouth",
            "frequency": "Once a day",
            "reason": "Still low",
        },
    )

    text = page_text(response)
    assert "Someone else changed this record" in text
    assert "Saved now: Sertraline 75mg" in text
    assert 'value="100mg"' in response.text
    assert 'name="version" value="2"' in response.text
    started.refresh_from_db()
    assert started.dose == "75mg"


@pytest.fixture
def at_noon(time_machine):
    """Today at noon, London (set up before the other fixtures when listed first)."""
    time_machine.move_to(
        dt.datetime.combine(timezone.localdate(), dt.time(12, 0), tzinfo=LONDON), tick=True
    )


def test_a_delivery_in_the_future_is_refused_on_the_page(
    at_noon, signed_in, support_worker, episode, started
):
    response = signed_in(support_worker).post(
        reverse("treatment:medication_delivery", args=[episode.pk]),
        {
            "medications": [str(started.pk)],
            "delivered_on[day]": str(timezone.localdate().day),
            "delivered_on[month]": str(timezone.localdate().month),
            "delivered_on[year]": str(timezone.localdate().year),
            "delivered_time": "14:00",
            "delivered_by": str(support_worker.staff.pk),
            "supply": "7 days",
        },
    )

    assert "The delivery must be now or in the past" in page_text(response)
    assert 'value="7 days"' in response.text
    assert not MedicationDelivery.objects.exists()


def test_recording_a_delivery_on_the_page(signed_in, support_worker, episode, started):
    now = timezone.localtime() - dt.timedelta(minutes=1)
    response = signed_in(support_worker).post(
        reverse("treatment:medication_delivery", args=[episode.pk]),
        {
            "medications": [str(started.pk)],
            "delivered_on[day]": str(now.day),
            "delivered_on[month]": str(now.month),
            "delivered_on[year]": str(now.year),
            "delivered_time": now.strftime("%H:%M"),
            "delivered_by": str(support_worker.staff.pk),
        },
    )

    assert response.status_code == 302
    assert MedicationDelivery.objects.get().delivered_by == support_worker.staff


@pytest.mark.parametrize("count", [1, 5])
def test_the_page_issues_a_fixed_number_of_queries(
    signed_in, doctor, episode, support_worker, count, django_assert_num_queries
):
    for n in range(count):
        medication = services.medication_start(
            episode=episode, by=doctor, **{**SERTRALINE, "name": f"Medicine {n}"}
        )
        services.medication_review(
            medication=medication, episode=episode, by=doctor, note="Fine", expected_version=1
        )
        services.delivery_record(
            episode=episode,
            by=support_worker,
            medications=[medication],
            delivered_at=timezone.now(),
            delivered_by=support_worker.staff,
        )
    client = signed_in(doctor)

    # session, user, episode (team-scoped), audit insert, medicines, their changes, deliveries,
    # their medicines, the prescriber check, the alert banner, session update (in a savepoint).
    with django_assert_num_queries(13):
        client.get(reverse("treatment:medication", args=[episode.pk]))
