"""The demo data set: a realistic, synthetic LLR crisis service for trying Crisis Care locally.

Everything is made up. Names come from Faker (and short lists for Somali and Arabic names),
NHS numbers from the 999 test range, postcodes from real LLR districts with made-up inward
codes, and phone numbers from Ofcom's ranges reserved for drama. The same seed always gives
the same people, staff and rota (relative to today), so a bug found in the demo can be found
again.

`build_demo_data` writes everything in one transaction. It uses the shared factories to build
each row (so demo data and test data have the same shape) and `bulk_create` to save them.
Demo rows are not audited one by one: nobody did these things, the command did.
"""

import datetime as dt
import random
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import factory.random
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from faker import Faker

from crisis_care.core.clock import local_date
from crisis_care.core.models import User
from crisis_care.core.roles import Role
from crisis_care.nonprod import factories as f
from crisis_care.nonprod.assessments_demo import AssessmentDemoInput, build_assessments
from crisis_care.nonprod.referrals_demo import (
    DEFAULT_REFERRAL_DAYS,
    ReferralDemoInput,
    build_referrals,
)
from crisis_care.nonprod.treatment_demo import (
    DEFAULT_VISIT_DAYS,
    TreatmentDemoInput,
    build_treatment,
    person_to_try,
)
from crisis_care.people.models import (
    CareTeamLink,
    ConsentRecord,
    Contact,
    GPPractice,
    Involvement,
    Person,
    Relationship,
    ShareScope,
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
    TeamType,
)
from crisis_care.workforce.rules import is_registered_practitioner
from crisis_care.workforce.services import shift_get_or_create

DEFAULT_SEED = 2019
DEFAULT_PEOPLE = 300
DEFAULT_PASSWORD = "crisis-care-demo"  # noqa: S105 - a local demo; DEMO_PASSWORD overrides it

MAIN_TEAM = {
    "name": "LLR Adult Crisis Resolution and Home Treatment Team",
    "code": "llr-crht",
    "team_type": TeamType.CRISIS_RESOLUTION,
    "phone": "0300 300 1010",
    "base_address": "Bradgate Unit, Groby Road, Glenfield Hospital, Leicester",
    "base_postcode": "LE3 9EJ",
}
# Phone and base are not sourced for these two, so they are left blank rather than invented.
OLDER_PEOPLE_TEAM = {
    "name": "LLR Older People's Crisis Team",
    "code": "llr-op-crisis",
    "team_type": TeamType.CRISIS_RESOLUTION,
    "phone": "",
    "base_address": "",
    "base_postcode": "",
}
COUNCIL_TEAM = {
    "name": "Leicestershire County Council Crisis Response Service",
    "code": "lcc-crs",
    "team_type": TeamType.COUNCIL_CRISIS_RESPONSE,
    "phone": "0116 305 0495",
    "base_address": "",
    "base_postcode": "",
}

# Role in the system follows profession. Role has no pharmacist: a pharmacist is registered
# (GPhC) but is not a registered mental health practitioner (workforce.rules), so
# `registered_practitioner` would let them count where the rules say they must not, and `doctor`
# would claim medical authority. `support_worker` is the least-privileged clinical role that still
# gives a legitimate relationship with the team's caseload (they review people's medicines).
ROLE_FOR_PROFESSION: dict[str, str] = {
    Profession.NURSE: Role.REGISTERED_PRACTITIONER,
    Profession.SOCIAL_WORKER: Role.REGISTERED_PRACTITIONER,
    Profession.OCCUPATIONAL_THERAPIST: Role.REGISTERED_PRACTITIONER,
    Profession.NON_MEDICAL_PRESCRIBER: Role.REGISTERED_PRACTITIONER,
    Profession.PSYCHIATRIST: Role.DOCTOR,
    Profession.PSYCHOLOGIST: Role.PSYCHOLOGIST,
    Profession.SUPPORT_WORKER: Role.SUPPORT_WORKER,
    Profession.PEER_SUPPORT_WORKER: Role.SUPPORT_WORKER,
    Profession.PHARMACIST: Role.SUPPORT_WORKER,
    Profession.ADMINISTRATOR: Role.ADMINISTRATOR,
}


@dataclass(frozen=True)
class StaffGroup:
    profession: str
    titles: tuple[str, ...]  # one job title per person, so len(titles) is the head count
    role: str | None = None  # None: ROLE_FOR_PROFESSION

    @property
    def system_role(self) -> str:
        return self.role or ROLE_FOR_PROFESSION[self.profession]


def _titles(*pairs: tuple[str, int]) -> tuple[str, ...]:
    return tuple(title for title, count in pairs for _ in range(count))


