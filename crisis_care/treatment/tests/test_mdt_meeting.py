"""The daily meeting: starting it with who attends (their profession recorded as it is that
day: CORE item 29), changing who attends while it runs, ending it, and what the board shows."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from crisis_care.core.models import AuditEvent, User
from crisis_care.core.roles import Role
from crisis_care.core.testing import page_text
from crisis_care.nonprod import factories
from crisis_care.treatment.models import MdtAttendance, MdtMeeting
from crisis_care.treatment.services import mdt as services
from crisis_care.workforce.models import Profession

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(team) -> User:
    return factories.StaffMemberFactory(
        role=Role.TEAM_MANAGER, team=team, user__first_name="Ros", user__last_name="Patel"
    ).user


@pytest.fixture
def doctor(team) -> User:
    return factories.StaffMemberFactory(
        role=Role.DOCTOR, team=team, user__first_name="Amara", user__last_name="Shah"
    ).user


@pytest.fixture
def psychologist(team) -> User:
    return factories.StaffMemberFactory(
        role=Role.PSYCHOLOGIST, team=team, user__first_name="Li", user__last_name="Wong"
    ).user


def _start(client, team, *attendees):
    return client.post(
        reverse("treatment:mdt_start"),
        {"team": str(team.pk), "attendees": [str(u.staff.pk) for u in attendees]},
    )


def test_the_start_page_lists_the_team_to_choose_who_attends(
    signed_in, manager, doctor, team, other_team
):
    outsider = factories.StaffMemberFactory(role=Role.DOCTOR, team=other_team)

    text = page_text(signed_in(manager).get(reverse("treatment:mdt_start")))

    assert "Amara Shah, Psychiatrist" in text
    assert str(outsider) not in text
    assert "You will chair the meeting" in text


def test_starting_records_the_chair_and_attendees_with_their_professions(
    signed_in, manager, doctor, psychologist, team
):
    response = _start(signed_in(manager), team, doctor, psychologist)

    assert response.status_code == 302
    meeting = MdtMeeting.objects.get(team=team)
    assert meeting.chair == manager.staff and meeting.ended_at is None
    recorded = {(row.staff.user, row.profession) for row in meeting.attendance.all()}
    assert recorded == {
        (manager, Profession.NURSE),
        (doctor, Profession.PSYCHIATRIST),
        (psychologist, Profession.PSYCHOLOGIST),
    }
    audit = AuditEvent.objects.get(section="mdt", object_id=meeting.pk)
    assert audit.action == "create"
    assert sorted(audit.detail["professions"]) == ["nurse", "psychiatrist", "psychologist"]


def test_the_profession_recorded_is_the_one_on_the_day(manager, doctor, team):
    meeting = services.mdt_start(team=team, attendees=[doctor.staff], by=manager)
    staff = doctor.staff
    staff.profession = Profession.NON_MEDICAL_PRESCRIBER
    staff.save()

    row = MdtAttendance.objects.get(meeting=meeting, staff=staff)
    assert row.profession == Profession.PSYCHIATRIST


def test_the_board_shows_the_meeting_its_attendees_and_the_count_of_professions(
    signed_in, manager, doctor, psychologist, team
):
    clerk = factories.StaffMemberFactory(role=Role.ADMINISTRATOR, team=team).user
    services.mdt_start(
        team=team, attendees=[doctor.staff, psychologist.staff, clerk.staff], by=manager
    )

    text = page_text(signed_in(manager).get(reverse("treatment:mdt_board")))

    assert "In progress" in text
    assert "chaired by Ros Patel" in text
    # Four people, three professions (clerical staff are not a CORE item 29 profession).
    assert "Attending: 4 people, 3 professions" in text
    assert "Amara Shah Psychiatrist" in text
    assert "Ros Patel (chair) Mental health nurse" in text
    assert "End the meeting" in text


def test_a_second_meeting_cannot_start_while_one_is_running(signed_in, manager, doctor, team):
    services.mdt_start(team=team, attendees=[], by=manager)

    with pytest.raises(ValidationError):
        services.mdt_start(team=team, attendees=[], by=doctor)
    response = _start(signed_in(doctor), team)

    assert response.status_code == 302
    assert MdtMeeting.objects.filter(team=team).count() == 1


def test_only_members_of_the_team_can_be_recorded_as_attending(manager, team, other_team):
    outsider = factories.StaffMemberFactory(role=Role.DOCTOR, team=other_team)

    with pytest.raises(ValidationError) as error:
        services.mdt_start(team=team, attendees=[outsider], by=manager)

    assert "Only members of" in error.value.message_dict["attendees"][0]
    assert not MdtMeeting.objects.exists()


def test_the_form_refuses_staff_from_another_team(signed_in, manager, team, other_team):
    outsider = factories.StaffMemberFactory(role=Role.DOCTOR, team=other_team)

    response = signed_in(manager).post(
        reverse("treatment:mdt_start"), {"team": str(team.pk), "attendees": [str(outsider.pk)]}
    )

    assert response.status_code == 200
    assert "Select members of the team from the list" in page_text(response)
    assert not MdtMeeting.objects.exists()


@pytest.mark.parametrize("role", [Role.SUPPORT_WORKER, Role.ADMINISTRATOR])
def test_roles_that_do_not_run_the_review_cannot_start_it(signed_in, staff_user, team, role):
    client = signed_in(staff_user(role))

    assert client.get(reverse("treatment:mdt_start")).status_code == 403
    assert _start(client, team).status_code == 403
    assert not MdtMeeting.objects.exists()


def test_attendance_can_change_while_the_meeting_runs(
    signed_in, manager, doctor, psychologist, team
):
    meeting = services.mdt_start(team=team, attendees=[doctor.staff], by=manager)
    client = signed_in(manager)

    page = page_text(client.get(reverse("treatment:mdt_attendance", args=[meeting.pk])))
    response = client.post(
        reverse("treatment:mdt_attendance", args=[meeting.pk]),
        {"attendees": [str(psychologist.staff.pk)]},
    )

    assert "Ros Patel is chairing" in page
    assert response.status_code == 302
    attending = set(meeting.attendance.values_list("staff__user__last_name", flat=True))
    assert attending == {"Patel", "Wong"}  # the chair always attends
    audit = AuditEvent.objects.filter(section="mdt", action="update").get()
    assert audit.detail["added"] == [str(psychologist.staff.pk)]
    assert audit.detail["removed"] == [str(doctor.staff.pk)]


def test_someone_already_attending_keeps_the_profession_recorded_when_they_joined(
    manager, doctor, psychologist, team
):
    meeting = services.mdt_start(team=team, attendees=[doctor.staff], by=manager)
    staff = doctor.staff
    staff.profession = Profession.NON_MEDICAL_PRESCRIBER
    staff.save()

    services.mdt_attendance_set(meeting=meeting, attendees=[staff, psychologist.staff], by=manager)

    assert MdtAttendance.objects.get(meeting=meeting, staff=staff).profession == "psychiatrist"


def test_ending_the_meeting_keeps_it_on_the_board_as_earlier_today(signed_in, manager, team):
    meeting = services.mdt_start(team=team, attendees=[], by=manager)
    client = signed_in(manager)

    response = client.post(reverse("treatment:mdt_end", args=[meeting.pk]))

    meeting.refresh_from_db()
    assert response.status_code == 302 and meeting.ended_at is not None
    text = page_text(client.get(reverse("treatment:mdt_board")))
    assert "No meeting is running" in text
    assert "Earlier today" in text and "1 attending, 1 profession" in text
    assert AuditEvent.objects.filter(section="mdt", action="update", object_id=meeting.pk).exists()
    # Attendance cannot change after the end, and the meeting cannot end twice.
    with pytest.raises(ValidationError):
        services.mdt_attendance_set(meeting=meeting, attendees=[], by=manager)
    with pytest.raises(ValidationError):
        services.mdt_end(meeting=meeting, by=manager)


def test_another_teams_meeting_cannot_be_changed(signed_in, staff_user, manager, team, other_team):
    meeting = services.mdt_start(team=team, attendees=[], by=manager)
    outsider = signed_in(staff_user(Role.TEAM_MANAGER, in_team=other_team))

    assert outsider.post(reverse("treatment:mdt_end", args=[meeting.pk])).status_code == 403
    assert outsider.get(reverse("treatment:mdt_attendance", args=[meeting.pk])).status_code == 403
    meeting.refresh_from_db()
    assert meeting.ended_at is None
    assert AuditEvent.objects.filter(action="access_denied", object_id=meeting.pk).count() == 2


def test_ending_is_a_post(signed_in, manager, team):
    meeting = services.mdt_start(team=team, attendees=[], by=manager)

    assert (
        signed_in(manager).get(reverse("treatment:mdt_end", args=[meeting.pk])).status_code == 405
    )
