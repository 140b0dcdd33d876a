import datetime as dt
import io
import itertools
from collections import Counter, defaultdict

import pytest
import time_machine
from django.contrib.auth.hashers import check_password
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from crisis_care.core.clock import LONDON, local_date
from crisis_care.core.models import AuditEvent, User
from crisis_care.core.roles import Role
from crisis_care.nonprod.demo import (
    CLINICAL_DEMO_LOGINS,
    DEFAULT_PASSWORD,
    DEMO_LOGINS,
    OTHER_TEAM_LOGIN,
)
from crisis_care.nonprod.factories import LLR_DISTRICTS, UserFactory
from crisis_care.people.models import (
    BreakGlassAccess,
    CareTeamLink,
    ConsentRecord,
    Contact,
    GPPractice,
    Involvement,
    Person,
)
from crisis_care.people.validators import (
    is_valid_nhs_number,
    postcode_district,
    validate_postcode,
)
from crisis_care.workforce.models import (
    Profession,
    Registration,
    Shift,
    ShiftAssignment,
    ShiftType,
    StaffMember,
    Team,
    TeamMembership,
)
from crisis_care.workforce.selectors import (
    staff_for_team,
    staff_is_registered_practitioner,
    staff_on_shift,
)

MAIN = "llr-crht"
OLDER = "llr-op-crisis"
COUNCIL = "lcc-crs"


def run_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo_data", *args, stdout=out)
    return out.getvalue()


def people_snapshot() -> list[tuple[str, str, str, str]]:
    return list(
        Person.objects.order_by("nhs_number").values_list(
            "nhs_number", "given_name", "family_name", "postcode"
        )
    )


def wipe_demo_data() -> None:
    """Empty the tables the demo fills, in an order the PROTECT foreign keys allow."""
    assert not AuditEvent.objects.exists()  # demo rows are not audited one by one
    ShiftAssignment.objects.all().delete()
    Shift.objects.all().delete()
    ShiftType.objects.all().delete()
    Contact.objects.update(current_consent=None)
    ConsentRecord.objects.all().delete()
    Contact.objects.all().delete()
    CareTeamLink.objects.all().delete()
    BreakGlassAccess.objects.all().delete()
    Person.objects.all().delete()
    GPPractice.objects.all().delete()
    Registration.objects.all().delete()
    TeamMembership.objects.all().delete()
    StaffMember.objects.all().delete()
    Team.objects.all().delete()
    User.objects.all().delete()


