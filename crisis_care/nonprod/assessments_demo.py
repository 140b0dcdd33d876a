"""Demo assessments: the history behind every demo referral that was assessed, and a few bookings.

A main-team referral the referral demo closed with an "Assessed: ..." note was seen face to
face and decided. For each one this writes what assessments.services and treatment.services
would have written: a two-person Assessment starting at the referral's face-to-face time (the
booked slot is 90 minutes), its staff (one a registered practitioner by workforce.rules on the
day), the status rows booked, started, completed and decided, every mandatory domain, a risk
formulation in words (never a score), a safety plan for most, and the Decision, decided when
the referral was closed. Home treatment opens an Episode with the team's "episode" link, its
locality and its named worker (the decider when a registered practitioner, else the lead
assessor), closed again for older episodes: about 55% of decisions, open for one to four weeks
and a few past the six-week review, with the open caseload kept within 100 to 130 (the
treatment demo adds the episode's history, plan and visits); admission writes an Admission with legal status and the
gatekeeping answer; referral on and signposting name directory services.

The referral keeps its closing note (the referral demo's "Assessed: ..." wording) and time;
its closing status row is now by the decider, and its face-to-face contact is the one
assessment_start records. Staff are chosen from those on shift for the whole slot when the
demo rota reaches back that far (a week), otherwise from the team members registered then;
nobody is double-booked. A few of today's open referrals get a booked assessment (not yet
started) with two staff on shift now.

Rows are built in memory and saved with bulk_create; nothing is audited. The same seed and
moment give the same data.
"""

import datetime as dt
import random
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from crisis_care.assessments.models import (
    MANDATORY_DOMAINS,
    Assessment,
    AssessmentStaff,
    AssessmentStatus,
    AssessmentStatusChange,
    Decision,
    LegalStatus,
    Outcome,
    RiskFormulation,
    SafetyPlan,
    Venue,
)
from crisis_care.core.clock import local_date
from crisis_care.core.models import User
from crisis_care.core.roles import Role
from crisis_care.directory.models import Service
from crisis_care.nonprod import factories as f
from crisis_care.nonprod.referrals_demo import ACCEPTED_ENDINGS
from crisis_care.people.models import CareTeamLink
from crisis_care.referrals.clocks import ClockName
from crisis_care.referrals.eligibility import locality
from crisis_care.referrals.models import (
    BreachReason,
    Medium,
    Referral,
    ReferralContact,
    Source,
    Status,
    StatusChange,
)
from crisis_care.referrals.models import Outcome as ContactOutcome
from crisis_care.referrals.selectors import referral_clocks
from crisis_care.treatment.models import Admission, Episode, EpisodeStatus
from crisis_care.workforce.models import Profession, ShiftAssignment, Team, TeamMembership
from crisis_care.workforce.rules import is_registered_practitioner

SLOT = dt.timedelta(minutes=90)
MINUTE = dt.timedelta(minutes=1)
DAY = dt.timedelta(days=1)
# The referral demo's closing notes, in ACCEPTED_ENDINGS order.
OUTCOME_FOR_ENDING: dict[str, str] = dict(
    zip(
        (note for note, _ in ACCEPTED_ENDINGS),
        (Outcome.HOME_TREATMENT, Outcome.ADMISSION, Outcome.REFERRAL_ON, Outcome.SIGNPOSTING),
        strict=True,
    )
)
EPISODE_DAYS = (7.0, 28.0, 12.0)  # (shortest, longest, most common) home treatment episode
# A few episodes run past the six-week review (CORE item 10: at least 70% end within six weeks).
LONG_EPISODE_SHARE = 0.07
LONG_EPISODE_DAYS = (43.0, 65.0, 48.0)
# The caseload the team carries (DOMAIN.md §1.1). Where the referral flow leaves the open count
# outside it, the nearest episodes are extended or ended a little sooner to bring it back in.
CASELOAD = (100, 130)
ADMISSION_DAYS = (5.0, 90.0, 28.0)  # length of stay, when discharged by now
TODAY_BOOKINGS = (3, 5)
SUPPORT_PROFESSIONS = (Profession.SUPPORT_WORKER, Profession.PEER_SUPPORT_WORKER)
LEAD_ROLES = (Role.REGISTERED_PRACTITIONER, Role.TEAM_MANAGER)
SHARE_SECOND_PRACTITIONER = 0.35  # otherwise a support worker goes as the second
SAFETY_PLAN_CHANCE: dict[str, float] = {
    Outcome.HOME_TREATMENT: 0.95,
    Outcome.ADMISSION: 0.35,
    Outcome.REFERRAL_ON: 0.8,
    Outcome.SIGNPOSTING: 0.75,
}
LEGAL_STATUSES = (
    (LegalStatus.VOLUNTARY, 55),
    (LegalStatus.SECTION_2, 30),
    (LegalStatus.SECTION_3, 15),
)
WARDS = tuple(f"Ward {n}, Bradgate Unit" for n in range(1, 7))
SHARE_NOT_GATEKEPT = 0.08
GATEKEEPING_FAILURES = (
    "Mental Health Act assessment arranged by the AMHP out of hours; the team was not told "
    "until after the bed was found.",
    "Admitted from the section 136 suite overnight before the team could attend; reviewed by "
    "phone only.",
    "Transferred to a bed the same evening by the on-call doctor; the team's visit was booked "
    "for the next morning.",
)
REFERRAL_ON_SERVICES = (
    ("Community mental health team (CMHT)",),
    ("Community mental health team (CMHT)", "Your GP"),
    ("Crisis Response Service (CRS)", "Your GP"),
)
SIGNPOSTING_SERVICES = (
    ("Mind", "Crisis café"),
    ("LAMP", "Citizens Advice"),
    ("24/7 mental health line (LLR Central Access Point)", "Samaritans"),
    ("Your GP", "Mind"),
    ("Crisis café", "Samaritans", "Your GP"),
)

