"""Which records go in a month's export (London days), read in a fixed number of queries.

Records are saved directly (as the demo data and caseload_data do) so each one's times are
exactly those the test names."""

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crisis_care.assessments.models import Assessment, Decision, Outcome, Venue
from crisis_care.core.models import User
from crisis_care.core.roles import Role
from crisis_care.nonprod import factories
from crisis_care.people.models import Person
from crisis_care.referrals.models import Referral, Status
from crisis_care.reporting.mhsds import TABLES, build_table, month_period
from crisis_care.reporting.selectors import mhsds as selectors
from crisis_care.reporting.tasks import FACTS
from crisis_care.treatment.models import (
    Admission,
    Attendance,
    CareContact,
    Episode,
    EpisodeStatus,
    Medium,
    VisitLocation,
)
from crisis_care.workforce.models import Team

UTC = dt.UTC
MARCH = month_period(dt.date(2026, 3, 1))


def at(y: int, m: int, d: int, h: int = 12, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=UTC)


@pytest.fixture
def manager(staff_user: Callable[..., User]) -> User:
    return staff_user(Role.TEAM_MANAGER)


def make_referral(
    team: Team,
    by: User,
    *,
    received: dt.datetime,
    person: Person | None = None,
    status: str = Status.ACCEPTED,
    closed: dt.datetime | None = None,
    **fields: object,
) -> Referral:
    return Referral.objects.create(
        team=team,
        person=person or factories.PersonFactory(),
        received_at=received,
        channel="phone",
        source=fields.pop("source", "gp"),
        reason="Low mood, not sleeping",
        person_agrees="agrees",
        priority=fields.pop("priority", "2"),
        status=status,
        closed_at=closed,
        created_by=by,
        **fields,
    )


def make_decision(referral: Referral, by: User, decided: dt.datetime, outcome: str) -> Decision:
    assessment = Assessment.objects.create(
        referral=referral,
        person=referral.person,
        starts_at=decided - dt.timedelta(hours=1),
        ends_at=decided,
        venue=Venue.HOME,
        booked_by=by,
    )
    extra = (
        {"legal_status": "voluntary", "ward": "Ward 3", "gatekept_in_person": True}
        if outcome == Outcome.ADMISSION
        else {}
    )
    return Decision.objects.create(
        assessment=assessment,
        outcome=outcome,
        reasons="Discussed with the person",
        decided_by=by,
        decided_at=decided,
        **extra,
    )


def make_episode(
    team: Team,
    by: User,
    *,
    received: dt.datetime,
    started: dt.datetime,
    closed: dt.datetime | None = None,
    person: Person | None = None,
) -> Episode:
    referral = make_referral(
        team, by, received=received, person=person, status=Status.CLOSED, closed=started
    )
    decision = make_decision(referral, by, started, Outcome.HOME_TREATMENT)
    assert referral.person is not None
    return Episode.objects.create(
        referral=referral,
        person=referral.person,
        team=team,
        decision=decision,
        started_at=started,
        status=EpisodeStatus.CLOSED if closed else EpisodeStatus.OPEN,
        closed_at=closed,
        opened_by=by,
    )


def make_contact(episode: Episode, by: User, start: dt.datetime, **fields: object) -> CareContact:
    return CareContact.objects.create(
        episode=episode,
        started_at=start,
        ended_at=start + dt.timedelta(minutes=30),
        medium=fields.pop("medium", Medium.FACE_TO_FACE),
        location=fields.pop("location", VisitLocation.HOME),
        attendance=fields.pop("attendance", Attendance.ATTENDED),
        recorded_by=by,
        recorded_at=start + dt.timedelta(hours=1),
        **fields,
    )


def make_admission(
    team: Team, by: User, *, admitted: dt.datetime, discharged: dt.datetime | None
) -> Admission:
    referral = make_referral(
        team,
        by,
        received=admitted - dt.timedelta(hours=5),
        status=Status.CLOSED,
        closed=admitted - dt.timedelta(hours=1),
    )
    decision = make_decision(referral, by, admitted - dt.timedelta(hours=1), Outcome.ADMISSION)
    assert referral.person is not None
    return Admission.objects.create(
        person=referral.person,
        decision=decision,
        ward="Ward 3",
        legal_status="voluntary",
        admitted_at=admitted,
        discharged_at=discharged,
    )