class TestTheDefaultDemo(TestCase):
    """One build with the default options (300 people), checked from many sides. Referrals are
    left out here (they add people and team links); test_referrals_demo checks them."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.output = run_demo("--referral-days", "0")
        cls.main = Team.objects.get(code=MAIN)

    def main_team_professions(self) -> Counter[str]:
        return Counter(staff_for_team(team=self.main).values_list("profession", flat=True))

    def test_it_builds_the_three_teams(self) -> None:
        main = self.main
        assert main.name == "LLR Adult Crisis Resolution and Home Treatment Team"
        assert (main.team_type, main.phone, main.base_postcode) == (
            "A02",
            "0300 300 1010",
            "LE3 9EJ",
        )
        assert main.base_address == "Bradgate Unit, Groby Road, Glenfield Hospital, Leicester"
        assert [st.name for st in main.shift_types.order_by("ordering")] == [
            "Early",
            "Late",
            "Night",
        ]
        assert Team.objects.get(code=OLDER).team_type == "A02"
        council = Team.objects.get(code=COUNCIL)
        assert (council.team_type, council.phone) == ("LA", "0116 305 0495")

    def test_it_staffs_the_main_team_with_a_realistic_mix(self) -> None:
        professions = self.main_team_professions()
        assert 75 <= sum(professions.values()) <= 85
        expected = {
            Profession.NURSE: (24, 30),  # including the two team managers
            Profession.PSYCHIATRIST: (3, 5),
            Profession.SOCIAL_WORKER: (4, 8),
            Profession.OCCUPATIONAL_THERAPIST: (2, 4),
            Profession.PSYCHOLOGIST: (1, 3),
            Profession.NON_MEDICAL_PRESCRIBER: (2, 4),
            Profession.SUPPORT_WORKER: (20, 28),
            Profession.PEER_SUPPORT_WORKER: (2, 4),
            Profession.PHARMACIST: (1, 1),
            Profession.ADMINISTRATOR: (4, 8),
        }
        for profession, (low, high) in expected.items():
            assert low <= professions[profession] <= high, profession
        managers = staff_for_team(team=self.main).filter(user__role=Role.TEAM_MANAGER)
        assert [m.profession for m in managers] == [Profession.NURSE, Profession.NURSE]

    def test_the_other_teams_have_a_few_staff(self) -> None:
        older = staff_for_team(team=Team.objects.get(code=OLDER)).count()
        council = staff_for_team(team=Team.objects.get(code=COUNCIL)).count()
        assert 8 <= older <= 12
        assert 2 <= council <= 6

    def test_roles_follow_profession(self) -> None:
        roles: dict[str, set[str]] = defaultdict(set)
        for staff in StaffMember.objects.select_related("user"):
            roles[staff.profession].add(staff.user.role)
        assert roles[Profession.PSYCHIATRIST] == {Role.DOCTOR}
        assert roles[Profession.PSYCHOLOGIST] == {Role.PSYCHOLOGIST}
        assert roles[Profession.SOCIAL_WORKER] == {Role.REGISTERED_PRACTITIONER}
        assert roles[Profession.NURSE] == {Role.REGISTERED_PRACTITIONER, Role.TEAM_MANAGER}
        assert roles[Profession.PEER_SUPPORT_WORKER] == {Role.SUPPORT_WORKER}
        assert roles[Profession.PHARMACIST] == {Role.SUPPORT_WORKER}

    def test_every_registrable_professional_is_registered_and_two_nurses_have_lapsed(self) -> None:
        today = timezone.localdate()
        lapsed = []
        for staff in StaffMember.objects.prefetch_related("registrations"):
            registrations = list(staff.registrations.all())
            if staff.profession in (
                Profession.SUPPORT_WORKER,
                Profession.PEER_SUPPORT_WORKER,
                Profession.ADMINISTRATOR,
            ):
                assert registrations == []
                continue
            assert len(registrations) == 1, staff
            if registrations[0].expires_on < today:
                lapsed.append(staff)
        assert [s.profession for s in lapsed] == [Profession.NURSE, Profession.NURSE]
        assert not any(staff_is_registered_practitioner(s) for s in lapsed)

    def test_it_makes_one_login_per_role_and_one_in_the_other_team(self) -> None:
        for username, role in DEMO_LOGINS:
            user = User.objects.get(username=username)
            assert user.role == role
            assert check_password(DEFAULT_PASSWORD, user.password)
        assert {role for _, role in DEMO_LOGINS} == set(Role.values)
        other = User.objects.get(username=OTHER_TEAM_LOGIN)
        assert other.role == Role.REGISTERED_PRACTITIONER
        assert list(other.staff.teams.values_list("code", flat=True)) == [OLDER]
        assert staff_is_registered_practitioner(other.staff)
        for username in (*CLINICAL_DEMO_LOGINS, "demo.administrator"):
            assert list(
                User.objects.get(username=username).staff.teams.values_list("code", flat=True)
            ) == [MAIN]

    def test_only_the_demo_logins_can_sign_in(self) -> None:
        usable = [u.username for u in User.objects.all() if u.has_usable_password()]
        assert sorted(usable) == sorted([u for u, _ in DEMO_LOGINS] + [OTHER_TEAM_LOGIN])

    def test_the_ig_auditor_and_system_administrator_are_in_no_care_team(self) -> None:
        for username in ("demo.ig_auditor", "demo.system_administrator"):
            assert not User.objects.get(username=username).staff.teams.exists()

    def test_it_prints_the_logins_the_password_and_people_to_try(self) -> None:
        for username, _ in DEMO_LOGINS:
            assert username in self.output
        assert OTHER_TEAM_LOGIN in self.output
        assert f"Password for all demo logins: {DEFAULT_PASSWORD}" in self.output
        first, second = Person.objects.order_by("nhs_number")[:2]
        assert "Try finding:" in self.output
        assert f"{first.full_name}, NHS number 999 000 0018" in self.output
        assert f"{second.full_name}, NHS number 999 000 0026" in self.output
        assert "Demo data loaded in " in self.output

    # --- rota ---

    def test_the_demo_clinical_logins_are_on_shift_now(self) -> None:
        on_now = set(
            staff_on_shift(team=self.main, at=timezone.now()).values_list(
                "user__username", flat=True
            )
        )
        assert set(CLINICAL_DEMO_LOGINS) <= on_now
        assert "demo.administrator" not in on_now

    def test_the_rota_runs_from_a_week_ago_to_a_fortnight_ahead(self) -> None:
        today = timezone.localdate()
        days = Counter(Shift.objects.filter(team=self.main).values_list("day", flat=True))
        assert min(days) == today - dt.timedelta(days=7)
        assert max(days) == today + dt.timedelta(days=14)
        assert len(days) == 22
        assert set(days.values()) == {3}

    def test_every_shift_has_a_registered_coordinator_and_two_registered_practitioners(
        self,
    ) -> None:
        shifts = (
            Shift.objects.filter(team=self.main)
            .select_related("shift_type")
            .prefetch_related("assignments__staff__registrations", "assignments__staff__user")
        )
        for shift in shifts:
            assignments = list(shift.assignments.all())
            minimum = 6 if shift.shift_type.name == "Night" else 10
            assert len(assignments) >= minimum, shift
            coordinators = [a.staff for a in assignments if a.is_coordinator]
            assert len(coordinators) == 1, shift
            assert staff_is_registered_practitioner(coordinators[0])
            registered = [a for a in assignments if staff_is_registered_practitioner(a.staff)]
            assert len(registered) >= 2, shift

    def test_nobody_works_overlapping_shifts_or_without_eleven_hours_rest(self) -> None:
        worked: dict[object, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
        for a in ShiftAssignment.objects.select_related("shift"):
            worked[a.staff_id].append((a.shift.starts_at, a.shift.ends_at))
        for shifts in worked.values():
            shifts.sort()
            for (_, end), (next_start, _) in itertools.pairwise(shifts):
                assert next_start >= end + dt.timedelta(hours=11)

    def test_the_rota_is_shared_fairly(self) -> None:
        counts = Counter(ShiftAssignment.objects.values_list("staff_id", flat=True))
        assert max(counts.values()) - min(counts.values()) <= 4
        rostered = StaffMember.objects.filter(assignments__isnull=False).distinct()
        assert not rostered.filter(profession=Profession.ADMINISTRATOR).exists()

    # --- people ---

    def test_it_creates_about_300_people_and_40_practices(self) -> None:
        assert Person.objects.count() == 300
        assert 35 <= GPPractice.objects.count() <= 45

    def test_every_nhs_number_is_valid_unique_and_from_the_test_range(self) -> None:
        numbers = list(Person.objects.values_list("nhs_number", flat=True))
        assert len(set(numbers)) == len(numbers)
        for number in numbers:
            assert number.startswith("999")
            assert is_valid_nhs_number(number)

    def test_every_postcode_is_in_an_llr_district_and_the_town_matches(self) -> None:
        for person in Person.objects.all():
            validate_postcode(person.postcode)
            district = postcode_district(person.postcode)
            assert district in LLR_DISTRICTS
            assert person.town == LLR_DISTRICTS[district]
        for practice in GPPractice.objects.all():
            validate_postcode(practice.postcode)
            assert postcode_district(practice.postcode) in LLR_DISTRICTS

    def test_names_are_searchable_case_insensitively(self) -> None:
        for person in Person.objects.all():
            assert person.family_name_search == person.family_name.casefold()

    def test_about_15_percent_have_communication_needs(self) -> None:
        people = list(Person.objects.all())
        with_needs = [p for p in people if p.has_communication_needs]
        assert 0.10 <= len(with_needs) / len(people) <= 0.20
        languages = {p.interpreter_language for p in people if p.interpreter_needed}
        assert len(languages) >= 4
        assert any(p.uses_bsl for p in people)
        assert any(p.easy_read for p in people)
        assert any(p.other_adjustments and not p.uses_bsl for p in people)

    def test_contacts_carers_and_involvement_are_mixed(self) -> None:
        contacts = list(Contact.objects.all())
        per_person = Counter(Contact.objects.values_list("person_id", flat=True))
        assert max(per_person.values()) <= 3
        assert Person.objects.exclude(id__in=per_person.keys()).exists()  # some have none
        assert 0.30 <= sum(c.is_carer for c in contacts) / len(contacts) <= 0.50
        refused = [c for c in contacts if c.involvement == Involvement.DOES_NOT_WANT]
        assert 0.05 <= len(refused) / len(contacts) <= 0.15
        assert all(c.involvement_note for c in refused)

    def test_most_contacts_have_a_current_consent_and_a_few_are_overdue_for_review(self) -> None:
        contacts = list(Contact.objects.select_related("current_consent__recorded_by"))
        with_consent = [c for c in contacts if c.current_consent is not None]
        assert len(with_consent) / len(contacts) >= 0.6
        now, today = timezone.now(), timezone.localdate()
        for contact in with_consent:
            consent = contact.current_consent
            assert consent.contact_id == contact.id
            assert now - dt.timedelta(days=61) <= consent.recorded_at <= now
            assert consent.recorded_by.role in (Role.REGISTERED_PRACTITIONER, Role.TEAM_MANAGER)
            if contact.involvement == Involvement.DOES_NOT_WANT:
                assert consent.scope == "nothing"
        overdue = [c for c in with_consent if c.current_consent.review_on < today]
        assert 3 <= len(overdue) <= 10
        assert ConsentRecord.objects.count() == len(with_consent)

    def test_most_people_are_linked_to_the_main_team_and_three_to_the_older_peoples(self) -> None:
        people = Person.objects.count()
        main_links = CareTeamLink.objects.filter(team=self.main)
        assert 0.80 <= main_links.count() / people <= 0.90
        assert not main_links.values("person").annotate().filter(person__team_links__isnull=True)
        now = timezone.now()
        for link in main_links:
            assert link.source == "registration"
            assert now - dt.timedelta(days=60, minutes=1) <= link.opened_at <= now
            if link.closed_at is not None:
                days = (now - link.closed_at) / dt.timedelta(days=1)
                assert 10 <= days <= 40
                assert link.opened_at < link.closed_at
        closed = main_links.filter(closed_at__isnull=False)
        assert closed.filter(closed_at__gt=now - dt.timedelta(days=28)).exists()
        assert closed.filter(closed_at__lt=now - dt.timedelta(days=28)).exists()
        assert 100 <= main_links.filter(closed_at__isnull=True).count() <= 160
        older = CareTeamLink.objects.filter(team__code=OLDER)
        assert older.count() == 3
        assert not main_links.filter(person__in=older.values("person")).exists()
        assert not CareTeamLink.objects.filter(team__code=COUNCIL).exists()

    def test_the_people_to_try_are_known_to_the_main_team(self) -> None:
        first, second = Person.objects.order_by("nhs_number")[:2]
        for person in (first, second):
            assert person.team_links.get().team == self.main
        assert second.interpreter_language == "Polish"
        assert second.contacts.filter(involvement=Involvement.DOES_NOT_WANT).exists()
        assert first.contacts.filter(is_carer=True, current_consent__scope="care_plan").exists()

    def test_running_it_again_changes_nothing(self) -> None:
        before = (User.objects.count(), Person.objects.count(), ShiftAssignment.objects.count())
        output = run_demo()
        assert output.startswith("Database already has data; demo data not loaded")
        # The logins are printed again so `make run` always shows them.
        assert "demo.registered_practitioner" in output
        after = (User.objects.count(), Person.objects.count(), ShiftAssignment.objects.count())
        assert after == before


@pytest.mark.django_db
def test_it_does_nothing_when_any_user_exists() -> None:
    UserFactory()
    assert run_demo().strip() == "Database already has data; demo data not loaded"
    assert Person.objects.count() == 0
    assert not Team.objects.exists()


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_people_on_a_fresh_database() -> None:
    run_demo("--people", "30", "--referral-days", "0")
    first = people_snapshot()
    staff = sorted(User.objects.values_list("username", "first_name", "last_name"))
    wipe_demo_data()

    run_demo("--people", "30", "--referral-days", "0")
    assert people_snapshot() == first
    assert sorted(User.objects.values_list("username", "first_name", "last_name")) == staff
    wipe_demo_data()

    run_demo("--people", "30", "--seed", "7", "--referral-days", "0")
    other = people_snapshot()
    assert [n for n, *_ in other] == [n for n, *_ in first]  # NHS numbers come in order
    assert [name for _, *name in other] != [name for _, *name in first]


@pytest.mark.django_db
def test_the_people_option_sets_how_many_people() -> None:
    run_demo("--people", "12", "--referral-days", "0")
    assert Person.objects.count() == 12
    assert CareTeamLink.objects.filter(team__code=OLDER).count() == 3


@pytest.mark.django_db
def test_it_builds_a_rota_across_the_spring_clock_change() -> None:
    # Midday on Sunday 29 March 2026: the clocks went forward at 01:00 GMT that morning.
    with time_machine.travel(dt.datetime(2026, 3, 29, 12, 0, tzinfo=LONDON), tick=False):
        run_demo("--people", "5", "--referral-days", "0")
        night = Shift.objects.get(shift_type__name="Night", day=dt.date(2026, 3, 28))
        assert night.duration == dt.timedelta(hours=9, minutes=30)
        usual = Shift.objects.get(shift_type__name="Night", day=dt.date(2026, 3, 27))
        assert usual.duration == dt.timedelta(hours=10, minutes=30)
        assert local_date(timezone.now()) == dt.date(2026, 3, 29)
        team = Team.objects.get(code=MAIN)
        on_now = staff_on_shift(team=team, at=timezone.now()).values_list(
            "user__username", flat=True
        )
        assert set(CLINICAL_DEMO_LOGINS) <= set(on_now)