# --- the record: short synthetic text, one or two phrases per domain ----------------------
DOMAIN_TEXT: dict[str, tuple[str, ...]] = {
    "circumstances_triggers": (
        "Lost their job three weeks ago; rent arrears and a letter from the landlord this week.",
        "Relationship ended last month; moved back in with a parent and not coping.",
        "Anniversary of their brother's death; drinking more and not sleeping since.",
        "Stopped medication about a month ago because of weight gain; family noticed changes.",
        "Row with partner at the weekend; police called; now staying with a friend.",
        "Exams and debts building up; says everything came to a head on Friday.",
        "Bereaved (mother) in the spring; struggling more since the funeral costs arrived.",
    ),
    "mental_state": (
        "Dishevelled, poor eye contact, slowed speech. Mood low, affect flat. No psychotic "
        "features elicited. Orientated.",
        "Restless and guarded; speech pressured at times. Believes neighbours are watching "
        "them. Partial insight.",
        "Tearful throughout but engaged well. Mood low, some hopelessness about the future. "
        "Thoughts logical.",
        "Calm, cooperative, good rapport. Anxious affect; describes panic most days. No "
        "perceptual disturbance.",
        "Irritable, distractible, talking over others; grandiose plans about a business. "
        "Little insight.",
        "Quiet and flat; long pauses before answering. Reports hearing a critical male voice "
        "at night.",
    ),
    "symptoms": (
        "Low mood, early waking, poor appetite (lost about half a stone), poor concentration.",
        "Panic attacks most days, avoiding going out, broken sleep.",
        "Hearing voices, suspicious of neighbours, not eating food they have not opened.",
        "Elevated mood, little sleep for four nights, overspending, racing thoughts.",
        "Low mood, irritability, thoughts of not wanting to be here, self-harm by cutting.",
        "Anhedonia, withdrawal from friends, hopelessness; no appetite.",
    ),
    "medication": (
        "Sertraline 100 mg daily; takes it most days. No other regular medicines.",
        "Olanzapine 10 mg at night; stopped a month ago. Willing to restart.",
        "Mirtazapine 30 mg at night, started by the GP six weeks ago; taking as prescribed.",
        "No current psychiatric medication. Paracetamol kept in the kitchen.",
        "Lithium 800 mg at night; last level three months ago. Partial adherence.",
        "Aripiprazole depot every four weeks; last given on time.",
    ),
    "family_social_network": (
        "Lives with partner, who is supportive and was present for part of the assessment.",
        "Lives alone; sister nearby and in daily contact by phone.",
        "Lives with parents; close to their mother, who is worried and wants to help.",
        "Few friends locally since moving; speaks to an old friend online most evenings.",
        "Separated; sees the children every other weekend. Good friend at work.",
    ),
    "social_functioning": (
        "Off work sick for two weeks. Council tenancy, rent up to date. Managing money.",
        "Unemployed; on Universal Credit; rent arrears of about two months.",
        "Student; behind with coursework; lives in shared housing.",
        "Working part-time in retail but has missed shifts. Owns their flat with a mortgage.",
        "Not managing shopping or cleaning; fridge nearly empty. Benefits being reassessed.",
    ),
    "substance_use": (
        "Drinks about 30 units a week, more since the crisis. No drug use.",
        "Denies alcohol or drug use.",
        "Cannabis most evenings to sleep; occasional alcohol.",
        "Alcohol at weekends only (about 12 units). Previously used cocaine; none this year.",
        "Stopped drinking two years ago and has stayed dry; worried about relapse.",
    ),
    "risks_summary": (
        "Thoughts of ending their life with a vague plan (overdose); no preparations. "
        "See the risk formulation.",
        "Recent self-harm by cutting, superficial; no wish to die. See the risk formulation.",
        "Paranoid about neighbours with angry thoughts; no history of violence. See the risk "
        "formulation.",
        "Neglecting food and self-care while unwell. See the risk formulation.",
        "Took an overdose last week; regrets surviving at times. See the risk formulation.",
    ),
    "strengths_goals": (
        "Wants to get back to work and to sleep properly. Prefers to be treated at home.",
        "Good insight when well; responded to home treatment before. Wants medication reviewed.",
        "Close to family and their dog; wants to stay at home and try talking therapy.",
        "Engaged well today; wants help with debts and to feel less alone.",
        "Creative (paints); wants to get back into a routine and see friends again.",
    ),
    "history": (
        "Depression since their twenties; one previous crisis team episode three years ago.",
        "Diagnosis of schizophrenia; two admissions, last one in 2021. Under the CMHT.",
        "Bipolar disorder; admitted once when manic. Stable on lithium until this year.",
        "No previous contact with mental health services. Childhood trauma disclosed.",
        "Anxiety and depression treated by the GP; talking therapies in the past helped.",
    ),
    "carers_views": (
        "Partner worried but feels able to support at home with visits from the team.",
        "Mother spoken to by phone (with consent): frightened, wants them seen daily.",
        "No carer; sister aware and happy to be contacted.",
        "Carer (husband) exhausted; agrees to home treatment if he can call the team at night.",
        "Did not want their family contacted today; will think about it.",
    ),
    "religion_spirituality": (
        "Muslim; prays daily and finds the mosque a support. Prefers female staff for visits.",
        "No religious beliefs; finds walking by the canal helps.",
        "Christian, not currently attending church; would like the chaplain's number.",
        "Sikh; family gurdwara is important to them.",
        "Not religious. Nothing they want the team to take into account.",
    ),
    "physical_health": (
        "Asthma, well controlled. No recent bloods; GP asked to check.",
        "Type 2 diabetes; not eating regularly, so sugars need watching.",
        "No known physical health problems. Not registered with a dentist.",
        "Back pain after a fall; taking codeine bought online, so advised the GP.",
        "Overweight since starting antipsychotic medication; wants advice.",
    ),
    "children_vulnerable_adults": (
        "No children or vulnerable adults in the household.",
        "Two children (6 and 9) live with them; partner caring for them. No safeguarding "
        "concerns today.",
        "Cares for their elderly father, who lives next door; brother covering for now.",
        "Sees their son (4) every other weekend, supervised by his mother.",
        "No children; lives with a flatmate.",
    ),
}
NEEDS_AND_GOALS = (
    '"I just want to sleep and stop feeling like this."',
    '"I want to stay at home with my family, not go into hospital."',
    '"Help me sort out the money, then I can think straight."',
    '"I need someone to talk to who won\'t judge me."',
    "",
)
OTHERS_PRESENT = ("", "", "", "Partner", "Mother", "Sister", "Friend", "Ward nurse")