def referral_ids(team: Team) -> set[object]:
    return {f.referral_id for f in selectors.referrals(team=team, period=MARCH)}


def test_referrals_received_or_open_in_the_month(team: Team, manager: User) -> None:
    in_march = make_referral(team, manager, received=at(2026, 3, 5))
    carried = make_episode(team, manager, received=at(2026, 2, 10), started=at(2026, 2, 11))
    ended_in_march = make_episode(
        team, manager, received=at(2026, 2, 1), started=at(2026, 2, 2), closed=at(2026, 3, 3)
    )
    ended_before = make_episode(
        team, manager, received=at(2026, 1, 1), started=at(2026, 1, 2), closed=at(2026, 2, 20)
    )
    declined_before = make_referral(
        team, manager, received=at(2026, 2, 1), status=Status.DECLINED, closed=at(2026, 2, 1, 13)
    )
    declined_in = make_referral(
        team, manager, received=at(2026, 3, 2), status=Status.DECLINED, closed=at(2026, 3, 2, 13)
    )
    april = make_referral(team, manager, received=at(2026, 4, 1, 9))

    found = referral_ids(team)

    assert in_march.pk in found
    assert carried.referral_id in found
    assert ended_in_march.referral_id in found
    assert declined_in.pk in found
    assert ended_before.referral_id not in found
    assert declined_before.pk not in found
    assert april.pk not in found


def test_a_referral_row_carries_its_decision_discharge_and_rejection(
    team: Team, manager: User
) -> None:
    episode = make_episode(
        team,
        manager,
        received=at(2026, 3, 1, 9),
        started=at(2026, 3, 1, 15),
        closed=at(2026, 3, 20),
    )
    declined = make_referral(
        team, manager, received=at(2026, 3, 2), status=Status.DECLINED, closed=at(2026, 3, 2, 13)
    )
    facts = {f.referral_id: f for f in selectors.referrals(team=team, period=MARCH)}

    treated = facts[episode.referral_id]
    assert treated.decision_to_treat_at == at(2026, 3, 1, 15)
    assert treated.discharged_at == at(2026, 3, 20)  # when the team's care ended, not triage
    assert treated.rejected_at is None
    assert treated.team_type == "A02"
    assert facts[declined.pk].rejected_at == at(2026, 3, 2, 13)
    assert facts[declined.pk].discharged_at is None


def test_a_referral_received_just_before_midnight_bst_at_the_end_of_march(
    team: Team, manager: User
) -> None:
    late = make_referral(team, manager, received=at(2026, 3, 31, 22, 59))  # 23:59 BST
    early_april = make_referral(team, manager, received=at(2026, 3, 31, 23, 0))  # 00:00 BST
    found = referral_ids(team)
    assert late.pk in found
    assert early_april.pk not in found


def test_contacts_in_the_month_by_london_time(team: Team, manager: User) -> None:
    episode = make_episode(team, manager, received=at(2026, 2, 27), started=at(2026, 2, 28))
    last_of_feb = make_contact(episode, manager, at(2026, 2, 28, 23, 30))  # GMT: February
    first_of_march = make_contact(episode, manager, at(2026, 3, 1, 0, 0))
    late_31st = make_contact(episode, manager, at(2026, 3, 31, 22, 30))  # 23:30 BST
    april = make_contact(episode, manager, at(2026, 3, 31, 23, 30))  # 00:30 BST on 1 April

    found = {f.contact_id: f for f in selectors.care_contacts(team=team, period=MARCH)}

    assert set(found) == {first_of_march.pk, late_31st.pk}
    assert last_of_feb.pk not in found and april.pk not in found
    built = build_table(TABLES[4], [found[late_31st.pk]])
    assert "2026-03-31,23:30:00" in built.csv_text


