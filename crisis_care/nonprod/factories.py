"""Factories shared by the tests and the demo data (so both build the same realistic records).

Everything here is synthetic. NHS numbers come from the 999 test range and always pass
the modulus 11 check; postcodes use real Leicester, Leicestershire and Rutland districts
with made-up inward codes.
"""

import datetime as dt
import itertools
import random

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from crisis_care.core.models import User
from crisis_care.core.roles import Role
from crisis_care.people.models import (
    CareTeamLink,
    ConsentRecord,
    Contact,
    GPPractice,
    Person,
)
from crisis_care.people.validators import nhs_number_check_digit
from crisis_care.workforce.models import (
    Profession,
    Registration,
    RegulatoryBody,
    ShiftType,
    StaffMember,
    Team,
    TeamMembership,
    TeamType,
)

# District -> post town, for LLR addresses (districts from shared/data/uk-postcode-districts.csv).
LLR_DISTRICTS: dict[str, str] = {
    "LE1": "Leicester",
    "LE2": "Leicester",
    "LE3": "Leicester",
    "LE4": "Leicester",
    "LE5": "Leicester",
    "LE7": "Leicester",
    "LE8": "Leicester",
    "LE9": "Leicester",
    "LE10": "Hinckley",
    "LE11": "Loughborough",
    "LE12": "Loughborough",
    "LE13": "Melton Mowbray",
    "LE14": "Melton Mowbray",
    "LE15": "Oakham",
    "LE16": "Market Harborough",
    "LE17": "Lutterworth",
    "LE18": "Wigston",
    "LE19": "Leicester",
    "LE65": "Ashby-de-la-Zouch",
    "LE67": "Coalville",
}
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def nhs_number_sequence(start: int = 0):  # type: ignore[no-untyped-def]
    """Valid NHS numbers from the 999 test range, in order, skipping impossible ones."""
    for n in itertools.count(start):
        first_nine = f"999{n:06d}"
        check = nhs_number_check_digit(first_nine)
        if check is not None:
            yield first_nine + str(check)


_nhs_numbers = nhs_number_sequence()


def next_nhs_number() -> str:
    return next(_nhs_numbers)


def llr_postcode(rng: random.Random) -> tuple[str, str]:
    district = rng.choice(sorted(LLR_DISTRICTS))
    inward = f"{rng.randint(1, 9)}{rng.choice(_INWARD_LETTERS)}{rng.choice(_INWARD_LETTERS)}"
    return f"{district} {inward}", LLR_DISTRICTS[district]


_rng = random.Random(2019)


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@crisis-care.invalid")
    role = Role.REGISTERED_PRACTITIONER
    password = factory.django.Password("correct-horse-battery-staple")


class TeamFactory(DjangoModelFactory[Team]):
    class Meta:
        model = Team
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Crisis Resolution and Home Treatment Team {n}")
    code = factory.Sequence(lambda n: f"crht-{n}")
    team_type = TeamType.CRISIS_RESOLUTION
    phone = "0300 300 1010"
    base_address = "Bradgate Unit, Groby Road, Leicester"
    base_postcode = "LE3 9EJ"


_PROFESSION_FOR_ROLE = {
    Role.ADMINISTRATOR: Profession.ADMINISTRATOR,
    Role.SUPPORT_WORKER: Profession.SUPPORT_WORKER,
    Role.REGISTERED_PRACTITIONER: Profession.NURSE,
    Role.DOCTOR: Profession.PSYCHIATRIST,
    Role.PSYCHOLOGIST: Profession.PSYCHOLOGIST,
    Role.TEAM_MANAGER: Profession.NURSE,
    Role.IG_AUDITOR: Profession.ADMINISTRATOR,
    Role.SYSTEM_ADMINISTRATOR: Profession.ADMINISTRATOR,
}
_BODY_FOR_PROFESSION = {
    Profession.NURSE: RegulatoryBody.NMC,
    Profession.NON_MEDICAL_PRESCRIBER: RegulatoryBody.NMC,
    Profession.SOCIAL_WORKER: RegulatoryBody.SWE,
    Profession.OCCUPATIONAL_THERAPIST: RegulatoryBody.HCPC,
    Profession.PSYCHOLOGIST: RegulatoryBody.HCPC,
    Profession.PSYCHIATRIST: RegulatoryBody.GMC,
    Profession.PHARMACIST: RegulatoryBody.GPHC,
}


class StaffMemberFactory(DjangoModelFactory[StaffMember]):
    """A member of staff with a user, a current registration where their profession has one,
    and (unless team=None) membership of a team."""

    class Meta:
        model = StaffMember
        skip_postgeneration_save = True

    class Params:
        role = Role.REGISTERED_PRACTITIONER

    user = factory.SubFactory(UserFactory, role=factory.SelfAttribute("..role"))
    profession = factory.LazyAttribute(lambda o: _PROFESSION_FOR_ROLE[o.role])
    job_title = factory.LazyAttribute(lambda o: Profession(o.profession).label)
    phone = factory.Sequence(lambda n: f"07700 9{n % 100000:05d}")

    @factory.post_generation
    def registered(self, create: bool, extracted: bool | None, **kwargs: object) -> None:
        body = _BODY_FOR_PROFESSION.get(Profession(self.profession))
        if not create or body is None or extracted is False:
            return
        Registration.objects.create(
            staff=self,
            body=body,
            number=f"{body[:2]}{abs(hash(self.pk)) % 10_000_000:07d}",
            expires_on=timezone.localdate() + dt.timedelta(days=365),
        )

    @factory.post_generation
    def team(self, create: bool, extracted: Team | bool | None, **kwargs: object) -> None:
        """team=<Team> joins that team; team=False joins none; default: a new team."""
        if not create or extracted is False:
            return
        TeamMembership.objects.create(
            team=extracted if isinstance(extracted, Team) else TeamFactory(),
            staff=self,
            started_on=timezone.localdate() - dt.timedelta(days=400),
        )


