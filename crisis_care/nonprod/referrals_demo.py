"""Demo referrals: months of history at the LLR rate, and today's live triage queue.

The main crisis team gets nearly 4,000 referrals a year (DOMAIN.md §1.1), so about eleven a day,
drawn day by day from a Poisson distribution with more on Mondays and fewer at weekends, and
spread over a 24-hour curve (busiest late morning to early evening, a smaller evening peak, quiet
but never empty from 02:00 to 07:00). The council's crisis response service gets a few hundred on
its own 2-hour pathway. The weights below are made up to look right; none is sourced.

Every referral is written the way referrals.services would write it: pathway, eligibility checks
(referrals.eligibility), priority and status history, contacts with the clock stops they set,
owner, decline reason with letter (referrals.letters) and signposts, closing time, and the team's
link with the person. Outcomes are then read back with referrals.clocks, so a clock is "met" or
"breached" by the application's own rules; every breached clock on a referral that is no longer
in today's queue gets a reason and who recorded it.

Older referrals have all moved on: declined, closed after a face-to-face assessment (status
history new, taken, accepted, closed), or closed for another reason. What is open is today's
queue: referrals from the last 36 hours, and the odd routine one still waiting for its visit.

Rows are made in memory and saved with bulk_create, in the demo's one transaction. Nothing is
audited: nobody did these things, the command did. The same seed and moment give the same data.
"""

import datetime as dt
import math
import random
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol, TypeVar

from crisis_care.core.clock import LONDON, local_date, local_instant
from crisis_care.core.models import User
from crisis_care.directory import selectors as directory_selectors
from crisis_care.nonprod import factories as f
from crisis_care.people.models import CareTeamLink, GPPractice, Person
from crisis_care.people.validators import normalise_postcode, postcode_district
from crisis_care.referrals import eligibility, letters
from crisis_care.referrals.clocks import (
    CRS_REABLEMENT_TARGET,
    CRS_RESPONSE_TARGET,
    FACE_TO_FACE_TARGET,
    REFERRER_RESPONSE_TARGET,
    ClockName,
    ClockState,
    clocks_for,
    first_contact_target,
)
from crisis_care.referrals.models import (
    AgeCheck,
    AreaCheck,
    BreachReason,
    Channel,
    ContactWith,
    Medium,
    Outcome,
    Pathway,
    PersonAgrees,
    PostcodeLocalAuthority,
    Priority,
    PriorityChange,
    Referral,
    ReferralContact,
    ReferralSignpost,
    Source,
    Status,
    StatusChange,
)
from crisis_care.referrals.selectors import clock_input
from crisis_care.workforce.models import ShiftAssignment, Team

DEFAULT_REFERRAL_DAYS = 365
MAIN_REFERRALS_PER_YEAR = 3_950  # "nearly 4,000 referrals/year" (DOMAIN.md §1.1)
CRS_REFERRALS_PER_YEAR = 300  # "a few hundred": not sourced
LIVE_WINDOW = dt.timedelta(hours=36)
LIVE_MAIN = (16, 22)  # open referrals in today's queue for the main team
LIVE_CRS = (1, 3)
UNMATCHED_SELF_REFERRALS = 2  # online self-referrals in today's queue not yet matched to a record
FORCED_LIVE_BREACHES = 2  # breaches in today's queue still waiting for a reason
ADULT_AGES = (18.1, 65.9, 30.0)  # (youngest, oldest, most common) in years

# Monday first. Mean 1, so the yearly rate holds.
DAY_OF_WEEK = (1.25, 1.08, 1.04, 1.02, 1.03, 0.78, 0.80)
# London hour of day, 00:00 first.
HOUR_WEIGHTS = (
    2.0, 1.6, 1.1, 0.8, 0.7, 0.7,  # 00-05: quiet, never empty
    0.9, 1.4, 2.6, 4.6, 6.0, 6.6,  # 06-11
    6.4, 6.2, 6.4, 6.5, 6.2, 5.4,  # 12-17
    4.6, 4.4, 4.7, 4.3, 3.4, 2.6,  # 18-23: a smaller evening peak
)  # fmt: skip

# Who refers, by time of week: (source, weight in GP hours, weight otherwise). GP hours are
# weekdays 08:00 to 18:30; the crisis café is open three evenings a week (DOMAIN.md §1.2; which
# evenings is made up here: Thursday to Saturday).
SOURCES: tuple[tuple[str, int, int], ...] = (
    (Source.GP, 48, 0),
    (Source.TRUST_MH_PROFESSIONAL, 21, 12),
    (Source.ED_LIAISON, 6, 21),
    (Source.SELF, 6, 17),
    (Source.CARER_FAMILY, 4, 13),
    (Source.EMERGENCY_SERVICES, 3, 13),
    (Source.OTHER_HEALTH, 4, 12),
    (Source.INPATIENT_WARD, 4, 1),
    (Source.NON_HEALTH_AGENCY, 2, 2),
    (Source.COUNCIL_CRS, 2, 1),
)
CRISIS_CAFE_EVENINGS = (3, 4, 5)  # Thursday, Friday, Saturday
CRISIS_CAFE_WEIGHT = 12

BY_PHONE: tuple[tuple[str, int], ...] = ((Channel.PHONE, 1),)
CHANNELS: dict[str, tuple[tuple[str, int], ...]] = {
    Source.GP: (
        (Channel.PHONE, 55),
        (Channel.EMAIL, 25),
        (Channel.MESSAGE, 15),
        (Channel.LETTER, 5),
    ),
    Source.TRUST_MH_PROFESSIONAL: ((Channel.PHONE, 70), (Channel.MESSAGE, 30)),
    Source.ED_LIAISON: ((Channel.PHONE, 90), (Channel.MESSAGE, 10)),
    Source.SELF: ((Channel.ONLINE, 55), (Channel.PHONE, 45)),
    Source.OTHER_HEALTH: ((Channel.PHONE, 75), (Channel.EMAIL, 25)),
    Source.INPATIENT_WARD: ((Channel.PHONE, 50), (Channel.MESSAGE, 50)),
    Source.NON_HEALTH_AGENCY: ((Channel.PHONE, 60), (Channel.EMAIL, 40)),
    Source.COUNCIL_CRS: ((Channel.PHONE, 80), (Channel.EMAIL, 20)),
}

# (emergency, very urgent, urgent, routine): about 5%, 25%, 55%, 15% overall.
PRIORITIES = (Priority.EMERGENCY, Priority.VERY_URGENT, Priority.URGENT, Priority.ROUTINE)
PRIORITY_WEIGHTS: dict[str, tuple[int, int, int, int]] = {
    Source.ED_LIAISON: (14, 40, 44, 2),
    Source.EMERGENCY_SERVICES: (12, 42, 44, 2),
    Source.CRISIS_CAFE: (4, 30, 60, 6),
    Source.GP: (2, 19, 59, 20),
}
DEFAULT_PRIORITY_WEIGHTS = (3, 23, 57, 17)
CRS_PRIORITY_WEIGHTS = (0, 35, 55, 10)

# Chance that a clock is missed, before the data is read back through referrals.clocks.
REFERRER_LATE = 0.09
FIRST_CONTACT_LATE = 0.07
FACE_TO_FACE_LATE = {
    Priority.EMERGENCY: 0.18,
    Priority.VERY_URGENT: 0.14,
    Priority.URGENT: 0.09,
    Priority.ROUTINE: 0.05,
}
CRS_RESPONSE_LATE = 0.12
CRS_REABLEMENT_LATE = 0.12