RISK_TEXT: dict[str, tuple[str, ...]] = {
    "to_self": (
        "Thoughts of ending their life most days, worse at night; has thought about an "
        "overdose but made no plans.",
        "Cut their forearms twice this week to cope; no wish to die.",
        "Overdose last month; says they are glad to be alive now but the feelings come back "
        "when alone.",
        "Denies thoughts of suicide; self-neglect is the main concern.",
    ),
    "from_others": (
        "None known.",
        "Ex-partner has been threatening by text; police aware.",
        "Owes money to people locally and worried about being approached.",
    ),
    "to_others": (
        "No history of violence; no thoughts of harming others.",
        "Angry thoughts towards neighbours they believe are spying; no plans or history of "
        "acting on them.",
        "Shouted at a family member last week; no physical aggression.",
    ),
    "self_neglect": (
        "Not eating regularly; flat untidy but safe.",
        "Managing self-care.",
        "Not washing or changing clothes for a week; food in the fridge out of date.",
    ),
    "to_children_vulnerable": (
        "None: no children or vulnerable adults at home.",
        "Children at home are cared for by their partner; no concerns raised today.",
        "Elderly father relies on them; brother helping while they are unwell.",
    ),
    "protective_factors": (
        "Close to their children and says they would not leave them; engaged today.",
        "Supportive partner; has responded to home treatment before.",
        "Their dog, their faith, and a sister who visits daily.",
        "Willing to accept help and to take medication.",
    ),
}
FORMULATION_WHAT = (
    "Longstanding low mood has deepened over the past month, with thoughts of suicide that "
    "are worse when alone at night.",
    "A relapse of psychosis after stopping medication, with suspicion of neighbours and "
    "poor self-care.",
    "Self-harm used to cope with overwhelming distress; no current wish to die.",
    "Acute anxiety and hopelessness after a sudden loss, with heavier drinking.",
    "Elevated mood with little sleep and risky spending; vulnerable to exploitation.",
)
FORMULATION_WHY_NOW = (
    "Why now: the job loss and money worries have removed their routine and left them isolated.",
    "Why now: stopping medication and the break-up of their relationship.",
    "Why now: the anniversary of a bereavement and the loss of contact with friends.",
    "Why now: a row at home and drinking more to cope.",
)
FORMULATION_HELPS = (
    "What would help: daily contact, a medication review, and their partner knowing how to "
    "reach us.",
    "What would help: time in hospital to restart treatment safely.",
    "What would help: the safety plan written today, less alcohol, and support with debts.",
    "What would help: support from the CMHT and the crisis café in the evenings.",
)

SAFETY_PLAN_TEXT: dict[str, tuple[str, ...]] = {
    "warning_signs": (
        "Not sleeping, staying in bed, not answering the phone.",
        "Drinking alone in the evening; thinking about the overdose again.",
        "Hearing the voice more, not eating, pulling the curtains.",
        "Feeling numb, urge to cut, going over the past.",
    ),
    "coping_steps": (
        "Walk the dog; music; shower; breathing exercise from the leaflet.",
        "Ring my sister; make a hot drink and sit in the garden.",
        "Write it down; watch a comedy; go to bed at the same time.",
        "Hold ice cubes instead of cutting; text a friend.",
    ),
    "people_and_places": (
        "My partner; my sister's house; the crisis café on Thursday evenings.",
        "Mum; my friend from work; the mosque.",
        "The park by the canal; my neighbour; the library.",
    ),
    "professional_contacts": (
        "Crisis team 0300 300 1010 (any time); GP surgery in the day; NHS 111.",
        "Care coordinator at the CMHT; crisis team out of hours; Samaritans 116 123.",
        "24/7 mental health line; my GP; 999 if my life is at risk.",
    ),
    "environment_safer": (
        "Partner to keep my tablets and give me a week at a time.",
        "Given spare paracetamol to the pharmacist to dispose of.",
        "Razor blades taken by my sister; only a weekly supply of medication at home.",
        "Car keys with my brother while I am not sleeping.",
    ),
}