class ShiftTypeFactory(DjangoModelFactory[ShiftType]):
    class Meta:
        model = ShiftType
        django_get_or_create = ("team", "name")

    team = factory.SubFactory(TeamFactory)
    name = "Early"
    starts = dt.time(7, 0)
    ends = dt.time(15, 30)


def standard_shift_types(team: Team) -> list[ShiftType]:
    """Early, late and night, overlapping for handover (configurable per team in the app)."""
    return [
        ShiftTypeFactory(
            team=team, name="Early", starts=dt.time(7, 0), ends=dt.time(15, 30), ordering=1
        ),
        ShiftTypeFactory(
            team=team, name="Late", starts=dt.time(13, 0), ends=dt.time(21, 30), ordering=2
        ),
        ShiftTypeFactory(
            team=team, name="Night", starts=dt.time(21, 0), ends=dt.time(7, 30), ordering=3
        ),
    ]


class GPPracticeFactory(DjangoModelFactory[GPPractice]):
    class Meta:
        model = GPPractice
        django_get_or_create = ("ods_code",)

    ods_code = factory.Sequence(lambda n: f"Y9{n:04d}")  # Y9 prefix: not a real practice code
    name = factory.Sequence(
        lambda n: (
            f"{['Hollybank', 'Westfield', 'Charnwood', 'Soar Valley', 'Rutland Vale', 'Beacon'][n % 6]} "
            f"{['Medical Centre', 'Surgery', 'Health Centre', 'Medical Practice'][n % 4]}"
        )
    )
    address = factory.Faker("street_address", locale="en_GB")
    postcode = factory.LazyFunction(lambda: llr_postcode(_rng)[0])
    phone = factory.Sequence(lambda n: f"0116 496 {n % 10000:04d}")


class PersonFactory(DjangoModelFactory[Person]):
    class Meta:
        model = Person

    nhs_number = factory.LazyFunction(next_nhs_number)
    given_name = factory.Faker("first_name", locale="en_GB")
    family_name = factory.Faker("last_name", locale="en_GB")
    family_name_search = factory.LazyAttribute(lambda p: p.family_name.casefold())
    date_of_birth = factory.Faker("date_of_birth", minimum_age=18, maximum_age=65)
    gender = factory.Faker("random_element", elements=["1", "2", "1", "2", "3", "X"])
    address_line_1 = factory.Faker("street_address", locale="en_GB")
    postcode = factory.LazyFunction(lambda: llr_postcode(_rng)[0])
    town = "Leicester"
    phone = factory.Sequence(lambda n: f"07700 8{n % 100000:05d}")
    gp_practice = factory.SubFactory(GPPracticeFactory)


class ContactFactory(DjangoModelFactory[Contact]):
    class Meta:
        model = Contact

    person = factory.SubFactory(PersonFactory)
    name = factory.Faker("name", locale="en_GB")
    relationship = "partner"
    phone = factory.Sequence(lambda n: f"07700 7{n % 100000:05d}")
    is_carer = False


class ConsentRecordFactory(DjangoModelFactory[ConsentRecord]):
    class Meta:
        model = ConsentRecord

    contact = factory.SubFactory(ContactFactory)
    scope = "general"
    capacity = "has"
    recorded_by = factory.SubFactory(UserFactory)
    recorded_at = factory.LazyFunction(timezone.now)
    review_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=90))


class CareTeamLinkFactory(DjangoModelFactory[CareTeamLink]):
    class Meta:
        model = CareTeamLink

    team = factory.SubFactory(TeamFactory)
    person = factory.SubFactory(PersonFactory)
    source = "registration"
    opened_at = factory.LazyFunction(timezone.now)


# --- Helpers for realistic values (added for the demo data; tests may use them too) ---

# Street names for synthetic addresses: a common stem (tree, landmark) plus an English suffix.
_STREET_SUFFIXES = (
    "Road", "Street", "Close", "Avenue", "Lane", "Drive", "Crescent", "Way", "Gardens", "Terrace",
    "Walk", "Rise",
)  # fmt: skip
_STREET_STEMS = (
    "Ash", "Beech", "Birch", "Cedar", "Elm", "Hawthorn", "Hazel", "Holly", "Larch", "Maple", "Oak",
    "Rowan", "Willow", "Meadow", "Mill", "Church", "Station", "School", "Park", "Brook", "Spinney",
    "Orchard", "Chapel", "Victoria", "Albert", "Queens", "Kings", "Windsor", "Highfield", "Manor",
)  # fmt: skip


def drama_mobile(n: int) -> str:
    """A mobile number from Ofcom's range reserved for drama (07700 900000 to 900999): never real."""
    return f"07700 900{n % 1000:03d}"


def drama_landline(n: int) -> str:
    """A Leicester (0116) number from Ofcom's drama range (0116 496 0000 to 0999): never real."""
    return f"0116 496 0{n % 1000:03d}"


def street_address(rng: random.Random) -> str:
    """A plausible English street address such as '47 Hazel Close' (made up)."""
    return f"{rng.randint(1, 180)} {rng.choice(_STREET_STEMS)} {rng.choice(_STREET_SUFFIXES)}"


def regulator_for(profession: str) -> str | None:
    """The regulator that registers a profession (None for unregistered roles)."""
    return _BODY_FOR_PROFESSION.get(Profession(profession))