def test_another_teams_records_are_left_out(team: Team, other_team: Team, manager: User) -> None:
    ours = make_episode(team, manager, received=at(2026, 3, 1), started=at(2026, 3, 2))
    theirs = make_episode(other_team, manager, received=at(2026, 3, 1), started=at(2026, 3, 2))
    make_contact(ours, manager, at(2026, 3, 3))
    make_contact(theirs, manager, at(2026, 3, 3))
    make_admission(other_team, manager, admitted=at(2026, 3, 5), discharged=None)

    assert referral_ids(team) == {ours.referral_id}
    assert [c.person_id for c in selectors.care_contacts(team=team, period=MARCH)] == [
        ours.person_id
    ]
    assert list(selectors.hospital_spells(team=team, period=MARCH)) == []
    assert {p.person_id for p in selectors.people(team=team, period=MARCH)} == {ours.person_id}


def test_hospital_spells_overlapping_the_month(team: Team, manager: User) -> None:
    still_in = make_admission(team, manager, admitted=at(2026, 2, 10), discharged=None)
    left_in_march = make_admission(
        team, manager, admitted=at(2026, 2, 20), discharged=at(2026, 3, 4)
    )
    left_before = make_admission(team, manager, admitted=at(2026, 1, 20), discharged=at(2026, 2, 4))
    april = make_admission(team, manager, admitted=at(2026, 4, 2), discharged=None)

    spells = {s.admission_id: s for s in selectors.hospital_spells(team=team, period=MARCH)}

    assert set(spells) == {still_in.pk, left_in_march.pk}
    assert left_before.pk not in spells and april.pk not in spells
    assert spells[still_in.pk].referral_id == still_in.decision.assessment.referral_id  # type: ignore[union-attr]
    # The people of spells are in the patient index even without a referral in the month.
    people = {p.person_id for p in selectors.people(team=team, period=MARCH)}
    assert still_in.person_id in people


def test_an_early_discharge_from_a_ward_belongs_to_the_team_that_took_it_on(
    team: Team, manager: User
) -> None:
    ward = Admission.objects.create(
        person=factories.PersonFactory(),
        ward="Ward 1",
        legal_status="voluntary",
        admitted_at=at(2026, 2, 25),
        discharged_at=at(2026, 3, 6),
    )
    episode = make_episode(
        team, manager, received=at(2026, 3, 5), started=at(2026, 3, 6), person=ward.person
    )
    Episode.objects.filter(pk=episode.pk).update(early_discharge_from=ward)

    spells = list(selectors.hospital_spells(team=team, period=MARCH))
    assert [(s.admission_id, s.referral_id) for s in spells] == [(ward.pk, episode.referral_id)]


def test_people_carry_their_gp_practice_and_appear_once(team: Team, manager: User) -> None:
    person = factories.PersonFactory(nhs_number="")
    person.gp_practice = None
    person.save()
    episode = make_episode(
        team, manager, received=at(2026, 3, 1), started=at(2026, 3, 2), person=person
    )
    make_contact(episode, manager, at(2026, 3, 3))
    make_contact(episode, manager, at(2026, 3, 4))
    gp_person = make_referral(team, manager, received=at(2026, 3, 8)).person
    assert gp_person is not None

    people = {p.person_id: p for p in selectors.people(team=team, period=MARCH)}

    assert set(people) == {person.pk, gp_person.pk}
    assert people[person.pk].gp_practice_code == ""
    assert people[person.pk].nhs_number == ""
    assert people[gp_person.pk].gp_practice_code == gp_person.gp_practice.ods_code  # type: ignore[union-attr]


def _queries_to_build(team: Team) -> int:
    with CaptureQueriesContext(connection) as ctx:
        for table in TABLES:
            build_table(table, FACTS[table.code](team=team, period=MARCH))
    return len(ctx.captured_queries)


def _month_of_records(team: Team, by: User, n: int) -> None:
    for i in range(n):
        episode = make_episode(
            team, by, received=at(2026, 3, 1 + i, 8), started=at(2026, 3, 1 + i, 12)
        )
        make_contact(episode, by, at(2026, 3, 1 + i, 15))
        make_contact(episode, by, at(2026, 3, 2 + i, 15), medium=Medium.TELEPHONE)
        make_admission(team, by, admitted=at(2026, 3, 2 + i), discharged=None)


def test_the_build_takes_the_same_queries_for_few_or_many_records(
    team: Team, other_team: Team, manager: User
) -> None:
    _month_of_records(team, manager, 1)
    _month_of_records(other_team, manager, 12)
    few = _queries_to_build(team)
    many = _queries_to_build(other_team)
    assert few == many == len(TABLES)