# Share of main-team referrals (not counting the ones matched to the caseload).
SHARE_EXISTING_PEOPLE = 0.10
SHARE_REPEAT = 0.18  # someone already referred this year, referred again
SHARE_OUT_OF_AREA = 0.03
SHARE_OUT_OF_AGE = 0.03
SHARE_DECLINED = 0.14  # of the eligible; the out-of-area and out-of-age ones are all declined
SHARE_CLOSED = 0.04  # closed without being accepted
SHARE_PRIORITY_CHANGED = 0.08
SHARE_WITH_NEEDS = 0.15  # as among the demo's people

OUT_OF_AREA: dict[str, str] = {
    "NG7": "Nottingham", "NG18": "Mansfield", "CV1": "Coventry", "CV2": "Coventry",
    "NN1": "Northampton", "DE1": "Derby", "DE22": "Derby", "PE1": "Peterborough",
    "LN1": "Lincoln", "B1": "Birmingham",
}  # fmt: skip
# Council CRS is Leicestershire County Council's: county districts only.
COUNTY_TOWNS = {
    district: town
    for district, town in f.LLR_DISTRICTS.items()
    if district not in ("LE1", "LE2", "LE3", "LE4", "LE5", "LE15")  # the city; Rutland
}

REASONS: dict[str, tuple[str, ...]] = {
    Priority.EMERGENCY: (
        "Took an overdose of paracetamol tonight; medically assessed in ED and wants to leave.",
        "Standing on a motorway bridge when police arrived; brought to ED under section 136.",
        "Hearing voices telling them to harm their children; partner has taken the children out.",
        "Cut their arms deeply after an argument; wounds dressed in ED, still wants to die.",
        "Barricaded in their flat, shouting at neighbours; believes they are being poisoned.",
    ),
    Priority.VERY_URGENT: (
        "Low mood for weeks, now has a plan to end their life this weekend.",
        "Not slept for four nights, talking fast, spending heavily; family frightened.",
        "Stopped their antipsychotic a month ago; paranoid about neighbours and not eating.",
        "Said goodbye to friends in messages last night and gave away their dog.",
        "Recent serious overdose, discharged from hospital today, still hopeless.",
        "Hearing voices again and has not left the bedroom for three days.",
    ),
    Priority.URGENT: (
        "Increasingly low and tearful since losing their job; fleeting thoughts of not being here.",
        "Panic attacks most days and stopped going out; partner worried they are not coping.",
        "Drinking heavily since a bereavement and saying life is pointless.",
        "Care coordinator concerned: missed depot, more suspicious and withdrawn.",
        "Self-harming more often (scratching), no plan to end life; wants help today.",
        "Relationship ended; staying with a friend, low and not sleeping.",
        "Known to the team last year; early warning signs back (not sleeping, irritable).",
        "Ward asking for early discharge with home treatment support.",
    ),
    Priority.ROUTINE: (
        "Low mood for several months; GP wants a view on whether home treatment would help.",
        "Anxiety worse after moving house; no risk to self identified.",
        "Asked for support after a recent crisis that has now settled.",
        "Follow-up requested after an ED attendance last week; no current risk.",
    ),
}
PRIORITY_REASONS = {
    Priority.EMERGENCY: "Immediate risk to life: needs to be seen within the hour.",
    Priority.VERY_URGENT: "High risk: plan or intent, or rapidly worsening psychosis.",
    Priority.URGENT: "Crisis without an immediate plan; needs assessing today.",
    Priority.ROUTINE: "Settled at the moment; no current risk identified.",
}
PRIORITY_CHANGES_UP = (
    "Spoke to them: has a plan and the means, so raised.",
    "Referrer rang again: more agitated and now refusing food.",
)
PRIORITY_CHANGES_DOWN = (
    "Spoke to them: calmer, with a friend staying tonight, so lowered.",
    "Now safe at their parents' and agreeable to a visit tomorrow.",
)
KNOWN_RISKS = (
    "",
    "",
    "Previous overdoses (2), last one eight months ago.",
    "Lives alone; dog in the house.",
    "History of aggression when unwell: visit in twos.",
    "Drinks heavily at weekends.",
    "Has access to prescribed medication stockpile at home.",
    "Young children at home.",
)
NIGHT_VISITS = (Priority.EMERGENCY, Priority.VERY_URGENT)
# An emergency from these is seen where the person is, with no phone call first.
SEEN_WHERE_THEY_ARE = (Source.ED_LIAISON, Source.EMERGENCY_SERVICES)
EMERGENCY_SERVICES = (
    ("Leicestershire Police", "police officer"),
    ("East Midlands Ambulance Service", "paramedic"),
)
LOCATIONS: dict[str, str] = {
    Source.ED_LIAISON: "Emergency department, Leicester Royal Infirmary",
    Source.INPATIENT_WARD: "Bradgate Unit ward",
    Source.CRISIS_CAFE: "Crisis café",
}
CMHT_AREAS = ("City East", "City West", "Charnwood", "Hinckley and Bosworth", "Melton and Rutland",
              "Harborough", "North West Leicestershire", "Blaby and Oadby")  # fmt: skip
AGENCIES = ("Housing options team", "Probation service", "University student support",
            "Jobcentre Plus", "Women's refuge", "Homeless outreach team")  # fmt: skip
OTHER_HEALTH_ORGS = ("NHS 111", "GP out-of-hours service", "Leicester Royal Infirmary (medical ward)",
                     "Glenfield Hospital (medical ward)", "Leicester General Hospital (medical ward)",
                     "Talking therapies service")  # fmt: skip
RELATIVES = ("mother", "father", "partner", "wife", "husband", "sister", "brother", "daughter",
             "son", "friend")  # fmt: skip

FAILED_ATTEMPTS = (
    (Outcome.NO_ANSWER, "No answer; no voicemail."),
    (Outcome.LEFT_MESSAGE, "No answer. Left a message asking them to ring the duty line."),
    (Outcome.NO_ANSWER, "Phone rang out."),
    (
        Outcome.WRONG_NUMBER,
        "Number on the referral not recognised; asked the referrer for another.",
    ),
)
REFERRER_NOTES = (
    "Called the referrer back: discussed the referral and agreed what happens next.",
    "Rang the referrer: more history taken and risks discussed.",
    "Spoke to the referrer; they will tell the person to expect our call.",
)
FIRST_CONTACT_NOTES = (
    "Spoke with them: safe for now and agreed a visit.",
    "Triage call: talked through what is happening, risks and who is around them.",
    "Spoke with them; they agreed to be seen at home.",
)
FACE_TO_FACE_NOTES = (
    "Assessed at home with a second practitioner.",
    "Seen in the emergency department at Leicester Royal Infirmary.",
    "Assessed at their parents' home.",
    "Seen at the Bradgate Unit.",
    "Assessed at the GP surgery, as they preferred.",
)
ACCEPTED_ENDINGS = (
    ("Assessed: home treatment episode started.", 55),
    ("Assessed: admitted to the Bradgate Unit.", 15),
    ("Assessed: back to the community mental health team with a crisis plan.", 15),
    ("Assessed: back to the GP, with signposting.", 15),
)
CASELOAD_ENDING = ACCEPTED_ENDINGS[0][0]