# About 80 staff (DOMAIN.md §1.1), shaped by the 2019 investment (§1.2: more registered
# practitioners and support workers, more medical support, a psychologist).
MAIN_TEAM_STAFF: tuple[StaffGroup, ...] = (
    StaffGroup(
        Profession.NURSE,
        _titles(("Team Manager", 1), ("Deputy Team Manager", 1)),
        role=Role.TEAM_MANAGER,
    ),
    StaffGroup(
        Profession.NURSE,
        _titles(
            ("Community Mental Health Nurse", 10),
            ("Senior Mental Health Practitioner", 12),
            ("Clinical Team Leader", 4),
        ),
    ),
    StaffGroup(
        Profession.PSYCHIATRIST,
        _titles(
            ("Consultant Psychiatrist", 2), ("Specialty Doctor", 1), ("Specialty Registrar", 1)
        ),
    ),
    StaffGroup(
        Profession.SOCIAL_WORKER,
        _titles(("Social Worker (AMHP)", 2), ("Senior Social Worker", 1), ("Social Worker", 3)),
    ),
    StaffGroup(Profession.OCCUPATIONAL_THERAPIST, _titles(("Occupational Therapist", 3))),
    StaffGroup(
        Profession.PSYCHOLOGIST,
        _titles(("Principal Clinical Psychologist", 1), ("Clinical Psychologist", 1)),
    ),
    StaffGroup(Profession.NON_MEDICAL_PRESCRIBER, _titles(("Nurse Prescriber", 3))),
    StaffGroup(
        Profession.SUPPORT_WORKER,
        _titles(("Health Care Support Worker", 18), ("Senior Health Care Support Worker", 6)),
    ),
    StaffGroup(Profession.PEER_SUPPORT_WORKER, _titles(("Peer Support Worker", 3))),
    StaffGroup(Profession.PHARMACIST, _titles(("Mental Health Pharmacist", 1))),
    StaffGroup(
        Profession.ADMINISTRATOR,
        _titles(("Team Administrator", 3), ("Medical Secretary", 2), ("Office Manager", 1)),
    ),
)
OLDER_PEOPLE_TEAM_STAFF: tuple[StaffGroup, ...] = (
    StaffGroup(Profession.NURSE, _titles(("Older Adult Crisis Nurse", 3), ("Team Leader", 1))),
    StaffGroup(Profession.PSYCHIATRIST, _titles(("Consultant Old Age Psychiatrist", 1))),
    StaffGroup(Profession.SOCIAL_WORKER, _titles(("Social Worker", 1))),
    StaffGroup(Profession.OCCUPATIONAL_THERAPIST, _titles(("Occupational Therapist", 1))),
    StaffGroup(Profession.SUPPORT_WORKER, _titles(("Health Care Support Worker", 2))),
    StaffGroup(Profession.ADMINISTRATOR, _titles(("Team Administrator", 1))),
)
COUNCIL_TEAM_STAFF: tuple[StaffGroup, ...] = (
    StaffGroup(Profession.SOCIAL_WORKER, _titles(("Social Worker", 2))),
    StaffGroup(Profession.OCCUPATIONAL_THERAPIST, _titles(("Occupational Therapist", 1))),
    StaffGroup(Profession.SUPPORT_WORKER, _titles(("Reablement Support Worker", 1))),
    StaffGroup(Profession.ADMINISTRATOR, _titles(("Business Support Officer", 1))),
)
# The IG auditor and system administrator are trust-wide corporate staff, in no care team: they
# have no legitimate relationship with anyone, so they cannot open a person's record (the IG
# auditor reads the audit log; the system administrator looks after accounts and teams).
CORPORATE_STAFF: tuple[StaffGroup, ...] = (
    StaffGroup(
        Profession.ADMINISTRATOR,
        _titles(("Information Governance Officer", 1)),
        role=Role.IG_AUDITOR,
    ),
    StaffGroup(
        Profession.ADMINISTRATOR,
        _titles(("Clinical Systems Administrator", 1)),
        role=Role.SYSTEM_ADMINISTRATOR,
    ),
)
LAPSED_NURSES = 2  # nurses whose NMC registration has expired: they do not count as registered

# The demo sign-ins. The clinical ones are put on the shift running now.
DEMO_LOGINS: tuple[tuple[str, str], ...] = (  # (username, role)
    ("demo.administrator", Role.ADMINISTRATOR),
    ("demo.support_worker", Role.SUPPORT_WORKER),
    ("demo.registered_practitioner", Role.REGISTERED_PRACTITIONER),
    ("demo.doctor", Role.DOCTOR),
    ("demo.psychologist", Role.PSYCHOLOGIST),
    ("demo.team_manager", Role.TEAM_MANAGER),
    ("demo.ig_auditor", Role.IG_AUDITOR),
    ("demo.system_administrator", Role.SYSTEM_ADMINISTRATOR),
)
OTHER_TEAM_LOGIN = "demo.other_team"  # a registered practitioner in the Older People's team
CLINICAL_DEMO_LOGINS = (
    "demo.support_worker",
    "demo.registered_practitioner",
    "demo.doctor",
    "demo.psychologist",
    "demo.team_manager",
)

# The rota: people per shift by kind of worker. Every shift has a registered coordinator and
# at least two registered practitioners. Doctors, psychologists and the pharmacist ("other")
# work days. Administrators work office hours and are not on the 24/7 rota.
ROTA_DAYS_BACK = 7
ROTA_DAYS_AHEAD = 14
SHIFT_STAFFING: dict[str, dict[str, int]] = {
    "Early": {"coordinator": 1, "practitioner": 4, "support": 4, "other": 1},  # 10
    "Late": {"coordinator": 1, "practitioner": 4, "support": 4, "other": 1},  # 10
    "Night": {"coordinator": 1, "practitioner": 2, "support": 3, "other": 0},  # 6
}
MINIMUM_REST = dt.timedelta(hours=11)  # Working Time Regulations daily rest
MAX_SHIFTS_IN_7_DAYS = 5

# People.
GP_PRACTICES = 40
SHARE_OF_PEOPLE_LINKED = 0.85
# Roughly half the links are closed, which leaves an open caseload near the 100-130 the team
# carries (DOMAIN.md §1.1) when --people is 300.
SHARE_OF_LINKS_CLOSED = 0.45
OLDER_PEOPLE_LINKED = 3
OVERDUE_CONSENT_REVIEWS = 6
SHARE_WITH_COMMUNICATION_NEEDS = 0.15