DECISION_REASONS: dict[str, tuple[str, ...]] = {
    Outcome.HOME_TREATMENT: (
        "In crisis and needs daily support, but safe at home with their partner and agrees to "
        "visits. Home treatment is the least restrictive option.",
        "Risk can be managed at home with daily visits and a medication review; they want to "
        "avoid hospital.",
        "Relapse of symptoms; has done well with home treatment before and family support is good.",
    ),
    Outcome.ADMISSION: (
        "Too unwell to be kept safe at home even with daily visits: no sleep, not eating and "
        "acting on beliefs about neighbours.",
        "Serious thoughts of suicide with a plan and no one at home; home treatment tried "
        "before and did not keep them safe.",
        "Manic, with no insight and risky spending; family cannot manage at home.",
    ),
    Outcome.REFERRAL_ON: (
        "Not in crisis today; needs ongoing care from the community mental health team, who "
        "have agreed to see them this week.",
        "Longer-term needs better met by the CMHT; crisis plan agreed in the meantime.",
        "Social care needs are the main concern; referred to the crisis response service.",
    ),
    Outcome.SIGNPOSTING: (
        "The crisis has settled; safe with support from friends, the GP and voluntary services.",
        "Difficulties are mainly money and loneliness; services in the community will help "
        "more than home treatment.",
        "Not needing secondary mental health care; agreed a plan with the GP and given crisis "
        "numbers.",
    ),
}
PERSON_VIEWS: dict[str, tuple[str, ...]] = {
    Outcome.HOME_TREATMENT: ("Relieved to stay at home.", "Agrees to daily visits.", ""),
    Outcome.ADMISSION: (
        "Does not want to go into hospital but accepts it.",
        "Agrees to come in for a few days.",
        "Disagrees with the decision.",
    ),
    Outcome.REFERRAL_ON: ("Happy to see the CMHT.", "Would rather have had home treatment.", ""),
    Outcome.SIGNPOSTING: ("Feels better for talking; will try the café.", "Agrees.", ""),
}
VENUE_WEIGHTS = (
    (Venue.HOME, 82),
    (Venue.GP_SURGERY, 8),
    (Venue.FRIEND_RELATIVE, 7),
    (Venue.OTHER, 3),
)
OTHER_VENUES = ("Crisis café (Turning Point), Leicester", "Library meeting room, Loughborough")


@dataclass
class AssessmentDemoInput:
    now: dt.datetime
    main: Team


def build_assessments(data: AssessmentDemoInput, *, seed: int) -> dict[str, int]:
    """Write the assessments; return counts for the command's summary."""
    return _AssessmentBuilder(data, seed=seed).build()


@dataclass
class _Member:
    staff_id: uuid.UUID
    user: User
    profession: str
    registrations: list[tuple[str, dt.date | None]]
    joined: dt.date

    def registered(self, on: dt.date) -> bool:
        return is_registered_practitioner(
            profession=self.profession, registrations=self.registrations, on=on
        )