# (note on closing, reason if the face-to-face clock was missed, contact with the person?)
CLOSURES = (
    ("Admitted to the Bradgate Unit before the assessment could take place.",
     "Admitted to hospital before the team could visit.", True),
    ("Referral withdrawn by the GP: seen by the community mental health team the same day.",
     "Withdrawn by the referrer before a visit was due.", False),
    ("Duplicate of a referral received the same day.", "Duplicate referral: the person was seen on the other one.", False),
    ("Could not be contacted after repeated attempts; referrer and GP informed.",
     "Person not at the address and not answering; police welfare check found them safe.", None),
    ("Taken into police custody; the liaison and diversion team is involved.",
     "Person in custody; liaison and diversion team took over.", True),
)  # fmt: skip

# (category, reason, signpost slugs): the reason is what the clinician typed, kept as it is;
# the category has its own field, as the decline page does.
DECLINES_NOT_CRISIS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("not_crisis", "Needs ongoing support from their community mental health team rather than home treatment.",
     ("Community mental health team (CMHT)", "Your GP")),
    ("not_crisis", "The difficulties are mainly with housing and money; no acute mental health crisis.",
     ("Citizens Advice", "Your GP")),
    ("not_crisis", "Crisis settled after the triage call; agreed support from the GP and the 24/7 line.",
     ("24/7 mental health line (LLR Central Access Point)", "Your GP", "Samaritans")),
    ("not_crisis", "Lonely and low but safe; peer support and a support group would help more.",
     ("Mind", "LAMP", "Crisis café")),
    ("other", "Declined an assessment and has capacity to decide; crisis numbers given.",
     ("24/7 mental health line (LLR Central Access Point)", "Samaritans", "Crisis café")),
)  # fmt: skip
DECLINE_OUT_OF_AREA: tuple[str, str, tuple[str, ...]] = ("out_of_area", "Passed to their local crisis team, with crisis numbers.",
                       ("NHS 111", "Samaritans"))  # fmt: skip
DECLINE_UNDER_18: tuple[str, str, tuple[str, ...]] = (
    "under_18",
    "Passed to the CAMHS crisis team the same day.",
    ("Your GP", "NHS 111"),
)
DECLINE_OVER_65: tuple[str, str, tuple[str, ...]] = ("over_65", "Passed to the older people's crisis team the same day.",
                   ("Your GP", "24/7 mental health line (LLR Central Access Point)"))  # fmt: skip

UNREAD_EMAIL = "Referral came in writing and was not seen until the inbox was checked."
WRITTEN_CHANNELS = (Channel.EMAIL, Channel.MESSAGE, Channel.LETTER)
BREACH_REASONS: dict[str, tuple[str, ...]] = {
    ClockName.REFERRER_RESPONSE: (
        "Duty team covering ED at the time.",
        "Referral arrived during shift handover.",
        "All triage clinicians on calls; referrer's line engaged when we rang back.",
        UNREAD_EMAIL,
    ),
    ClockName.FIRST_CONTACT: (
        "Person not answering; messages left.",
        "Wrong number on the referral; the GP surgery gave a new one the next morning.",
        "Person asked to be called back later.",
        "Awaiting police welfare check.",
        "Two emergencies came in at once; routine calls waited.",
    ),
    ClockName.FACE_TO_FACE: (
        "Person not at the address.",
        "Awaiting police welfare check.",
        "Duty team covering ED at the time.",
        "Needed two practitioners for a safe visit; the second was freed up later.",
        "Person asked for a later visit.",
        "Interpreter booked for the next available slot.",
    ),
    ClockName.CRS_RESPONSE: (
        "Both responders on visits in the north of the county.",
        "Waited to visit jointly with the district nurse.",
        "Ambulance crew still on scene; visited once they left.",
        "Person not at home; found at a neighbour's.",
    ),
    ClockName.CRS_REABLEMENT: (
        "Reablement provider had no capacity until day three.",
        "Person in hospital overnight; started on discharge.",
        "Family asked to delay the start until after the weekend.",
    ),
}
DECLINED_FACE_TO_FACE = (
    "Needed the GP's records before deciding; declined when they arrived.",
    "Decision waited for the consultant's view.",
)

CRS_REASONS = (
    ("Fell twice overnight; ambulance crew found no injury but she cannot get up from a chair unaided.",
     ("3", "4")),
    ("Main carer (husband) admitted to hospital this morning; she has dementia and cannot be left alone.",
     ("7", "6")),
    ("Discharged from Leicester Royal Infirmary today; package of care does not start until next week.",
     ("5",)),
    ("Sudden loss of mobility since yesterday; unable to transfer to the commode.", ("4", "1")),
    ("Palliative; family exhausted and need support at home for a few nights.", ("2", "7")),
    ("Chest infection treated at home; not eating or drinking much, at risk of admission.", ("1", "6")),
    ("Lives alone, increasingly confused after a urine infection; GP wants to avoid admission.",
     ("1", "6", "8")),
    ("Wife (main carer) has fallen ill; he needs help with personal care twice a day.", ("7",)),
)  # fmt: skip
CRS_ORGS: dict[str, tuple[str, ...]] = {
    Source.OTHER_HEALTH: ("District nursing team", "NHS 111", "Leicester Royal Infirmary discharge team",
                          "Community therapy team"),
    Source.EMERGENCY_SERVICES: ("East Midlands Ambulance Service",),
    Source.NON_HEALTH_AGENCY: ("Home care agency", "Extra care housing scheme"),
}  # fmt: skip
CRS_SOURCES = ((Source.GP, 30), (Source.OTHER_HEALTH, 32), (Source.EMERGENCY_SERVICES, 15),
               (Source.CARER_FAMILY, 12), (Source.NON_HEALTH_AGENCY, 7), (Source.SELF, 4))  # fmt: skip
CRS_ENDINGS = (
    ("Crisis resolved at home; no ongoing needs.", 35),
    ("Short-term care arranged while the carer is in hospital.", 20),
    ("Admitted to hospital after the visit.", 10),
    ("Handed over to the locality social care team.", 35),
)
CRS_VISIT_NOTE = "Visited at home; immediate needs met."
CRS_CLOSURE = (
    "Admitted to hospital before the visit.",
    "Admitted to hospital before the team could visit.",
)
CRS_REABLEMENT_ENDING = "Reablement started; handed over to the reablement team."
CRS_DECLINES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("other", "Needs a hospital assessment: ambulance called.", ("999 emergency services", "NHS 111")),
    ("other", "A mental health crisis: passed to the crisis resolution team.",
     ("Crisis Resolution and Home Treatment Team", "Your GP")),
    ("other", "Needs are ongoing rather than a crisis: passed to the locality social care team.",
     ("Your GP", "Citizens Advice")),
)  # fmt: skip

T = TypeVar("T")
MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
Decline = tuple[str, str, tuple[str, ...]]  # (category, reason typed, services by name)
# Something that happens to a referral at a moment: it writes its rows and says whether it
# saved the referral itself (which bumps the version, as the services do).
Action = Callable[..., bool]

ACCEPTED, DECLINED, CLOSED, PENDING = "accepted", "declined", "closed", "pending"