# Where names come from, weighted roughly towards Leicester's population.
ORIGINS: tuple[tuple[str, int], ...] = (
    ("en_GB", 64),
    ("en_IN", 18),
    ("en_PK", 6),
    ("pl_PL", 5),
    ("somali", 4),
    ("arabic", 3),
)
INTERPRETER_LANGUAGES: dict[str, tuple[str, ...]] = {
    "en_IN": ("Gujarati", "Punjabi"),
    "en_PK": ("Urdu", "Urdu", "Punjabi"),
    "pl_PL": ("Polish",),
    "somali": ("Somali",),
    "arabic": ("Arabic",),
}
_NAME_LISTS: dict[str, dict[str, tuple[str, ...]]] = {
    "somali": {
        "male": ("Abdi", "Mohamed", "Ahmed", "Hassan", "Abdirahman", "Yusuf", "Omar", "Liban"),
        "female": ("Hodan", "Amina", "Faadumo", "Hawa", "Sahra", "Ifrah", "Nasra", "Ayan"),
        "family": ("Warsame", "Farah", "Hussein", "Abdullahi", "Jama", "Osman", "Egal", "Aden"),
    },
    "arabic": {
        "male": ("Khalid", "Yousef", "Tariq", "Hamza", "Samir", "Karim", "Nabil", "Fadi"),
        "female": ("Layla", "Rania", "Noor", "Huda", "Mariam", "Salma", "Yasmin", "Dalia"),
        "family": ("Haddad", "Mansour", "Nasser", "Khalil", "Saleh", "Darwish", "Hamdan", "Aziz"),
    },
}
OTHER_ADJUSTMENTS = (
    "Hard of hearing: face them and speak clearly; no hearing loop at home.",
    "Dyslexic: please read letters through with them or phone instead of writing.",
    "Uses a wheelchair: meet on the ground floor; the flat has a ramp at the back door.",
    "Autistic: prefers a text before any visit and the same worker where possible.",
    "Gets anxious with unannounced visits: phone first and say who is coming.",
    "Partially sighted: large print (18 point) for letters and the care plan.",
    "Prefers morning visits: evening medication makes them drowsy after 6pm.",
)
DO_NOT_INVOLVE_NOTES = (
    "I don't want my mum worrying about me. Please don't call her.",
    "We're not in touch any more and I want to keep it that way.",
    "He doesn't know I'm under mental health services. I'll tell him when I'm ready.",
    "Please don't contact her. Things are difficult between us at the moment.",
    "I'd rather sort this out myself without them knowing.",
    "She's got enough on with her own health. Leave her out of it for now.",
)
INVOLVE_NOTES = (
    "Happy for you to talk to them about how I'm doing and my medication.",
    "They can ring the team if they're worried about me.",
    "Please include them in the visits when they're there.",
    "They help me remember appointments, so tell them the times.",
)
CONSENT_NOTES = {
    ShareScope.CARE_PLAN: "Agreed to share the care plan, visit times and medication changes.",
    ShareScope.GENERAL: "General information only: how to get help in a crisis, carer support.",
    ShareScope.NOTHING: "Does not want anything shared. Crisis numbers and carer support can still "
    "be given (consensus statement on information sharing).",
}
# (relationship, weight, chance they are a carer)
RELATIONSHIPS: tuple[tuple[str, int, float], ...] = (
    (Relationship.PARTNER, 20, 0.55),
    (Relationship.SPOUSE, 12, 0.6),
    (Relationship.PARENT, 22, 0.5),
    (Relationship.SIBLING, 14, 0.3),
    (Relationship.CHILD, 8, 0.4),
    (Relationship.FRIEND, 12, 0.15),
    (Relationship.OTHER_RELATIVE, 5, 0.25),
    (Relationship.NEIGHBOUR, 3, 0.1),
    (Relationship.OTHER, 4, 0.1),
)
FAMILY = frozenset(
    {Relationship.PARENT, Relationship.SIBLING, Relationship.CHILD, Relationship.OTHER_RELATIVE}
)
GP_NAME_STEMS = (
    "Hollybank", "Westfield", "Charnwood", "Soar Valley", "Rutland Vale", "Beacon", "Brookside",
    "Wreake Valley", "Swithland", "Fosse Way", "Abbey Meadows", "Welland", "Sence Valley",
    "Eyebrook", "Wolds", "Riverside", "Canal Side", "Old School", "Market Street", "Burbage Road",
)  # fmt: skip
GP_NAME_SUFFIXES = ("Medical Centre", "Surgery", "Health Centre", "Medical Practice")


@dataclass
class DemoLogin:
    username: str
    role: str
    team: str


@dataclass
class TryPerson:
    person: Person
    hint: str


@dataclass
class DemoSummary:
    logins: list[DemoLogin] = field(default_factory=list)
    try_people: list[TryPerson] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def database_is_empty() -> bool:
    """The demo loads only into a database nobody has used: no user at all."""
    return not User.objects.exists()


def existing_demo_logins() -> list[DemoLogin]:
    """The demo logins already in the database (for printing on every `make run`)."""
    logins = []
    users = User.objects.filter(username__startswith="demo.").prefetch_related("staff__teams")
    for user in users.order_by("username"):
        staff = getattr(user, "staff", None)
        teams = ", ".join(t.name for t in staff.teams.all()) if staff else ""
        logins.append(
            DemoLogin(username=user.username, role=user.role_label, team=teams or "No care team")
        )
    return logins