class _AssessmentBuilder:
    def __init__(self, data: AssessmentDemoInput, *, seed: int) -> None:
        self.now, self.main = data.now, data.main
        self.rng = random.Random(f"assessments-{seed}")
        self.members = self.load_staff()
        self.rota = self.load_rota()
        self.busy: dict[uuid.UUID, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
        self.services = {s.name: s for s in Service.objects.all()}
        self.assessments: list[Assessment] = []
        self.staff_links: list[AssessmentStaff] = []
        self.statuses: list[AssessmentStatusChange] = []
        self.risks: list[RiskFormulation] = []
        self.plans: list[SafetyPlan] = []
        self.decisions: list[Decision] = []
        self.decision_services: list[Any] = []
        self.episodes: list[Episode] = []
        self.episode_links: dict[uuid.UUID, CareTeamLink] = {}
        self.admissions: list[Admission] = []
        self.links: list[CareTeamLink] = []
        self.f2f_contacts: dict[uuid.UUID, tuple[uuid.UUID, uuid.UUID]] = {}
        self.changed_contacts: list[ReferralContact] = []

    # --- helpers -------------------------------------------------------------------------

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def weighted(self, options: Sequence[tuple[str, int]]) -> str:
        return self.rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]

    def load_staff(self) -> list[_Member]:
        rows = (
            TeamMembership.objects.filter(team=self.main)
            .select_related("staff__user")
            .prefetch_related("staff__registrations")
        )
        members = [
            _Member(
                staff_id=m.staff_id,
                user=m.staff.user,
                profession=m.staff.profession,
                registrations=[(r.body, r.expires_on) for r in m.staff.registrations.all()],
                joined=m.started_on,
            )
            for m in rows
            if m.staff.user.role not in (Role.ADMINISTRATOR,)
        ]
        members.sort(key=lambda m: m.user.username)
        return members

    def load_rota(self) -> list[tuple[dt.datetime, dt.datetime, uuid.UUID]]:
        rows = ShiftAssignment.objects.filter(shift__team=self.main).values_list(
            "shift__starts_at", "shift__ends_at", "staff_id"
        )
        return sorted(rows, key=lambda row: (row[0], str(row[2])))

    def on_shift(self, start: dt.datetime, end: dt.datetime) -> set[uuid.UUID] | None:
        """Staff on shift at the start and the last minute (as assessment_book checks), or None
        when the rota does not reach back that far."""
        if not self.rota or start < self.rota[0][0]:
            return None
        last = end - MINUTE
        at_start = {s for a, b, s in self.rota if a <= start < b}
        at_end = {s for a, b, s in self.rota if a <= last < b}
        return at_start & at_end

    def free(self, m: _Member, start: dt.datetime, end: dt.datetime) -> bool:
        return all(not (a < end and start < b) for a, b in self.busy[m.staff_id][-3:])

    def pick_pair(
        self, start: dt.datetime, end: dt.datetime, *, strict: bool = False
    ) -> tuple[_Member, _Member] | None:
        """A registered practitioner and a second: a support worker or another practitioner.
        On shift when the rota covers the time; strict: only then."""
        on = local_date(start)
        shift = self.on_shift(start, end)
        if shift is None and strict:
            return None
        pool = [
            m
            for m in self.members
            if m.joined <= on
            and self.free(m, start, end)
            and (shift is None or m.staff_id in shift)
        ]
        leads = [m for m in pool if m.user.role in LEAD_ROLES and m.registered(on)]
        if not leads and shift is not None and not strict:
            return self.pick_pair_anyone(start, end)
        if not leads:
            return None
        lead = self.rng.choice(leads)
        if self.chance(SHARE_SECOND_PRACTITIONER):
            seconds = [m for m in leads if m is not lead]
        else:
            seconds = [m for m in pool if m.profession in SUPPORT_PROFESSIONS]
        seconds = seconds or [
            m for m in pool if m is not lead and m.profession != Profession.PHARMACIST
        ]
        if not seconds:
            return None if strict else self.pick_pair_anyone(start, end)
        return lead, self.rng.choice(seconds)

    def second(self, lead: _Member, start: dt.datetime, end: dt.datetime) -> _Member | None:
        on = local_date(start)
        pool = [
            m for m in self.members if m is not lead and m.joined <= on and self.free(m, start, end)
        ]
        if self.chance(SHARE_SECOND_PRACTITIONER):
            seconds = [m for m in pool if m.user.role in (*LEAD_ROLES, Role.DOCTOR)]
        else:
            seconds = [m for m in pool if m.profession in SUPPORT_PROFESSIONS]
        return self.rng.choice(seconds) if seconds else None

    def pick_pair_anyone(self, start: dt.datetime, end: dt.datetime) -> tuple[_Member, _Member]:
        """Fallback: any two team members, ignoring the rota and other bookings."""
        on = local_date(start)
        free = [m for m in self.members if self.free(m, start, end)]
        pool = free if len(free) >= 2 else self.members
        leads = [m for m in pool if m.user.role in LEAD_ROLES and m.registered(on)]
        lead = self.rng.choice(leads or pool)
        seconds = [m for m in pool if m.profession in SUPPORT_PROFESSIONS and m is not lead] or [
            m for m in pool if m is not lead
        ]
        return lead, self.rng.choice(seconds)

    def domains(self, referral: Referral) -> dict[str, str]:
        values = {name: self.rng.choice(DOMAIN_TEXT[name]) for name in MANDATORY_DOMAINS}
        if "children" in referral.known_risks.lower():
            values["children_vulnerable_adults"] = DOMAIN_TEXT["children_vulnerable_adults"][1]
        return values

    def venue(self, referral: Referral) -> tuple[str, str]:
        if referral.source == Source.ED_LIAISON:
            return Venue.LRI_ED, ""
        if referral.source == Source.INPATIENT_WARD:
            return Venue.BRADGATE_WARD, self.rng.choice(WARDS)
        venue = self.weighted(VENUE_WEIGHTS)
        person = referral.person
        practice = person.gp_practice if person else None
        if venue == Venue.GP_SURGERY and practice is not None:
            return venue, f"{practice.name}, {practice.address} {practice.postcode}"
        if venue == Venue.FRIEND_RELATIVE:
            postcode, town = f.llr_postcode(self.rng)
            return venue, f"{f.street_address(self.rng)}, {town} {postcode}"
        if venue == Venue.OTHER:
            return venue, self.rng.choice(OTHER_VENUES)
        return Venue.HOME, ""

    def status(self, a: Assessment, status: str, by: User, at: dt.datetime) -> None:
        a.status = status
        self.statuses.append(
            AssessmentStatusChange(assessment=a, status=status, changed_by=by, changed_at=at)
        )

    # --- the build -----------------------------------------------------------------------

    def build(self) -> dict[str, int]:
        if not any(m.user.role in LEAD_ROLES for m in self.members):
            return {}
        referrals = list(
            Referral.objects.filter(
                team=self.main, status=Status.CLOSED, face_to_face_at__isnull=False
            )
            .select_related("person__gp_practice", "owner")
            .order_by("face_to_face_at", "received_at", "person__nhs_number")
        )
        # (closing note, when, by whom) and when accepted, per referral.
        closing: dict[uuid.UUID, tuple[str, dt.datetime, uuid.UUID | None]] = {}
        accepted_at: dict[uuid.UUID, dt.datetime] = {}
        for referral_id, status, at, note, by_id in StatusChange.objects.filter(
            referral__team=self.main, status__in=(Status.ACCEPTED, Status.CLOSED)
        ).values_list("referral_id", "status", "changed_at", "note", "changed_by_id"):
            if status == Status.CLOSED:
                closing[referral_id] = (note, at, by_id)
            else:
                accepted_at[referral_id] = at
        # The first face-to-face contact: (its id, who recorded it).
        self.f2f_contacts = f2f_contacts = {
            referral_id: (pk, by_id)
            for referral_id, pk, by_id in ReferralContact.objects.filter(
                referral__team=self.main,
                medium=Medium.FACE_TO_FACE,
                outcome=ContactOutcome.SPOKE,
            )
            .order_by("-occurred_at")
            .values_list("referral_id", "pk", "by_id")
        }
        breaches = dict(
            BreachReason.objects.filter(
                referral__team=self.main, clock=ClockName.FACE_TO_FACE
            ).values_list("referral_id", "reason")
        )
        self.by_user = by_user = {m.user.pk: m for m in self.members}
        changed_contacts = self.changed_contacts
        for r in referrals:
            if r.pk not in closing or r.person is None:
                continue
            note, closed_at, closed_by = closing[r.pk]
            if note not in OUTCOME_FOR_ENDING:
                continue
            contact_id, recorded_by = f2f_contacts.get(r.pk, (None, None))
            closer = by_user.get(closed_by) if closed_by else None
            lead = self.assessed(
                r,
                outcome=OUTCOME_FOR_ENDING[note],
                accepted_at=accepted_at.get(r.pk, r.taken_at or r.received_at),
                decided_at=closed_at,
                decider=closer.user if closer else None,
                visitor=by_user.get(recorded_by) if recorded_by else None,
                breach=breaches.get(r.pk, ""),
            )
            if contact_id is not None and recorded_by != lead.user.pk:
                # The lead starts the assessment, which records the visit.
                changed_contacts.append(ReferralContact(pk=contact_id, by=lead.user))
        self.in_progress()
        booked = self.book_today()
        self.shape_caseload()

        Assessment.objects.bulk_create(self.assessments, batch_size=1000)
        AssessmentStaff.objects.bulk_create(self.staff_links, batch_size=2000)
        AssessmentStatusChange.objects.bulk_create(self.statuses, batch_size=2000)
        RiskFormulation.objects.bulk_create(self.risks, batch_size=1000)
        SafetyPlan.objects.bulk_create(self.plans, batch_size=1000)
        Decision.objects.bulk_create(self.decisions, batch_size=1000)
        Decision.services.through.objects.bulk_create(self.decision_services, batch_size=2000)
        Admission.objects.bulk_create(self.admissions, batch_size=1000)
        Episode.objects.bulk_create(self.episodes, batch_size=1000)
        CareTeamLink.objects.bulk_create(self.links, batch_size=2000)
        ReferralContact.objects.bulk_update(changed_contacts, ["by"], batch_size=1000)
        return {
            "assessments": len(self.assessments),
            "assessments booked for today": booked,
            "home treatment episodes": len(self.episodes),
            "open episodes": sum(e.status == EpisodeStatus.OPEN for e in self.episodes),
            "admissions": len(self.admissions),
        }

    def assessed(
        self,
        r: Referral,
        *,
        outcome: str,
        accepted_at: dt.datetime,
        decided_at: dt.datetime,
        decider: User | None,
        visitor: _Member | None,
        breach: str,
    ) -> _Member:
        """One decided assessment, written as the services would have; returns the lead
        assessor. The decision is the referral's closing, by whoever closed it."""
        rng = self.rng
        assert r.face_to_face_at is not None and r.person is not None
        start = r.face_to_face_at
        end = start + SLOT
        on = local_date(start)
        pair = self.pick_pair(start, end, strict=True)  # on shift, where the rota reaches
        if pair is None and visitor is not None and self.free(visitor, start, end):
            # Before the rota: whoever the referral demo sent, with a second who was free.
            second = self.second(visitor, start, end)
            pair = (visitor, second) if second is not None else None
        lead, second = pair or self.pick_pair_anyone(start, end)
        for m in (lead, second):
            self.busy[m.staff_id].append((start, end))
        decider = decider or lead.user
        booked_at = accepted_at + (start - accepted_at) * rng.uniform(0.05, 0.6)
        booked_at = min(max(booked_at, accepted_at), start).replace(microsecond=0)
        booked_by = r.owner if r.owner is not None else lead.user
        finalised_at = max(start + MINUTE, decided_at - dt.timedelta(minutes=rng.uniform(2, 20)))
        finalised_at = finalised_at.replace(microsecond=0)
        venue, address = self.venue(r)

        a = Assessment(
            referral=r,
            person=r.person,
            starts_at=start,
            ends_at=end,
            venue=venue,
            venue_address=address,
            clock_breach_acknowledged=breach,
            started_at=start,
            booked_by=booked_by,
            person_present=True,
            others_present=rng.choice(OTHERS_PRESENT) if venue != Venue.LRI_ED else "",
            needs_and_goals=rng.choice(NEEDS_AND_GOALS),
            finalised_at=finalised_at,
            finalised_by=decider,
            version=rng.randint(4, 6),  # start, one to three draft saves, finalise, decide
            **self.domains(r),
        )
        self.assessments.append(a)
        self.staff_links += [
            AssessmentStaff(
                assessment=a, staff_id=m.staff_id, registered_practitioner=m.registered(on)
            )
            for m in (lead, second)
        ]
        self.status(a, AssessmentStatus.BOOKED, booked_by, booked_at)
        self.status(a, AssessmentStatus.STARTED, lead.user, start)
        self.status(a, AssessmentStatus.COMPLETED, decider, finalised_at)
        self.status(a, AssessmentStatus.DECIDED, decider, decided_at)

        self.risks.append(
            RiskFormulation(
                assessment=a,
                recorded_by=lead.user,
                formulation=" ".join(
                    (
                        rng.choice(FORMULATION_WHAT),
                        rng.choice(FORMULATION_WHY_NOW),
                        rng.choice(FORMULATION_HELPS),
                    )
                ),
                **{name: rng.choice(options) for name, options in RISK_TEXT.items()},
            )
        )
        if self.chance(SAFETY_PLAN_CHANCE[outcome]):
            self.plans.append(
                SafetyPlan(
                    person=r.person,
                    assessment=a,
                    written_with_person=self.chance(0.95),
                    written_by=lead.user,
                    written_at=start + (finalised_at - start) * rng.uniform(0.5, 0.95),
                    **{name: rng.choice(options) for name, options in SAFETY_PLAN_TEXT.items()},
                )
            )
        # The decider is named worker (as episode_open names them) when they are a registered
        # practitioner in the team; otherwise the lead assessor.
        decided_by = self.by_user.get(decider.pk)
        named = (
            decided_by
            if decided_by is not None
            and decided_by.user.role in LEAD_ROLES
            and decided_by.joined <= on
            and decided_by.registered(on)
            else lead
        )
        self.decide(a, r, outcome=outcome, by=decider, at=decided_at, named_worker=named)
        return lead

    def decide(
        self,
        a: Assessment,
        r: Referral,
        *,
        outcome: str,
        by: User,
        at: dt.datetime,
        named_worker: _Member | None = None,
    ) -> None:
        rng = self.rng
        assert r.person is not None
        admission: dict[str, object] = {}
        if outcome == Outcome.ADMISSION:
            gatekept = not self.chance(SHARE_NOT_GATEKEPT)
            admission = {
                "legal_status": self.weighted(LEGAL_STATUSES),
                "ward": rng.choice(WARDS),
                "gatekept_in_person": gatekept,
                "gatekeeping_failure_reason": "" if gatekept else rng.choice(GATEKEEPING_FAILURES),
            }
        names: tuple[str, ...] = ()
        if outcome == Outcome.REFERRAL_ON:
            names = rng.choice(REFERRAL_ON_SERVICES)
        elif outcome == Outcome.SIGNPOSTING:
            names = rng.choice(SIGNPOSTING_SERVICES)
        chosen = [self.services[n] for n in names if n in self.services]
        if names and not chosen and self.services:
            chosen = [self.services[sorted(self.services)[0]]]
        reasons = rng.choice(DECISION_REASONS[outcome])
        d = Decision(
            assessment=a,
            outcome=outcome,
            reasons=reasons,
            discussed_with_person=self.chance(0.96),
            person_view=rng.choice(PERSON_VIEWS[outcome]),
            decided_by=by,
            decided_at=at,
            letter=self.letter(r, outcome, reasons, at, chosen, admission),
            **admission,
        )
        self.decisions.append(d)
        through = Decision.services.through
        self.decision_services += [through(decision_id=d.pk, service_id=s.pk) for s in chosen]

        if outcome == Outcome.ADMISSION:
            stay = dt.timedelta(days=rng.triangular(*ADMISSION_DAYS))
            self.admissions.append(
                Admission(
                    person=r.person,
                    decision=d,
                    ward=str(admission["ward"]),
                    legal_status=str(admission["legal_status"]),
                    admitted_at=at,
                    discharged_at=at + stay if at + stay < self.now else None,
                )
            )
        elif outcome == Outcome.HOME_TREATMENT:
            length = LONG_EPISODE_DAYS if self.chance(LONG_EPISODE_SHARE) else EPISODE_DAYS
            ends = (at + dt.timedelta(days=rng.triangular(*length))).replace(microsecond=0)
            closed = ends < self.now
            episode = Episode(
                referral=r,
                person=r.person,
                team=self.main,
                decision=d,
                started_at=at,
                status=EpisodeStatus.CLOSED if closed else EpisodeStatus.OPEN,
                closed_at=ends if closed else None,
                opened_by=by,
                named_worker_id=named_worker.staff_id if named_worker else None,
                locality=locality(r.person.postcode),
                version=2 if closed else 1,
            )
            self.episodes.append(episode)
            link = CareTeamLink(
                team=self.main,
                person=r.person,
                source="episode",
                source_id=episode.pk,
                opened_at=at,
                closed_at=ends if closed else None,
            )
            self.links.append(link)
            self.episode_links[episode.pk] = link

    def shape_caseload(self) -> None:
        """Bring the open caseload into CASELOAD: extend the most recently ended episodes, or end
        the longest-running open ones a little sooner. Only episodes near the line move (ended
        in the last ten days; open for at least ten), so short histories are left as they are."""
        low, high = CASELOAD
        open_ = [e for e in self.episodes if e.status == EpisodeStatus.OPEN]
        recent = self.now - 10 * DAY
        if len(open_) < low:
            wanted = self.rng.randint(low + 3, low + 12) - len(open_)
            ended = sorted(
                (e for e in self.episodes if e.closed_at is not None and e.closed_at >= recent),
                key=lambda e: e.closed_at or self.now,
                reverse=True,
            )
            for e in ended[:wanted]:
                e.status, e.closed_at, e.version = EpisodeStatus.OPEN, None, 1
                self.episode_links[e.pk].closed_at = None
        elif len(open_) > high:
            wanted = len(open_) - self.rng.randint(high - 12, high - 3)
            oldest = sorted(
                (e for e in open_ if e.started_at <= recent), key=lambda e: e.started_at
            )
            for e in oldest[:wanted]:
                ends = self.now - dt.timedelta(hours=self.rng.uniform(2, 72))
                e.status, e.closed_at, e.version = (
                    EpisodeStatus.CLOSED,
                    ends.replace(microsecond=0),
                    2,
                )
                self.episode_links[e.pk].closed_at = e.closed_at

    def letter(
        self,
        r: Referral,
        outcome: str,
        reasons: str,
        at: dt.datetime,
        services: list[Service],
        admission: dict[str, object],
    ) -> str:
        """A short plain-text letter (the real one is built by treatment.letters)."""
        assert r.person is not None
        name = r.person.full_name
        lines = [
            f"{local_date(at):%-d %B %Y}",
            f"Dear colleague,\n\nOur team, the {self.main.name}, assessed {name} on "
            f"{local_date(r.face_to_face_at or at):%-d %B %Y}.",
            f"## Our decision: {Outcome(outcome).label.lower()}",
            reasons,
        ]
        if outcome == Outcome.ADMISSION:
            lines.append(f"{name} was admitted to {admission['ward']}.")
        if services:
            lines.append("Services: " + ", ".join(s.name for s in services) + ".")
        lines.append(f"If you are worried, call us on {self.main.phone or 'the team line'}.")
        return "\n\n".join(lines)

    def in_progress(self) -> None:
        """Seen face to face today but not yet decided: the assessment is started, a draft."""
        for r in (
            Referral.objects.filter(
                team=self.main,
                status=Status.ACCEPTED,
                face_to_face_at__isnull=False,
                person__isnull=False,
            )
            .select_related("person__gp_practice", "owner")
            .order_by("face_to_face_at", "received_at")
        ):
            assert r.face_to_face_at is not None
            start, end = r.face_to_face_at, r.face_to_face_at + SLOT
            lead, second = self.pick_pair(start, end) or self.pick_pair_anyone(start, end)
            for m in (lead, second):
                self.busy[m.staff_id].append((start, end))
            booked_by = r.owner if r.owner is not None else lead.user
            booked_at = max(r.taken_at or r.received_at, start - dt.timedelta(hours=2))
            draft = self.domains(r)
            written = MANDATORY_DOMAINS[: self.rng.randint(3, 8)]
            venue, address = self.venue(r)
            a = Assessment(
                referral=r,
                person=r.person,
                starts_at=start,
                ends_at=end,
                venue=venue,
                venue_address=address,
                started_at=start,
                booked_by=booked_by,
                version=2,
                **{name: draft[name] for name in written},
            )
            self.assessments.append(a)
            on = local_date(start)
            self.staff_links += [
                AssessmentStaff(
                    assessment=a, staff_id=m.staff_id, registered_practitioner=m.registered(on)
                )
                for m in (lead, second)
            ]
            self.status(a, AssessmentStatus.BOOKED, booked_by, min(booked_at, start))
            self.status(a, AssessmentStatus.STARTED, lead.user, start)
            contact_id, recorded_by = self.f2f_contacts.get(r.pk, (None, None))
            if contact_id is not None and recorded_by != lead.user.pk:
                self.changed_contacts.append(ReferralContact(pk=contact_id, by=lead.user))

    # --- today's bookings ----------------------------------------------------------------

    def book_today(self) -> int:
        """A few of today's open referrals booked (not started) with two staff on shift now."""
        wanted = self.rng.randint(*TODAY_BOOKINGS)
        candidates = list(
            Referral.objects.filter(
                team=self.main,
                status__in=(Status.ACCEPTED, Status.TAKEN),
                person__isnull=False,
                face_to_face_at__isnull=True,
            )
            .select_related("person__gp_practice", "owner", "team")
            .order_by("-status", "received_at", "person__nhs_number")
        )
        first = (self.now + dt.timedelta(minutes=30)).replace(second=0, microsecond=0)
        first += dt.timedelta(minutes=-first.minute % 15)
        made = 0
        for r in candidates:
            if made == wanted:
                break
            for step in range(16):
                start = first + step * dt.timedelta(minutes=30)
                if self.on_shift(self.now, self.now + MINUTE) is None:
                    break
                pair = self.pick_pair_now(start, start + SLOT)
                if pair is not None:
                    self.booking(r, start, pair)
                    made += 1
                    break
        return made

    def pick_pair_now(self, start: dt.datetime, end: dt.datetime) -> tuple[_Member, _Member] | None:
        now_on = self.on_shift(self.now, self.now + MINUTE) or set()
        slot_on = self.on_shift(start, end) or set()
        on = local_date(start)
        pool = [
            m
            for m in self.members
            if m.staff_id in now_on and m.staff_id in slot_on and self.free(m, start, end)
        ]
        leads = [m for m in pool if m.user.role in LEAD_ROLES and m.registered(on)]
        if not leads:
            return None
        # The demo's registered practitioner sign-in, when free, so the demo shows a booking.
        demo = [m for m in leads if m.user.username == "demo.registered_practitioner"]
        lead = demo[0] if demo else self.rng.choice(leads)
        seconds = [m for m in pool if m.profession in SUPPORT_PROFESSIONS] or [
            m for m in leads if m is not lead
        ]
        return (lead, self.rng.choice(seconds)) if seconds else None

    def booking(self, r: Referral, start: dt.datetime, pair: tuple[_Member, _Member]) -> None:
        end = start + SLOT
        for m in pair:
            self.busy[m.staff_id].append((start, end))
        earliest = r.taken_at or r.received_at
        booked_at = max(earliest, self.now - dt.timedelta(minutes=self.rng.uniform(5, 90)))
        booked_at = min(booked_at, self.now).replace(microsecond=0)
        target = next(
            c.target_at
            for c in referral_clocks(r, self.now)
            if c.name in (ClockName.FACE_TO_FACE, ClockName.CRS_RESPONSE)
        )
        venue, address = self.venue(r)
        booked_by = r.owner if r.owner is not None else pair[0].user
        a = Assessment(
            referral=r,
            person=r.person,
            starts_at=start,
            ends_at=end,
            venue=venue,
            venue_address=address,
            booked_by=booked_by,
            clock_breach_acknowledged=(
                "Earliest time two staff on shift are free; the person agreed to it."
                if start > target
                else ""
            ),
        )
        self.assessments.append(a)
        on = local_date(start)
        self.staff_links += [
            AssessmentStaff(
                assessment=a, staff_id=m.staff_id, registered_practitioner=m.registered(on)
            )
            for m in pair
        ]
        self.status(a, AssessmentStatus.BOOKED, booked_by, booked_at)