class Namer(Protocol):
    """Names in the demo's mix of origins (nonprod.demo's builder is one)."""

    def given_name(self, origin: str, sex: str) -> str: ...

    def family_name(self, origin: str, sex: str) -> str: ...

    def next_phone(self) -> str: ...

    def communication_needs(self, origin: str) -> dict[str, object]: ...


@dataclass
class ReferralDemoInput:
    """What the referrals need from the rest of the demo."""

    now: dt.datetime
    days: int
    main: Team
    council: Team
    people: Sequence[Person]  # the demo's people, in the order they were made
    caseload_links: Sequence[CareTeamLink]  # their links with the main team
    practices: Sequence[GPPractice]
    practitioners: Sequence[User]  # current registered practitioners in the main team
    admins: Sequence[User]
    managers: Sequence[User]
    council_staff: Sequence[User]
    namer: Namer
    origins: Sequence[tuple[str, int]]


@dataclass
class _Slot:
    received_at: dt.datetime
    live: bool = False
    person: Person | None = None
    caseload: bool = False  # the referral that brought someone onto today's caseload
    unmatched: bool = False  # an online self-referral not yet matched to a record


@dataclass
class _Built:
    referral: Referral
    live: bool
    contacts: list[ReferralContact] = field(default_factory=list)
    statuses: list[StatusChange] = field(default_factory=list)
    priorities: list[PriorityChange] = field(default_factory=list)
    signposts: list[ReferralSignpost] = field(default_factory=list)
    links: list[CareTeamLink] = field(default_factory=list)
    closure_reason: str = ""  # why a clock still running at closure was missed
    events: list[tuple[dt.datetime, int, Action]] = field(default_factory=list)

    def at(self, when: dt.datetime, action: Action, *args: Any) -> None:
        """Schedule action(*args, at) for `when`; the arguments are bound now."""
        self.events.append((when, len(self.events), partial(action, *args)))


def poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method: fine for the small daily means here."""
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def weighted(rng: random.Random, options: Sequence[tuple[T, int]]) -> T:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def minutes(value: float) -> dt.timedelta:
    return dt.timedelta(minutes=value)


def build_referrals(data: ReferralDemoInput, *, seed: int) -> dict[str, int]:
    """Write the referrals; return counts for the command's summary."""
    return _ReferralBuilder(data, seed=seed).build()