@transaction.atomic
def build_demo_data(
    *,
    seed: int = DEFAULT_SEED,
    people: int = DEFAULT_PEOPLE,
    password: str = DEFAULT_PASSWORD,
    now: dt.datetime | None = None,
    referral_days: int = DEFAULT_REFERRAL_DAYS,
    visit_days: int = DEFAULT_VISIT_DAYS,
) -> DemoSummary:
    """Fill an empty database with the demo service. Deterministic for a given seed and day.

    `referral_days` of referral history end in today's triage queue (0: no referrals).
    `visit_days` of home treatment visits and contacts end in the week of visits planned ahead.
    """
    return _Builder(seed=seed, now=now or timezone.now()).build(
        people=people, password=password, referral_days=referral_days, visit_days=visit_days
    )


@dataclass
class _Staff:
    member: StaffMember
    user: User
    team: Team | None
    registrations: list[Registration]

    @property
    def profession(self) -> str:
        return self.member.profession


class _Builder:
    def __init__(self, *, seed: int, now: dt.datetime) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        factory.random.reseed_random(seed)
        Faker.seed(seed)
        self.fakers = {locale: Faker(locale) for locale in ("en_GB", "en_IN", "en_PK", "pl_PL")}
        self.now = now
        self.today = local_date(now)
        self.usernames: set[str] = set()
        self.registration_numbers: Counter[str] = Counter()
        self.phone_numbers = 0

    # --- small helpers -------------------------------------------------------------------

    def weighted(self, options: Sequence[tuple[str, int]]) -> str:
        return self.rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]

    def next_phone(self) -> str:
        self.phone_numbers += 1
        return f.drama_mobile(self.phone_numbers)

    def given_name(self, origin: str, sex: str) -> str:
        if origin in _NAME_LISTS:
            return self.rng.choice(_NAME_LISTS[origin][sex])
        faker = self.fakers[origin]
        return faker.first_name_male() if sex == "male" else faker.first_name_female()

    def family_name(self, origin: str, sex: str) -> str:
        if origin in _NAME_LISTS:
            return self.rng.choice(_NAME_LISTS[origin]["family"])
        faker = self.fakers[origin]
        # Polish surnames agree with sex (Kowalski, Kowalska); Faker knows both forms.
        return faker.last_name_male() if sex == "male" else faker.last_name_female()

    def username_for(self, first: str, last: str) -> str:
        base = ".".join(_ascii_slug(part) for part in (first, last))
        username, n = base, 1
        while username in self.usernames:
            n += 1
            username = f"{base}{n}"
        self.usernames.add(username)
        return username

    def days_ago(self, low: float, high: float) -> dt.datetime:
        return self.now - dt.timedelta(days=self.rng.uniform(low, high))

    # --- the build -----------------------------------------------------------------------

    def build(
        self,
        *,
        people: int,
        password: str,
        referral_days: int = 0,
        visit_days: int = DEFAULT_VISIT_DAYS,
    ) -> DemoSummary:
        summary = DemoSummary()
        main = f.TeamFactory.create(**MAIN_TEAM)
        older = f.TeamFactory.create(**OLDER_PEOPLE_TEAM)
        council = f.TeamFactory.create(**COUNCIL_TEAM)
        shift_types = f.standard_shift_types(main)

        staff = self.build_staff(main=main, older=older, council=council, password=password)
        demo = {s.user.username: s for s in staff if s.user.username.startswith("demo.")}
        for username, _role in (*DEMO_LOGINS, (OTHER_TEAM_LOGIN, "")):
            s = demo[username]
            team = s.team.name if s.team else "None (trust-wide, in no care team)"
            summary.logins.append(DemoLogin(username, s.user.role_label, team))

        main_staff = [s for s in staff if s.team == main]
        assignments = self.build_rota(shift_types=shift_types, staff=main_staff, demo=demo)

        practices = self.build_gp_practices()
        persons, older_people = self.build_people(people, practices)
        links = self.build_links(persons, main=main, older=older, older_people=older_people)
        clinicians = [s.user for s in main_staff if self.is_current_practitioner(s)]
        contacts, consents = self.build_contacts(persons, links, clinicians)

        for person, hint in self.try_people(persons, links, main=main):
            summary.try_people.append(TryPerson(person, hint))
        summary.counts = {
            "teams": 3,
            "staff": len(staff),
            "shifts": Shift.objects.filter(team=main).count(),
            "shift assignments": assignments,
            "GP practices": len(practices),
            "people": len(persons),
            "contacts": len(contacts),
            "consent records": len(consents),
            "care team links": sum(len(v) for v in links.values()),
        }
        if referral_days > 0:
            summary.counts |= build_referrals(
                ReferralDemoInput(
                    now=self.now,
                    days=referral_days,
                    main=main,
                    council=council,
                    people=persons,
                    caseload_links=[
                        lk for i in sorted(links) for lk in links[i] if lk.team == main
                    ],
                    practices=practices,
                    practitioners=clinicians,
                    admins=[s.user for s in main_staff if s.user.role == Role.ADMINISTRATOR],
                    managers=[s.user for s in main_staff if s.user.role == Role.TEAM_MANAGER],
                    council_staff=[
                        s.user
                        for s in staff
                        if s.team == council and s.user.role != Role.ADMINISTRATOR
                    ],
                    namer=self,
                    origins=ORIGINS,
                ),
                seed=self.seed,
            )
            # The assessments behind the referrals that were seen, and today's bookings.
            summary.counts |= build_assessments(
                AssessmentDemoInput(now=self.now, main=main), seed=self.seed
            )
            # Each episode's history, care plan, visits and contacts, medicines, lone working.
            summary.counts |= build_treatment(
                TreatmentDemoInput(now=self.now, main=main, visit_days=visit_days), seed=self.seed
            )
            treated = person_to_try(main=main, username="demo.registered_practitioner")
            if treated is not None:
                summary.try_people.append(TryPerson(*treated))
        return summary

    # --- staff ---------------------------------------------------------------------------

    def build_staff(self, *, main: Team, older: Team, council: Team, password: str) -> list[_Staff]:
        plan: list[tuple[Team | None, StaffGroup, str]] = []
        for team, groups in (
            (main, MAIN_TEAM_STAFF),
            (older, OLDER_PEOPLE_TEAM_STAFF),
            (council, COUNCIL_TEAM_STAFF),
            (None, CORPORATE_STAFF),
        ):
            for group in groups:
                plan.extend((team, group, title) for title in group.titles)

        # Pick the demo sign-ins: the first person in the plan with each role (in the main team
        # unless corporate), and the first Older People's team nurse for demo.other_team.
        demo_index: dict[int, str] = {}
        for username, role in DEMO_LOGINS:
            demo_index[
                next(i for i, (t, g, _) in enumerate(plan) if g.system_role == role and t != older)
            ] = username
        demo_index[
            next(
                i
                for i, (t, g, _) in enumerate(plan)
                if t == older and g.system_role == Role.REGISTERED_PRACTITIONER
            )
        ] = OTHER_TEAM_LOGIN
        # Two nurses with lapsed registrations, from the community nurses (not the demo login).
        nurses = [
            i
            for i, (t, g, _) in enumerate(plan)
            if t == main and g.profession == Profession.NURSE and g.role is None
        ]
        lapsed = set(nurses[1 : 1 + LAPSED_NURSES])

        demo_password = make_password(password)  # one hash shared by the demo sign-ins
        users: list[User] = []
        members: list[StaffMember] = []
        for i, (_team, group, title) in enumerate(plan):
            origin = self.weighted(ORIGINS)
            sex = self.rng.choice(("male", "female"))
            first, last = self.given_name(origin, sex), self.family_name(origin, sex)
            username = demo_index.get(i) or self.username_for(first, last)
            user = f.UserFactory.build(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{username}@crisis-care.invalid",
                role=group.system_role,
                password=None,  # unusable: only the demo sign-ins can sign in
            )
            if i in demo_index:
                user.password = demo_password
            users.append(user)
            members.append(
                f.StaffMemberFactory.build(
                    user=user,
                    profession=group.profession,
                    job_title=title,
                    phone=self.next_phone(),
                )
            )

        registrations: list[list[Registration]] = []
        for i, member in enumerate(members):
            body = f.regulator_for(member.profession)
            if body is None:
                registrations.append([])
                continue
            self.registration_numbers[body] += 1
            expires = (
                self.today - dt.timedelta(days=self.rng.randint(3, 40))
                if i in lapsed
                else self.today + dt.timedelta(days=self.rng.randint(20, 720))
            )
            number = f"{body[:2].upper()}{9_000_000 + self.registration_numbers[body]:07d}"
            registrations.append(
                [Registration(staff=member, body=body, number=number, expires_on=expires)]
            )
        memberships = [
            TeamMembership(
                team=team,
                staff=member,
                started_on=self.today - dt.timedelta(days=self.rng.randint(20, 3650)),
            )
            for (team, _, _), member in zip(plan, members, strict=True)
            if team is not None
        ]

        User.objects.bulk_create(users)
        StaffMember.objects.bulk_create(members)
        Registration.objects.bulk_create([r for regs in registrations for r in regs])
        TeamMembership.objects.bulk_create(memberships)
        return [
            _Staff(member=m, user=u, team=t, registrations=regs)
            for (t, _, _), u, m, regs in zip(plan, users, members, registrations, strict=True)
        ]

    def is_current_practitioner(self, s: _Staff) -> bool:
        """A registered practitioner in role and by registration (workforce.rules)."""
        return s.user.role in (
            Role.REGISTERED_PRACTITIONER,
            Role.TEAM_MANAGER,
        ) and is_registered_practitioner(
            profession=s.profession,
            registrations=[(r.body, r.expires_on) for r in s.registrations],
            on=self.today,
        )

    # --- rota ----------------------------------------------------------------------------

    def build_rota(
        self, *, shift_types: list[ShiftType], staff: list[_Staff], demo: dict[str, _Staff]
    ) -> int:
        """Early, late and night shifts from a week ago to a fortnight ahead, staffed fairly."""
        shifts = [
            shift_get_or_create(shift_type=st, day=self.today + dt.timedelta(days=offset))
            for offset in range(-ROTA_DAYS_BACK, ROTA_DAYS_AHEAD + 1)
            for st in shift_types
        ]
        shifts.sort(key=lambda s: s.starts_at)

        pools: dict[str, list[_Staff]] = {
            "coordinator": [],
            "practitioner": [],
            "support": [],
            "other": [],
        }
        for s in staff:
            if s.user.role in (Role.REGISTERED_PRACTITIONER, Role.TEAM_MANAGER):
                if self.is_current_practitioner(s):
                    pools["practitioner"].append(s)
                    if s.profession != Profession.OCCUPATIONAL_THERAPIST:
                        pools["coordinator"].append(s)
                else:
                    # A nurse whose registration has lapsed may not practise as a nurse; until it
                    # is renewed they work as support workers and never count as registered.
                    pools["support"].append(s)
            elif s.profession in (Profession.SUPPORT_WORKER, Profession.PEER_SUPPORT_WORKER):
                pools["support"].append(s)
            elif s.user.role != Role.ADMINISTRATOR:
                pools["other"].append(s)

        booked: dict[object, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
        rostered: dict[object, list[tuple[_Staff, bool]]] = defaultdict(list)

        def book(s: _Staff, shift: Shift, coordinator: bool = False) -> None:
            booked[s.member.pk].append((shift.starts_at, shift.ends_at))
            rostered[shift.pk].append((s, coordinator))

        def fits(s: _Staff, shift: Shift) -> bool:
            if any(x.member.pk == s.member.pk for x, _ in rostered[shift.pk]):
                return False
            recent = 0
            for start, end in booked[s.member.pk]:
                if shift.starts_at < end + MINIMUM_REST and start < shift.ends_at + MINIMUM_REST:
                    return False
                if shift.starts_at - dt.timedelta(days=7) < start < shift.starts_at:
                    recent += 1
            return recent < MAX_SHIFTS_IN_7_DAYS

        # The demo clinical sign-ins work the shift running now (the one with most time left),
        # so "who is on now" shows them whatever the time of day.
        current = max(
            (s for s in shifts if s.starts_at <= self.now < s.ends_at), key=lambda s: s.ends_at
        )
        forced = Counter[str]()
        book(demo["demo.registered_practitioner"], current, coordinator=True)
        forced["coordinator"] += 1
        book(demo["demo.team_manager"], current)
        forced["practitioner"] += 1
        book(demo["demo.support_worker"], current)
        forced["support"] += 1
        for username in ("demo.doctor", "demo.psychologist"):
            book(demo[username], current)
            forced["other"] += 1

        for shift in shifts:
            needs = dict(SHIFT_STAFFING[shift.shift_type.name])
            if shift.pk == current.pk:
                needs = {kind: max(0, n - forced[kind]) for kind, n in needs.items()}
            for kind, n in needs.items():
                pool = pools[kind]
                # Fair rotation: fewest shifts so far first; ties broken by the seeded random.
                candidates = sorted(
                    (s for s in pool if fits(s, shift)),
                    key=lambda s: (len(booked[s.member.pk]), self.rng.random()),
                )
                for s in candidates[:n]:
                    book(s, shift, coordinator=kind == "coordinator")

        assignments = [
            ShiftAssignment(shift=shift, staff=s.member, is_coordinator=coordinator)
            for shift in shifts
            for s, coordinator in rostered[shift.pk]
        ]
        ShiftAssignment.objects.bulk_create(assignments)
        return len(assignments)

    # --- GP practices and people ---------------------------------------------------------

    def build_gp_practices(self) -> list[GPPractice]:
        names = self.rng.sample(
            [f"{stem} {suffix}" for stem in GP_NAME_STEMS for suffix in GP_NAME_SUFFIXES],
            GP_PRACTICES,
        )
        practices = []
        for n, name in enumerate(names, start=1):
            postcode, town = f.llr_postcode(self.rng)
            practices.append(
                f.GPPracticeFactory.build(
                    ods_code=f"Y9{n:04d}",  # Y9: not a real practice code
                    name=name,
                    address=f"{f.street_address(self.rng)}, {town}",
                    postcode=postcode,
                    phone=f.drama_landline(n),
                )
            )
        GPPractice.objects.bulk_create(practices)
        return practices

    def build_people(
        self, count: int, practices: list[GPPractice]
    ) -> tuple[list[Person], set[int]]:
        # NHS numbers: the first `count` of the 999 test range, from a fresh sequence so they do
        # not depend on what else this process has made with factories.next_nhs_number().
        numbers = f.nhs_number_sequence()
        others = range(2, count)
        older_people = set(self.rng.sample(others, min(OLDER_PEOPLE_LINKED, len(others))))
        with_needs = set(
            self.rng.sample(others, round(len(others) * SHARE_WITH_COMMUNICATION_NEEDS))
        )
        persons = []
        self.person_origins: list[str] = []
        for i in range(count):
            # The first two are the people printed under "Try finding": one simple record, and
            # one who needs a Polish interpreter and does not want their father involved.
            origin = "en_GB" if i == 0 else "pl_PL" if i == 1 else self.weighted(ORIGINS)
            gender = self.rng.choices(("1", "2", "3", "X"), weights=(47, 49, 2, 2))[0]
            sex = {"1": "male", "2": "female"}.get(gender) or self.rng.choice(("male", "female"))
            given, family = self.given_name(origin, sex), self.family_name(origin, sex)
            if i in older_people:
                age_days = self.rng.randint(67 * 365, 84 * 365)
            else:
                age_days = int(self.rng.triangular(18.1, 65.9, 30) * 365.25)
            self.person_origins.append(origin)
            postcode, town = f.llr_postcode(self.rng)
            flat = self.rng.random() < 0.15
            street = f.street_address(self.rng)
            needs = self.communication_needs(origin) if i in with_needs else {}
            if i == 1:
                needs = {"interpreter_needed": True, "interpreter_language": "Polish"}
            persons.append(
                f.PersonFactory.build(
                    nhs_number=next(numbers),
                    given_name=given,
                    family_name=family,
                    family_name_search=family.casefold(),
                    pronouns="they/them" if gender == "3" else "",
                    date_of_birth=self.today - dt.timedelta(days=age_days),
                    gender=gender,
                    address_line_1=f"Flat {self.rng.randint(1, 24)}" if flat else street,
                    address_line_2=street if flat else "",
                    town=town,
                    postcode=postcode,
                    phone=f.drama_landline(i) if self.rng.random() < 0.2 else self.next_phone(),
                    email=(
                        f"{_ascii_slug(given)}.{_ascii_slug(family)}{self.rng.randint(1, 99)}"
                        "@example.com"
                        if self.rng.random() < 0.35
                        else ""
                    ),
                    # A few people are not registered with a GP.
                    gp_practice=self.rng.choice(practices) if self.rng.random() < 0.97 else None,
                    **needs,
                )
            )
        Person.objects.bulk_create(persons)
        return persons, older_people

    def communication_needs(self, origin: str) -> dict[str, object]:
        if origin in INTERPRETER_LANGUAGES and self.rng.random() < 0.8:
            language = self.rng.choice(INTERPRETER_LANGUAGES[origin])
            return {"interpreter_needed": True, "interpreter_language": language}
        kind = self.rng.choices(("bsl", "easy_read", "other"), weights=(25, 35, 40))[0]
        if kind == "bsl":
            return {"uses_bsl": True, "other_adjustments": "Book a BSL interpreter for visits."}
        if kind == "easy_read":
            return {
                "easy_read": True,
                "other_adjustments": "Has a learning disability: explain one thing at a time."
                if self.rng.random() < 0.5
                else "",
            }
        return {"other_adjustments": self.rng.choice(OTHER_ADJUSTMENTS)}

    # --- care team links -----------------------------------------------------------------

    def build_links(
        self, persons: list[Person], *, main: Team, older: Team, older_people: set[int]
    ) -> dict[int, list[CareTeamLink]]:
        """About 85% known to the main team, roughly half of those since closed (10 to 40 days
        ago, either side of the 28-day rule); three known only to the Older People's team."""
        candidates = [i for i in range(len(persons)) if i not in older_people and i > 1]
        wanted = round(len(persons) * SHARE_OF_PEOPLE_LINKED) - min(2, len(persons))
        linked = sorted(
            {
                *range(min(2, len(persons))),
                *self.rng.sample(candidates, min(len(candidates), max(0, wanted))),
            }
        )
        closable = [i for i in linked if i > 1]
        to_close = min(len(closable), round(len(linked) * SHARE_OF_LINKS_CLOSED))
        closed = set(self.rng.sample(closable, to_close))

        links: dict[int, list[CareTeamLink]] = defaultdict(list)
        for i in linked:
            closed_at = None
            if i in closed:
                closed_days = self.rng.uniform(10, 40)
                closed_at = self.now - dt.timedelta(days=closed_days)
                opened_at = self.days_ago(closed_days + 3, 60)
            elif i < 2:
                opened_at = self.now - dt.timedelta(days=2 + 3 * i, hours=3)
            else:
                opened_at = self.days_ago(1 / 24, 60)
            links[i].append(
                f.CareTeamLinkFactory.build(
                    team=main, person=persons[i], opened_at=opened_at, closed_at=closed_at
                )
            )
        for i in sorted(older_people):
            links[i].append(
                f.CareTeamLinkFactory.build(
                    team=older, person=persons[i], opened_at=self.days_ago(1, 30)
                )
            )
        CareTeamLink.objects.bulk_create([link for i in sorted(links) for link in links[i]])
        return links

    # --- contacts and consent ------------------------------------------------------------

    def build_contacts(
        self,
        persons: list[Person],
        links: dict[int, list[CareTeamLink]],
        clinicians: list[User],
    ) -> tuple[list[Contact], list[ConsentRecord]]:
        contacts: list[Contact] = []
        consents: list[ConsentRecord] = []
        consent_for: dict[int, ConsentRecord] = {}  # index into contacts -> its consent
        for i, person in enumerate(persons):
            age = (self.today - person.date_of_birth).days // 365
            plan: list[tuple[str, bool, str, str | None]]
            if i == 0:
                plan = [
                    (Relationship.PARTNER, True, Involvement.WANTS_INVOLVED, ShareScope.CARE_PLAN),
                    (Relationship.SIBLING, False, Involvement.NOT_YET_ASKED, None),
                ]
            elif i == 1:
                plan = [
                    (Relationship.PARENT, False, Involvement.DOES_NOT_WANT, ShareScope.NOTHING),
                    (Relationship.FRIEND, False, Involvement.WANTS_INVOLVED, ShareScope.GENERAL),
                ]
            else:
                plan = [self.random_contact(age) for _ in range(self.contact_count())]
            next_of_kin_given = False
            for relationship, carer, involvement, scope in plan:
                sex = "male" if i == 1 and relationship == Relationship.PARENT else None
                contact = self.contact(person, i, age, relationship, carer, involvement, sex)
                if i == 1 and involvement == Involvement.DOES_NOT_WANT:
                    contact.involvement_note = DO_NOT_INVOLVE_NOTES[2]  # "He doesn't know..."
                if not next_of_kin_given and relationship not in (
                    Relationship.FRIEND,
                    Relationship.NEIGHBOUR,
                    Relationship.OTHER,
                ):
                    contact.is_next_of_kin = next_of_kin_given = True
                contacts.append(contact)
                if scope is not None:
                    consent = self.consent(
                        contact, scope, links.get(i, []), clinicians, fixed=i < 2
                    )
                    consent_for[len(contacts) - 1] = consent
                    consents.append(consent)

        # A handful of consent decisions are overdue for review: recorded over four weeks ago
        # with a four-week review date.
        old = [
            c for c in consents if local_date(c.recorded_at) + dt.timedelta(days=28) < self.today
        ]
        for consent in self.rng.sample(old, min(OVERDUE_CONSENT_REVIEWS, len(old))):
            consent.review_on = local_date(consent.recorded_at) + dt.timedelta(days=28)

        Contact.objects.bulk_create(contacts)
        ConsentRecord.objects.bulk_create(consents)
        for index, consent in consent_for.items():
            contacts[index].current_consent = consent
        Contact.objects.bulk_update(
            [contacts[index] for index in consent_for], ["current_consent"], batch_size=500
        )
        return contacts, consents

    def contact_count(self) -> int:
        return self.rng.choices((0, 1, 2, 3), weights=(15, 40, 30, 15))[0]

    def random_contact(self, age: int) -> tuple[str, bool, str, str | None]:
        options = [
            (relationship, weight, carer_chance)
            for relationship, weight, carer_chance in RELATIONSHIPS
            if not (relationship == Relationship.CHILD and age < 38)
            and not (relationship == Relationship.PARENT and age > 62)
        ]
        relationship, _, carer_chance = self.rng.choices(
            options, weights=[w for _, w, _ in options]
        )[0]
        involvement = self.rng.choices(
            (Involvement.WANTS_INVOLVED, Involvement.DOES_NOT_WANT, Involvement.NOT_YET_ASKED),
            weights=(65, 10, 25),
        )[0]
        scope: str | None = None
        if involvement == Involvement.WANTS_INVOLVED:
            scope = ShareScope.CARE_PLAN if self.rng.random() < 0.55 else ShareScope.GENERAL
        elif involvement == Involvement.DOES_NOT_WANT:
            scope = ShareScope.NOTHING
        return relationship, self.rng.random() < carer_chance, involvement, scope

    def contact(
        self,
        person: Person,
        index: int,
        age: int,
        relationship: str,
        carer: bool,
        involvement: str,
        sex: str | None,
    ) -> Contact:
        origin = self.person_origins[index]
        if relationship not in FAMILY and self.rng.random() < 0.3:
            origin = self.weighted(ORIGINS)
        sex = sex or self.rng.choice(("male", "female"))
        given = self.given_name(origin, sex)
        shares_surname = relationship in FAMILY or (
            relationship == Relationship.SPOUSE and self.rng.random() < 0.6
        )
        family = person.family_name if shares_surname else self.family_name(origin, sex)
        lives_with = relationship in (Relationship.PARTNER, Relationship.SPOUSE) or (
            relationship == Relationship.PARENT and age < 25
        )
        if lives_with:
            address = ", ".join(
                p for p in (person.address_line_1, person.address_line_2, person.town) if p
            )
            address = f"{address} {person.postcode} (lives with them)"
        elif self.rng.random() < 0.5:
            postcode, town = f.llr_postcode(self.rng)
            address = f"{f.street_address(self.rng)}, {town} {postcode}"
        else:
            address = ""
        if involvement == Involvement.DOES_NOT_WANT:
            note = self.rng.choice(DO_NOT_INVOLVE_NOTES)
        elif involvement == Involvement.WANTS_INVOLVED and self.rng.random() < 0.3:
            note = self.rng.choice(INVOLVE_NOTES)
        else:
            note = ""
        return f.ContactFactory.build(
            person=person,
            name=f"{given} {family}",
            relationship=relationship,
            phone=self.next_phone(),
            address=address,
            is_carer=carer,
            involvement=involvement,
            involvement_note=note,
        )

    def consent(
        self,
        contact: Contact,
        scope: str,
        links: list[CareTeamLink],
        clinicians: list[User],
        *,
        fixed: bool = False,
    ) -> ConsentRecord:
        capacity = self.rng.choices(("has", "not_assessed", "lacks"), weights=(94, 4, 2))[0]
        if fixed or contact.involvement == Involvement.DOES_NOT_WANT:
            # The people to try keep a simple story; and a refusal is the person's own decision
            # (a best-interests decision to share despite it is a different, rarer story).
            capacity = "has"
        note = CONSENT_NOTES[ShareScope(scope)]
        if capacity == "lacks":
            scope = ShareScope.GENERAL
            note = (
                "Too unwell to decide at assessment. General information shared with the carer "
                "in their best interests; ask again when they are well."
            )
        # Recorded while the main team was involved, when it was.
        main_link = next((link for link in links if link.team.code == MAIN_TEAM["code"]), None)
        if main_link is not None:
            until = main_link.closed_at or self.now
            span = (until - main_link.opened_at).total_seconds()
            recorded_at = main_link.opened_at + dt.timedelta(seconds=self.rng.uniform(0, span))
        else:
            recorded_at = self.days_ago(1, 60)
        return f.ConsentRecordFactory.build(
            contact=contact,
            scope=scope,
            capacity=capacity,
            recorded_by=self.rng.choice(clinicians),
            recorded_at=recorded_at,
            review_on=self.today + dt.timedelta(days=self.rng.randint(7, 120)),
            note=note,
        )

    # --- people to try -------------------------------------------------------------------

    def try_people(
        self, persons: list[Person], links: dict[int, list[CareTeamLink]], *, main: Team
    ) -> list[tuple[Person, str]]:
        found: list[tuple[Person, str]] = []
        if persons:
            found.append(
                (
                    persons[0],
                    f"open with the {main.name}; their partner is a carer and may see the care "
                    "plan. demo.other_team needs break-glass to open it.",
                )
            )
        if len(persons) > 1:
            found.append(
                (
                    persons[1],
                    "needs a Polish interpreter and does not want their father involved.",
                )
            )
        older = [i for i in sorted(links) if any(lk.team.code != main.code for lk in links[i])]
        if older:
            found.append(
                (
                    persons[older[0]],
                    "known only to the Older People's team: demo.other_team can open it, "
                    "the main team's logins cannot without break-glass.",
                )
            )
        return found


def _ascii_slug(value: str) -> str:
    """'Łucja O'Brien' -> 'lucja' / 'obrien': letters, digits and hyphens for usernames."""
    folded = unicodedata.normalize("NFKD", value.replace("Ł", "L").replace("ł", "l"))
    ascii_only = folded.encode("ascii", "ignore").decode().lower()
    return "".join(ch for ch in ascii_only if ch.isalnum() or ch == "-")