class _ReferralBuilder:
    def __init__(self, data: ReferralDemoInput, *, seed: int) -> None:
        self.d = data
        self.rng = random.Random(f"referrals-{seed}")
        self.now = data.now
        self.start = data.now - dt.timedelta(days=data.days)
        self.live_from = data.now - LIVE_WINDOW
        self.new_people: list[Person] = []
        self.referred: list[Person] = []  # new people referred so far (for repeat referrals)
        self.referred_crs: list[Person] = []
        self.on_caseload_from = {
            link.person_id: link.opened_at for link in data.caseload_links if link.closed_at is None
        }
        last = max((p.nhs_number for p in data.people if p.nhs_number), default="")
        self.nhs_numbers = f.nhs_number_sequence(int(last[3:9]) + 1 if last else 0)
        self.area_cache: dict[str, str] = {}
        self.exact_postcodes = PostcodeLocalAuthority.objects.exists()
        self.services = {s.name: s for s in directory_selectors.services_list()}
        self.crisis_help = directory_selectors.crisis_help_services()
        self.rota = self.load_rota()
        self.referrer_numbers = 0
        self.forced_breaches = 0

    # --- helpers -------------------------------------------------------------------------

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def tri(self, low: float, high: float, mode: float) -> float:
        return self.rng.triangular(low, high, mode)

    def area_check(self, postcode: str) -> str:
        """referrals.eligibility.check_area, once per district (or once per postcode when the
        ONS postcode directory is loaded, since that settles single postcodes)."""
        key = normalise_postcode(postcode) if self.exact_postcodes else postcode_district(postcode)
        if key not in self.area_cache:
            self.area_cache[key] = eligibility.check_area(postcode).check
        return self.area_cache[key]

    def load_rota(self) -> list[tuple[dt.datetime, dt.datetime, User]]:
        practitioners = {u.pk for u in self.d.practitioners}
        rows = ShiftAssignment.objects.filter(shift__team=self.d.main).select_related(
            "shift", "staff__user"
        )
        rota = [
            (a.shift.starts_at, a.shift.ends_at, a.staff.user)
            for a in rows
            if a.staff.user_id in practitioners
        ]
        rota.sort(key=lambda row: (row[0], row[2].username))
        return rota

    def on_duty(self, at: dt.datetime) -> User:
        """A registered practitioner on shift then (when the rota reaches back that far)."""
        on = [user for start, end, user in self.rota if start <= at < end]
        return self.rng.choice(on or list(self.d.practitioners))

    def person_name(self) -> str:
        origin = weighted(self.rng, self.d.origins)
        sex = self.rng.choice(("male", "female"))
        return f"{self.d.namer.given_name(origin, sex)} {self.d.namer.family_name(origin, sex)}"

    def next_referrer_phone(self) -> str:
        self.referrer_numbers += 1
        return f.drama_landline(self.referrer_numbers)

    # --- the build -----------------------------------------------------------------------

    def build(self) -> dict[str, int]:
        built = [self.main_referral(slot) for slot in self.main_slots()]
        built += [self.crs_referral(slot) for slot in self.slots(CRS_REFERRALS_PER_YEAR, LIVE_CRS)]
        for b in built:
            self.play(b)
        breaches = self.breach_reasons(built)

        Person.objects.bulk_create(self.new_people, batch_size=1000)
        Referral.objects.bulk_create([b.referral for b in built], batch_size=1000)
        StatusChange.objects.bulk_create([r for b in built for r in b.statuses], batch_size=2000)
        PriorityChange.objects.bulk_create(
            [r for b in built for r in b.priorities], batch_size=2000
        )
        ReferralContact.objects.bulk_create([r for b in built for r in b.contacts], batch_size=2000)
        ReferralSignpost.objects.bulk_create(
            [r for b in built for r in b.signposts], batch_size=2000
        )
        CareTeamLink.objects.bulk_create([r for b in built for r in b.links], batch_size=2000)
        BreachReason.objects.bulk_create(breaches, batch_size=2000)
        return {
            "referrals": len(built),
            "open referrals": sum(b.referral.is_open for b in built),
            "referral contacts": sum(len(b.contacts) for b in built),
            "breach reasons": len(breaches),
            "people referred from outside the caseload": len(self.new_people),
        }

    # --- when referrals arrive -----------------------------------------------------------

    def random_time_on(self, day: dt.date) -> dt.datetime:
        hour = self.rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
        second = self.rng.randrange(3600)
        return local_instant(day, dt.time(hour, second // 60, second % 60))

    def slots(self, per_year: float, live_range: tuple[int, int]) -> list[_Slot]:
        """History up to 36 hours ago, Poisson by day; then today's queue, on the same curve."""
        history = []
        day, last = local_date(self.start), local_date(self.live_from)
        while day <= last:
            for _ in range(poisson(self.rng, per_year / 365 * DAY_OF_WEEK[day.weekday()])):
                at = self.random_time_on(day)
                if self.start <= at < self.live_from:
                    history.append(_Slot(at))
            day += dt.timedelta(days=1)
        history.sort(key=lambda s: s.received_at)

        wanted, top = self.rng.randint(*live_range), max(HOUR_WEIGHTS)
        span = (self.now - 2 * MINUTE - self.live_from).total_seconds()
        live: list[_Slot] = []
        while len(live) < wanted:
            at = self.live_from + dt.timedelta(seconds=int(self.rng.uniform(0, span)))
            if self.rng.random() * top < HOUR_WEIGHTS[at.astimezone(LONDON).hour]:
                live.append(_Slot(at, live=True))
        live.sort(key=lambda s: s.received_at)
        return history + live

    def main_slots(self) -> list[_Slot]:
        slots = self.slots(MAIN_REFERRALS_PER_YEAR, LIVE_MAIN)
        # Each person on today's caseload came in through a referral shortly before.
        history = [s for s in slots if not s.live]
        times = [s.received_at for s in history]
        for link in self.d.caseload_links:
            i = bisect_right(times, link.opened_at - HOUR) - 1
            while i >= 0 and history[i].person is not None:
                i -= 1
            if i >= 0 and link.opened_at - history[i].received_at < dt.timedelta(days=3):
                history[i].person, history[i].caseload = link.person, True
        # A few online self-referrals in today's queue still need matching to a record.
        live = [s for s in slots if s.live]
        for slot in self.rng.sample(live, min(UNMATCHED_SELF_REFERRALS, len(live))):
            slot.unmatched = True
        return slots

    # --- people --------------------------------------------------------------------------

    def new_person(
        self,
        *,
        on: dt.date,
        age: tuple[float, float, float],
        districts: dict[str, str] | None = None,
        save: bool = True,
    ) -> Person:
        """A synthetic person aged `age` (low, high, mode in years) on the day."""
        namer, rng = self.d.namer, self.rng
        origin = weighted(rng, self.d.origins)
        gender = rng.choices(("1", "2", "3", "X"), weights=(47, 49, 2, 2))[0]
        sex = {"1": "male", "2": "female"}.get(gender) or rng.choice(("male", "female"))
        given, family = namer.given_name(origin, sex), namer.family_name(origin, sex)
        if districts is None:
            postcode, town = f.llr_postcode(rng)
        else:
            district = rng.choice(sorted(districts))
            letters_ = "ABDEFGHJLNPQRSTUWXYZ"
            postcode = f"{district} {rng.randint(1, 9)}{rng.choice(letters_)}{rng.choice(letters_)}"
            town = districts[district]
        in_llr = districts is not OUT_OF_AREA
        needs = namer.communication_needs(origin) if self.chance(SHARE_WITH_NEEDS) else {}
        person = f.PersonFactory.build(
            nhs_number=next(self.nhs_numbers) if save else "",
            given_name=given,
            family_name=family,
            family_name_search=family.casefold(),
            date_of_birth=on - dt.timedelta(days=int(self.tri(*age) * 365.25)),
            gender=gender,
            address_line_1=f.street_address(rng),
            town=town,
            postcode=postcode,
            phone=namer.next_phone(),
            gp_practice=rng.choice(self.d.practices) if in_llr and self.d.practices else None,
            **needs,
        )
        if save:
            self.new_people.append(person)
        return person

    def person_for_main(self, slot: _Slot) -> Person:
        on = local_date(slot.received_at)
        roll = self.rng.random()
        for share, pick in (
            (
                SHARE_OUT_OF_AREA,
                lambda: self.new_person(on=on, age=ADULT_AGES, districts=OUT_OF_AREA),
            ),
            (SHARE_OUT_OF_AGE / 2, lambda: self.new_person(on=on, age=(16.05, 17.95, 17.0))),
            (SHARE_OUT_OF_AGE / 2, lambda: self.new_person(on=on, age=(66.1, 88.0, 70.0))),
            (SHARE_EXISTING_PEOPLE if self.d.people else 0, lambda: self.someone_known(slot)),
            (SHARE_REPEAT if self.referred else 0, lambda: self.rng.choice(self.referred)),
        ):
            if roll < share:
                return pick()
            roll -= share
        person = self.new_person(on=on, age=ADULT_AGES)
        self.referred.append(person)
        return person

    def someone_known(self, slot: _Slot) -> Person:
        """One of the demo's people, but not someone the team is treating at the time."""
        for _ in range(10):
            person = self.rng.choice(self.d.people)
            opened = self.on_caseload_from.get(person.pk)
            if opened is None or slot.received_at < opened - dt.timedelta(days=3):
                return person
        return self.new_person(on=local_date(slot.received_at), age=ADULT_AGES)

    @staticmethod
    def details_for(person: Person) -> dict[str, str]:
        """What a self-referrer typed about themselves on the online form."""
        details = {
            "given_name": person.given_name,
            "family_name": person.family_name,
            "date_of_birth": person.date_of_birth.isoformat(),
            "postcode": person.postcode,
            "phone": person.phone,
        }
        if person.email:
            details["email"] = person.email
        return details

    # --- referrers -----------------------------------------------------------------------

    def source_at(self, at: dt.datetime) -> str:
        local = at.astimezone(LONDON)
        gp_hours = local.weekday() < 5 and dt.time(8, 0) <= local.time() < dt.time(18, 30)
        options = [(source, in_hours if gp_hours else out) for source, in_hours, out in SOURCES]
        if local.weekday() in CRISIS_CAFE_EVENINGS and local.hour >= 18:
            options.append((Source.CRISIS_CAFE, CRISIS_CAFE_WEIGHT))
        return weighted(self.rng, options)

    def referrer(self, source: str, person: Person | None) -> dict[str, str]:
        if source == Source.SELF:
            return {}
        name = self.person_name()
        if source == Source.GP:
            practice = (person.gp_practice if person else None) or self.rng.choice(self.d.practices)
            return {
                "referrer_name": f"Dr {name}",
                "referrer_organisation": practice.name,
                "referrer_phone": practice.phone,
                "referrer_email": f"{practice.ods_code.lower()}.referrals@example.com",
            }
        if source == Source.CARER_FAMILY:
            relative = self.rng.choice(RELATIVES)
            if person is not None and relative not in ("friend", "partner"):
                name = f"{name.split()[0]} {person.family_name}"
            return {
                "referrer_name": f"{name} ({relative})",
                "referrer_phone": self.d.namer.next_phone(),
            }
        organisation, title = {
            Source.TRUST_MH_PROFESSIONAL: (
                f"Community mental health team ({self.rng.choice(CMHT_AREAS)})",
                "care coordinator",
            ),
            Source.ED_LIAISON: (
                "Mental health liaison, Leicester Royal Infirmary",
                "liaison nurse",
            ),
            Source.INPATIENT_WARD: ("Bradgate Unit", "ward nurse"),
            Source.EMERGENCY_SERVICES: self.rng.choice(EMERGENCY_SERVICES),
            Source.OTHER_HEALTH: (self.rng.choice(OTHER_HEALTH_ORGS), "clinician"),
            Source.NON_HEALTH_AGENCY: (self.rng.choice(AGENCIES), "support worker"),
            Source.CRISIS_CAFE: ("Crisis café (Turning Point)", "recovery worker"),
            Source.COUNCIL_CRS: (
                "Leicestershire County Council Crisis Response Service",
                "social worker",
            ),
        }[Source(source)]
        return {
            "referrer_name": f"{name} ({title})",
            "referrer_organisation": organisation,
            "referrer_phone": self.next_referrer_phone(),
        }

    # --- a mental health referral to the main team ----------------------------------------

    def main_referral(self, slot: _Slot) -> _Built:
        rng, t0 = self.rng, slot.received_at
        source = Source.SELF if slot.unmatched else self.source_at(t0)
        if slot.caseload and source == Source.COUNCIL_CRS:
            source = Source.GP
        channel = (
            Channel.ONLINE if slot.unmatched else weighted(rng, CHANNELS.get(source, BY_PHONE))
        )
        person: Person | None
        if slot.unmatched:
            identity, person = self.new_person(on=local_date(t0), age=ADULT_AGES, save=False), None
        else:
            identity = person = slot.person or self.person_for_main(slot)
        details = self.details_for(identity) if channel == Channel.ONLINE else {}
        # Eligibility as the intake service checks it: shown, never applied by itself.
        area = self.area_check(identity.postcode)
        age = eligibility.check_age(identity.date_of_birth, local_date(t0))

        outcome, decline = ACCEPTED, None
        if slot.unmatched:
            outcome = PENDING  # cannot be accepted until matched to a record
        elif not (slot.live or slot.caseload):
            if area == AreaCheck.OUT_OF_AREA:
                outcome, decline = DECLINED, DECLINE_OUT_OF_AREA
            elif age == AgeCheck.CAMHS:
                outcome, decline = DECLINED, DECLINE_UNDER_18
            elif age == AgeCheck.OLDER_PEOPLE:
                outcome, decline = DECLINED, DECLINE_OVER_65
            elif self.chance(SHARE_DECLINED):
                outcome, decline = DECLINED, rng.choice(DECLINES_NOT_CRISIS)
            elif self.chance(SHARE_CLOSED / (1 - SHARE_DECLINED)):
                outcome = CLOSED
        weights = PRIORITY_WEIGHTS.get(source, DEFAULT_PRIORITY_WEIGHTS)
        if outcome == DECLINED:
            weights = (0, *weights[1:])  # an emergency is seen, not declined on the phone
        priority = rng.choices(PRIORITIES, weights=weights)[0]

        created_by = None
        if channel != Channel.ONLINE:
            local = t0.astimezone(LONDON)
            office = local.weekday() < 5 and 9 <= local.hour < 17
            created_by = (
                rng.choice(self.d.admins) if office and self.chance(0.5) else self.on_duty(t0)
            )
        referral = Referral(
            team=self.d.main,
            pathway=Pathway.MENTAL_HEALTH,
            person=person,
            submitted_details=details,
            received_at=t0,
            channel=channel,
            source=source,
            reason=rng.choice(REASONS[priority]),
            person_agrees=(
                PersonAgrees.KNOWS_AND_AGREES
                if source == Source.SELF or self.chance(0.85)
                else rng.choice((PersonAgrees.KNOWS_DOES_NOT_AGREE, PersonAgrees.DOES_NOT_KNOW))
            ),
            current_location=LOCATIONS.get(source)
            or ("At home" if self.chance(0.85) else "Staying with a friend"),
            known_risks=rng.choice(KNOWN_RISKS),
            priority=priority,
            priority_reason=PRIORITY_REASONS[priority],
            area_check=area,
            age_check=age,
            created_by=created_by,
            **self.referrer(source, person),
        )
        built = _Built(referral=referral, live=slot.live)
        self.main_events(built, outcome=outcome, decline=decline, caseload=slot.caseload)
        return built

    def main_events(
        self, b: _Built, *, outcome: str, decline: Decline | None, caseload: bool
    ) -> None:
        """What happens to a mental health referral, in order. Things that would happen after
        now have not happened yet, which is how today's queue is left open."""
        rng, r = self.rng, b.referral
        t0, priority = r.received_at, Priority(r.priority)
        is_self = r.source == Source.SELF
        direct_f2f = priority == Priority.EMERGENCY and r.source in SEEN_WHERE_THEY_ARE

        # When each clock would stop: mostly in time, sometimes late.
        ref_at = t0 + (
            REFERRER_RESPONSE_TARGET + minutes(rng.expovariate(1 / 40))
            if self.chance(REFERRER_LATE)
            else minutes(self.tri(3, 29, 10))
        )
        fc_target = first_contact_target(t0)
        if self.chance(FIRST_CONTACT_LATE):
            fc_at = fc_target + minutes(rng.expovariate(1 / 150))
        elif is_self:
            fc_at = ref_at  # calling a self-referrer back is the response to the referrer
        else:
            fc_at = t0 + min(minutes(self.tri(10, 240, 40)), (fc_target - t0) * 0.9)
        f2f_target = FACE_TO_FACE_TARGET[priority]
        late = self.chance(FACE_TO_FACE_LATE[priority])
        for _ in range(20):
            if late:
                f2f_at = t0 + f2f_target * (1 + rng.expovariate(1 / 0.3))
            elif priority == Priority.ROUTINE:
                f2f_at = t0 + f2f_target * self.tri(0.02, 0.35, 0.07)  # a few days
            else:
                f2f_at = t0 + f2f_target * self.tri(0.25, 0.98, 0.6)
            # The night shift visits only the most urgent; others are seen from 08:00 to 22:00.
            if priority in NIGHT_VISITS or 8 <= f2f_at.astimezone(LONDON).hour < 22:
                break
        if (
            b.live
            and outcome == ACCEPTED
            and self.forced_breaches < FORCED_LIVE_BREACHES
            and self.now - t0 > f2f_target + 20 * MINUTE
        ):
            # Today's queue has a couple of breaches still waiting for a reason.
            self.forced_breaches += 1
            f2f_at = self.now + HOUR
        if direct_f2f:
            fc_at = f2f_at
        elif fc_at > f2f_at:
            fc_at = t0 + (f2f_at - t0) * rng.uniform(0.3, 0.7)
        first = fc_at if is_self else min(ref_at, fc_at)
        taken_at = t0 + min(minutes(self.tri(2, 25, 8)), (first - t0) * 0.5)
        # Recorded a few minutes after it arrived (an online form records itself), and always
        # by now: a referral in the system has its first status and priority rows.
        entered = (
            t0
            if r.channel == Channel.ONLINE
            else min(self.now, t0 + min(minutes(rng.uniform(1, 6)), (taken_at - t0) * 0.5))
        )
        owner = self.on_duty(taken_at)

        closure = rng.choice(CLOSURES) if outcome == CLOSED else None
        # A self-referral is always answered by calling the person.
        reach_person = is_self or not (
            decline is DECLINE_OUT_OF_AREA or (closure is not None and closure[2] is False)
        )
        fails = 0 if direct_f2f else rng.choices((0, 1, 2), weights=(75, 20, 5))[0]
        if fc_at > fc_target and not direct_f2f:
            fails = max(fails, 1)
        if closure and closure[2] is None:  # could not be contacted at all
            fails, reach_person = 3, False

        b.at(entered, self.status, b, Status.NEW, r.created_by, "")
        b.at(entered, self.first_priority, b)
        b.at(taken_at, self.take, b, owner)
        if not is_self:
            if fails == 0 and self.chance(0.05):
                outcome_code, note = FAILED_ATTEMPTS[2]
                b.at(t0 + (ref_at - t0) * 0.6, self.contact, b, ContactWith.REFERRER, Medium.PHONE,
                     outcome_code, note, owner)  # fmt: skip
            b.at(ref_at, self.contact, b, ContactWith.REFERRER, Medium.PHONE, Outcome.SPOKE,
                 rng.choice(REFERRER_NOTES), owner)  # fmt: skip
        decided = taken_at
        if not direct_f2f:
            last_try = fc_at if reach_person else t0 + dt.timedelta(hours=rng.uniform(20, 40))
            for n in range(fails):
                outcome_code, note = rng.choice(FAILED_ATTEMPTS)
                b.at(taken_at + (last_try - taken_at) * ((n + 1) / (fails + 1)), self.contact, b,
                     ContactWith.PERSON, Medium.PHONE, outcome_code, note, owner)  # fmt: skip
            if reach_person:
                medium = Medium.VIDEO if self.chance(0.05) else Medium.PHONE
                b.at(fc_at, self.contact, b, ContactWith.PERSON, medium, Outcome.SPOKE,
                     rng.choice(FIRST_CONTACT_NOTES), owner)  # fmt: skip
            decided = max(
                taken_at, taken_at if is_self else ref_at, fc_at if reach_person else taken_at
            )
        if r.area_check == AreaCheck.CHECK and reach_person and outcome != PENDING:
            b.at(decided + 3 * MINUTE, self.eligibility_confirmed, b, owner)

        if outcome == ACCEPTED:
            accept_at = decided + minutes(self.tri(5, 60, 15))
            if accept_at >= f2f_at:
                accept_at = taken_at + (f2f_at - taken_at) * 0.8
            b.at(accept_at, self.status, b, Status.ACCEPTED, owner, "")
            if not direct_f2f and self.chance(SHARE_PRIORITY_CHANGED):
                b.at(fc_at + MINUTE, self.priority_corrected, b, owner)
            visitor = owner if self.chance(0.5) else rng.choice(self.d.practitioners)
            b.at(f2f_at, self.contact, b, ContactWith.PERSON, Medium.FACE_TO_FACE, Outcome.SPOKE,
                 rng.choice(FACE_TO_FACE_NOTES), visitor)  # fmt: skip
            if not b.live:
                ending = CASELOAD_ENDING if caseload else weighted(rng, ACCEPTED_ENDINGS)
                b.at(
                    f2f_at + minutes(self.tri(30, 480, 120)),
                    self.status,
                    b,
                    Status.CLOSED,
                    owner,
                    ending,
                )
        elif outcome == DECLINED and decline is not None:
            close_at = decided + minutes(self.tri(10, 120, 30))
            latest = t0 + f2f_target - 5 * MINUTE  # decided before a visit would have been due
            if close_at > latest > decided:
                close_at = decided + (latest - decided) * rng.uniform(0.3, 0.9)
            b.at(close_at, self.declined, b, owner, decline)
        elif closure is not None:
            if closure[2] is None:
                close_at = t0 + dt.timedelta(hours=rng.uniform(42, 60))
            else:
                close_at = decided + minutes(self.tri(15, 600, 90))
            b.closure_reason = closure[1]
            b.at(close_at, self.status, b, Status.CLOSED, owner, closure[0])

    # --- a referral to the council's crisis response service --------------------------------

    def crs_referral(self, slot: _Slot) -> _Built:
        rng, t0 = self.rng, slot.received_at
        if self.referred_crs and self.chance(0.15):
            person = rng.choice(self.referred_crs)
        else:
            person = self.new_person(
                on=local_date(t0), age=(45.0, 97.0, 82.0), districts=COUNTY_TOWNS
            )
            self.referred_crs.append(person)
        source = weighted(rng, CRS_SOURCES)
        reason, criteria = rng.choice(CRS_REASONS)
        outcome, decline = ACCEPTED, None
        if not slot.live:
            if self.chance(0.12):
                outcome, decline = DECLINED, rng.choice(CRS_DECLINES)
            elif self.chance(0.04):
                outcome = CLOSED
        referrer: dict[str, str] = {}
        if source == Source.GP:
            practice = person.gp_practice or rng.choice(self.d.practices)
            referrer = {"referrer_name": f"Dr {self.person_name()}", "referrer_organisation": practice.name,
                        "referrer_phone": practice.phone}  # fmt: skip
        elif source == Source.CARER_FAMILY:
            relative = rng.choice(("daughter", "son", "wife", "husband", "neighbour"))
            name = f"{self.person_name().split()[0]} {person.family_name if relative != 'neighbour' else ''}".strip()
            referrer = {
                "referrer_name": f"{name} ({relative})",
                "referrer_phone": self.d.namer.next_phone(),
            }
        elif source != Source.SELF:
            referrer = {"referrer_name": self.person_name(), "referrer_organisation": rng.choice(CRS_ORGS[source]),
                        "referrer_phone": self.next_referrer_phone()}  # fmt: skip
        staff = self.d.council_staff
        referral = Referral(
            team=self.d.council,
            pathway=Pathway.COUNCIL_CRS,
            person=person,
            received_at=t0,
            channel=Channel.PHONE if self.chance(0.85) else Channel.EMAIL,
            source=source,
            reason=reason,
            person_agrees=PersonAgrees.KNOWS_AND_AGREES
            if self.chance(0.9)
            else PersonAgrees.DOES_NOT_KNOW,
            current_location="At home",
            priority=rng.choices(PRIORITIES, weights=CRS_PRIORITY_WEIGHTS)[0],
            area_check=self.area_check(person.postcode),
            age_check=eligibility.check_age(
                person.date_of_birth, local_date(t0), pathway=Pathway.COUNCIL_CRS
            ),
            crs_criteria=list(criteria),
            reablement_needed="5" in criteria or self.chance(0.2),
            created_by=rng.choice(staff),
            **referrer,
        )
        b = _Built(referral=referral, live=slot.live)
        owner = rng.choice(staff)

        ref_at = t0 + minutes(self.tri(3, 30, 10))
        if self.chance(CRS_RESPONSE_LATE):
            visit_at = t0 + CRS_RESPONSE_TARGET + minutes(rng.expovariate(1 / 60))
        else:
            visit_at = t0 + minutes(self.tri(25, 118, 75))
        taken_at = t0 + minutes(self.tri(2, 8, 4))
        entered = min(self.now, t0 + (taken_at - t0) * 0.4)
        b.at(entered, self.status, b, Status.NEW, referral.created_by, "")
        b.at(entered, self.first_priority, b)
        b.at(taken_at, self.take, b, owner)
        decided = taken_at
        if source != Source.SELF:
            b.at(ref_at, self.contact, b, ContactWith.REFERRER, Medium.PHONE, Outcome.SPOKE,
                 rng.choice(REFERRER_NOTES), owner)  # fmt: skip
            decided = ref_at
        if outcome == DECLINED and decline is not None:
            b.at(decided + minutes(self.tri(5, 60, 20)), self.declined, b, owner, decline)
        elif outcome == CLOSED:
            b.closure_reason = CRS_CLOSURE[1]
            b.at(decided + minutes(self.tri(20, 200, 60)), self.status, b, Status.CLOSED, owner,
                 CRS_CLOSURE[0])  # fmt: skip
        else:
            b.at(decided + 2 * MINUTE, self.status, b, Status.ACCEPTED, owner, "")
            b.at(visit_at, self.contact, b, ContactWith.PERSON, Medium.FACE_TO_FACE, Outcome.SPOKE,
                 CRS_VISIT_NOTE, owner)  # fmt: skip
            if referral.reablement_needed:
                if self.chance(CRS_REABLEMENT_LATE):
                    start = t0 + CRS_REABLEMENT_TARGET + dt.timedelta(hours=rng.uniform(2, 30))
                else:
                    start = visit_at + dt.timedelta(hours=self.tri(1, 44, 18))
                    start = min(start, t0 + CRS_REABLEMENT_TARGET - 10 * MINUTE)
                b.at(start, self.reablement_started, b)
                # Handed to the reablement team: the response service's part is done.
                end, ending = start + dt.timedelta(hours=rng.uniform(2, 24)), CRS_REABLEMENT_ENDING
            else:
                end = visit_at + dt.timedelta(hours=rng.uniform(4, 72))
                ending = weighted(rng, CRS_ENDINGS)
            if not slot.live:
                b.at(end, self.status, b, Status.CLOSED, owner, ending)
        return b

    # --- the events, written as the services would write them -------------------------------

    def play(self, b: _Built) -> None:
        """Do what has happened by now, in order; the version counts the saves."""
        saves = 0
        for when, _, action in sorted(b.events, key=lambda e: (e[0], e[1])):
            if when > self.now:
                break
            saves += action(when.replace(microsecond=0))
        r = b.referral
        r.version = max(1, saves)
        if r.person is not None and b.statuses:
            # The team's relationship with the person, open while the referral is.
            b.links.append(
                CareTeamLink(
                    team=r.team,
                    person=r.person,
                    source="referral",
                    source_id=r.pk,
                    opened_at=b.statuses[0].changed_at,
                    closed_at=r.closed_at,
                )
            )

    def status(self, b: _Built, status: str, by: User | None, note: str, at: dt.datetime) -> bool:
        r = b.referral
        r.status = status
        if status in (Status.DECLINED, Status.CLOSED):
            r.closed_at = at
        b.statuses.append(
            StatusChange(referral=r, status=status, changed_by=by, changed_at=at, note=note)
        )
        return True

    def first_priority(self, b: _Built, at: dt.datetime) -> bool:
        r = b.referral
        b.priorities.append(
            PriorityChange(
                referral=r,
                priority=r.priority,
                reason=r.priority_reason,
                set_by=r.created_by,
                set_at=at,
            )
        )
        return False  # part of creating the referral

    def priority_corrected(self, b: _Built, by: User, at: dt.datetime) -> bool:
        """The priority was set one step off at intake and put right after the triage call."""
        r, rank = b.referral, PRIORITIES.index(Priority(b.referral.priority))
        first = PRIORITIES[rank + 1] if rank < 3 else PRIORITIES[2]
        raised = PRIORITIES.index(first) > rank
        reason = self.rng.choice(PRIORITY_CHANGES_UP if raised else PRIORITY_CHANGES_DOWN)
        b.priorities[0].priority, b.priorities[0].reason = first, PRIORITY_REASONS[first]
        b.priorities.append(
            PriorityChange(referral=r, priority=r.priority, reason=reason, set_by=by, set_at=at)
        )
        r.priority_reason = reason
        return True

    def take(self, b: _Built, owner: User, at: dt.datetime) -> bool:
        r = b.referral
        r.owner, r.taken_at = owner, at
        if r.status == Status.NEW:
            self.status(b, Status.TAKEN, owner, "", at)
        return True

    def contact(
        self,
        b: _Built,
        with_whom: str,
        medium: str,
        outcome: str,
        note: str,
        by: User,
        at: dt.datetime,
    ) -> bool:
        """referrals.services.contact_record: the first successful contact stops the clocks."""
        r = b.referral
        b.contacts.append(
            ReferralContact(
                referral=r,
                occurred_at=at,
                with_whom=with_whom,
                medium=medium,
                outcome=outcome,
                note=note,
                by=by,
            )
        )
        if outcome != Outcome.SPOKE:
            return False
        stops = []
        if with_whom == ContactWith.REFERRER or (
            r.source == Source.SELF and with_whom == ContactWith.PERSON
        ):
            stops.append("referrer_responded_at")
        if with_whom == ContactWith.PERSON:
            stops.append("first_contact_at")
            if medium == Medium.FACE_TO_FACE:
                stops.append("face_to_face_at")
        changed = [name for name in stops if getattr(r, name) is None or getattr(r, name) > at]
        for name in changed:
            setattr(r, name, at)
        return bool(changed)

    def eligibility_confirmed(self, b: _Built, by: User, at: dt.datetime) -> bool:
        r = b.referral
        r.eligibility_confirmed_by, r.eligibility_confirmed_at = by, at
        r.eligibility_note = (
            "Address checked with them: inside the Leicester, Leicestershire and Rutland boundary."
        )
        return True

    def reablement_started(self, b: _Built, at: dt.datetime) -> bool:
        b.referral.reablement_started_at = at
        return True

    def declined(self, b: _Built, by: User, decline: Decline, at: dt.datetime) -> bool:
        """referrals.services.referral_decline, with the letter the decline page builds."""
        r = b.referral
        category, reason, names = decline
        chosen = [self.services[name] for name in names if name in self.services]
        r.decline_category = category
        r.decline_reason = reason
        r.decline_letter = letters.build_letter(
            referral=r, category=category, reason=reason, services=chosen,
            crisis_help=self.crisis_help, by=by, on=local_date(at),
        )  # fmt: skip
        b.signposts += [ReferralSignpost(referral=r, service=s) for s in chosen]
        self.status(b, Status.DECLINED, by, r.decline_reason, at)
        return True

    # --- why clocks were missed ------------------------------------------------------------

    def breach_reasons(self, built: list[_Built]) -> list[BreachReason]:
        """A reason for every missed clock, read back through referrals.clocks; today's queue
        is left as it is, with breaches still waiting for their reason."""
        rows = []
        for b in built:
            if b.live:
                continue
            r = b.referral
            for clock in clocks_for(clock_input(r), self.now):
                if clock.state is not ClockState.BREACHED:
                    continue
                known = max(clock.target_at, clock.stopped_at or r.closed_at or clock.target_at)
                recorded_at = min(self.now, known + minutes(self.tri(10, 2880, 240)))
                if r.status == Status.DECLINED and clock.name == ClockName.FACE_TO_FACE:
                    reason = self.rng.choice(DECLINED_FACE_TO_FACE)
                elif clock.stopped_at is None and b.closure_reason:
                    reason = b.closure_reason
                else:
                    reason = self.rng.choice(
                        [
                            text
                            for text in BREACH_REASONS[clock.name]
                            if text != UNREAD_EMAIL or r.channel in WRITTEN_CHANNELS
                        ]
                    )
                by = r.owner
                if by is None or (r.pathway == Pathway.MENTAL_HEALTH and self.chance(0.3)):
                    by = self.rng.choice(self.d.managers or self.d.practitioners)
                rows.append(
                    BreachReason(
                        referral=r,
                        clock=clock.name.value,
                        reason=reason,
                        recorded_by=by,
                        recorded_at=recorded_at.replace(microsecond=0),
                    )
                )
        return rows
