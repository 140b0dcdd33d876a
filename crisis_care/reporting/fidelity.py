"""The CORE crisis resolution team fidelity scale (39 items, 4 sub-scales), as our own
paraphrase of DOMAIN.md §3.4 and §1.5: never the scale's published wording.

Each lettered criterion is either computed from the records (`computed` names the figure in
`selectors.fidelity`, `how` says how) or judged by the reviewer (`how` says what evidence to
look at). Items whose criteria are not sourced (4, 7, 16, 23, 26, 28, 30, 35, 37) have none: the
reviewer scores them 1–5 directly.

Scoring (DOMAIN.md §3.2). Items 1–3 use their known anchors. For the other items the anchors
are not sourced, so we INFER the pattern items 1 and 2 share: all criteria met scores 5, each
criterion short takes one off, never below 1 (items with 4 or more criteria). Items with fewer
than 4 criteria are scored in proportion: 1 + 4 × met ÷ criteria, rounded half up (1 criterion:
met 5, not met 1; 2: 1/3/5; 3: 1/2/4/5). The total is the sum of the 39 item scores (39–195); the
band is high above 156 (a mean above 4, sourced), moderate from 117 (a mean of 3, inferred) and
low below that.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .models import Band

HIGH_ABOVE = 156
MODERATE_FROM = 117
MIN_TOTAL = 39
MAX_TOTAL = 195


@dataclass(frozen=True)
class SubScale:
    key: str
    title: str
    # True where the grouping or its name is our inference (DOMAIN.md §3.1).
    inferred: bool = False


SUBSCALES: tuple[SubScale, ...] = (
    SubScale("referrals-access", "Referrals and access"),
    SubScale("content-delivery", "Content and delivery of care", inferred=True),
    SubScale("staffing-team-procedures", "Staffing and team procedures", inferred=True),
    SubScale("location-timing-help", "Location and timing of help", inferred=True),
)


@dataclass(frozen=True)
class Criterion:
    code: str  # "1a"
    text: str
    # How the system computes it, or what evidence the reviewer should look at.
    how: str
    # The key of the computed figure in selectors.fidelity, or "" when the reviewer judges it.
    computed: str = ""

    @property
    def is_computed(self) -> bool:
        return bool(self.computed)


@dataclass(frozen=True)
class Item:
    number: int
    title: str
    subscale: str
    criteria: tuple[Criterion, ...] = ()
    # Known anchors: score for each number of criteria met (index = met), else None (inferred).
    anchors: tuple[int, ...] | None = None
    # For items without criteria: what the reviewer weighs when scoring 1–5 directly.
    guidance: str = ""
    title_inferred: bool = False

    @property
    def judged_directly(self) -> bool:
        """No sourced criteria: the reviewer gives the 1–5 score."""
        return not self.criteria


def _c(code: str, text: str, how: str, computed: str = "") -> Criterion:
    return Criterion(code, text, how, computed)


_CASE = "Look at case notes and speak to staff."
_ALL = (
    "Only met when people using the service, carers, staff and other services all say so: "
    "record who you spoke to."
)

ITEMS: tuple[Item, ...] = (
    # -- Referrals and access (1–10) ----------------------------------------------------------
    Item(
        1,
        "Quick response to new referrals",
        "referrals-access",
        (
            _c(
                "1a",
                "The team keeps and reviews its response times and looks into breaches.",
                "Check the team can produce its referral response log and acts on breaches.",
            ),
            _c(
                "1b",
                "The person who referred hears back from the team within 30 minutes.",
                "Share of referrals whose referrer was responded to within 30 minutes: met at "
                "90% or more.",
                "referrer_response_30m",
            ),
            _c(
                "1c",
                "At least 9 in 10 suitable referrals are assessed within 4 hours.",
                "Ask for the team's assessment times.",
            ),
            _c(
                "1d",
                "At least half the referrals made before 6pm are seen the same day.",
                "Share of referrals with a first contact the same day (by noon next day after "
                "18:00): met at 50% or more.",
                "first_contact_same_day_50",
            ),
            _c(
                "1e",
                "At least 9 in 10 referrals made before 6pm are seen the same day.",
                "The same figure as 1d: met at 90% or more.",
                "first_contact_same_day_90",
            ),
            _c(
                "1f",
                "The team goes out straight away when the police or ambulance service ask.",
                "Ask the manager and the emergency services.",
            ),
        ),
        anchors=(1, 1, 1, 2, 3, 4, 5),
    ),
    Item(
        2,
        "Easy for every eligible referrer to reach",
        "referrals-access",
        (
            _c("2a", "No forms or paperwork are needed before a referral is taken.", _CASE),
            _c("2b", "Referrers can phone the team directly.", "Check the published number."),
            _c(
                "2c",
                "The team itself decides whether to assess, without asking for another "
                "assessment first.",
                "Ask referrers and the manager.",
            ),
            _c(
                "2d",
                "How to contact and refer to the team is published.",
                "Check the trust's website and directory entries.",
            ),
        ),
        anchors=(1, 2, 3, 4, 5),
    ),
    Item(
        3,
        "Takes referrals from every source",
        "referrals-access",
        (
            _c("3a", "Any secondary mental health service can refer.", "Look at referral logs."),
            _c("3b", "GPs can refer.", "Look at referral logs."),
            _c("3c", "Other health services can refer.", "Look at referral logs."),
            _c("3d", "The emergency services can refer.", "Look at referral logs."),
            _c(
                "3e",
                "Agencies outside health that support people with mental health problems can "
                "refer.",
                "Look at referral logs.",
            ),
            _c("3f", "People already known, and their families, can refer themselves.", _CASE),
            _c("3g", "People new to the service, and their families, can refer themselves.", _CASE),
        ),
        # DOMAIN.md §3.2: all 7 → 5, 6 → 4, 4 → 3, 3 → 2, 2 or fewer → 1. "5 met" is not in the
        # source; we score it 3, like 4 (to be checked against the scale's own PDF).
        anchors=(1, 1, 1, 2, 3, 3, 4, 5),
    ),
    Item(
        4,
        "Considers anyone who would otherwise go into an adult acute ward",
        "referrals-access",
        guidance="Weigh whether the team turns people away for a diagnosis or a problem alone "
        "(for example substance use, dementia, learning disability, personality disorder, "
        "self-harm) rather than for whether they would otherwise be admitted.",
    ),
    Item(
        5,
        "Round-the-clock service, every day",
        "referrals-access",
        (
            _c(
                "5a",
                "The team visits people at home whenever needed, at any hour, seven days a week.",
                "Look at night and weekend rotas and visits.",
            ),
        ),
    ),
    Item(
        6,
        "Gatekeeping fully in place",
        "referrals-access",
        (
            _c("6a", "9 in 10 voluntary admissions are assessed by the team in person.", _CASE),
            _c("6b", "98 in 100 voluntary admissions are assessed by the team in person.", _CASE),
            _c("6c", "Two-thirds of detentions are assessed by the team in person.", _CASE),
            _c("6d", "9 in 10 detentions are assessed by the team in person.", _CASE),
            _c(
                "6e",
                "The team and the wards find and review admissions that were not gatekept.",
                "Ask for the review records.",
            ),
        ),
    ),
    Item(
        7,
        "Helps people leave hospital early",
        "referrals-access",
        guidance="Weigh how often the team takes people home from a ward while they are still in "
        "crisis (about half of discharges in the national study).",
    ),
    Item(
        8,
        "Explains declined referrals and points people elsewhere",
        "referrals-access",
        (
            _c("8a", "There are clear routes for urgent needs the team does not take on.", _CASE),
            _c(
                "8b",
                "The referrer is told why, in writing, by phone or in person, when someone "
                "assessed is not taken on.",
                _CASE,
            ),
            _c(
                "8c",
                "People new to mental health services are put in touch with other help in person.",
                _CASE,
            ),
            _c(
                "8d",
                "Accepted and declined referrals are monitored by referrer, with guidance on "
                "thresholds given.",
                "Ask for the monitoring reports.",
            ),
        ),
    ),
    Item(
        9,
        "Answers calls for help from people on the caseload and their carers",
        "referrals-access",
        (
            _c(
                "9a",
                "Every person has the team's number, and a clinician who can advise answers.",
                _CASE,
            ),
            _c("9b", "9 in 10 calls are answered within an hour.", "Ask for call logs."),
            _c("9c", "9 in 10 calls are answered within 20 minutes.", "Ask for call logs."),
            _c("9d", "Extra visits the same day when needed.", _CASE),
        ),
    ),
    Item(
        10,
        "A distinct crisis service with brief home treatment only",
        "referrals-access",
        (
            _c(
                "10a",
                "Nearly all (95%) of staff time goes on crisis assessment and home treatment.",
                "Ask the manager about other duties (liaison, general assessment, long-term care).",
            ),
            _c(
                "10b",
                "At least 7 in 10 episodes last under 6 weeks.",
                "Share of episodes ending in the period that lasted under 6 weeks: met at 70% "
                "or more.",
                "episodes_under_6_weeks_70",
            ),
            _c(
                "10c",
                "At least 9 in 10 episodes last under 6 weeks.",
                "The same figure as 10b: met at 90% or more.",
                "episodes_under_6_weeks_90",
            ),
            _c("10d", "Most people taken on would otherwise have been admitted.", _ALL),
            _c("10e", "9 in 10 people taken on would otherwise have been admitted.", _ALL),
        ),
    ),
    # -- Content and delivery of care (11–26) -------------------------------------------------
    Item(
        11,
        "A full assessment of everyone taken on",
        "content-delivery",
        (
            _c(
                "11a",
                "A structured assessment records the crisis and its triggers, mental state, "
                "symptoms, medicines and how they are taken, family and friends, daily life "
                "(work, housing, money), substance use, risks, strengths, goals and "
                "preferences, history, carers' views, and faith or spiritual needs.",
                "Read a sample of assessments.",
            ),
            _c(
                "11b",
                "The team keeps trying to assess in person when someone is hard to reach.",
                _CASE,
            ),
        ),
    ),
    Item(
        12,
        "Clear information about treatment plans and visits",
        "content-delivery",
        (
            _c(
                "12a",
                "At the first assessment the person and any carers there get written "
                "information about the team and how to reach it.",
                _CASE,
            ),
            _c(
                "12b",
                "A written treatment plan reaches the person (and involved family) within 4 "
                "working days.",
                "Share of episodes starting in the period with the written plan given within "
                "4 working days: met at 80% or more (our threshold; CORE gives none).",
                "written_plan_4_days",
            ),
            _c(
                "12c",
                "At least 8 in 10 visits are arranged the day before.",
                "Look at when people were told their visit times.",
            ),
            _c(
                "12d",
                "Visits are booked for a set time or a window of an hour at most.",
                "Planned visits in the period whose window is an hour or less: met when all are.",
                "visit_windows",
            ),
            _c(
                "12e",
                "Staff arrive within the planned window for at least 8 in 10 visits.",
                "Planned visits the team arrived at in the period, arriving within the window: "
                "met at 80% or more.",
                "arrival_in_window",
            ),
            _c(
                "12f",
                "When more than 15 minutes late, staff phone the person, at least 8 times in 10.",
                "Visits arrived at more than 15 minutes after the window, with the person "
                "phoned: met at 80% or more (met when no visit was that late).",
                "phoned_when_late",
            ),
        ),
    ),
    Item(
        13,
        "Works closely with family and friends",
        "content-delivery",
        (
            _c("13a", "The people who matter to the person are identified.", _CASE),
            _c("13b", "The team tries to contact at least one of them for everyone.", _CASE),
            _c(
                "13c",
                "With consent, at least one is invited to planning or review meetings.",
                _CASE,
            ),
            _c("13d", "With consent, at least one has a part in the plan.", _CASE),
            _c("13e", "Everyone agrees the team works well with families.", _ALL),
        ),
    ),
    Item(
        14,
        "Looks after carers' own needs",
        "content-delivery",
        (
            _c(
                "14a",
                "Carers are offered a meeting about their own needs, apart from the person.",
                "Share of episodes ending in the period with a carer offered a conversation of "
                "their own: met at 80% or more (our threshold; CORE gives none).",
                "carers_offered_support",
            ),
            _c("14b", "Carers get information about local carers' services.", _CASE),
            _c(
                "14c",
                "A carer's needs and support plan are written down and they get a copy.",
                _CASE,
            ),
            _c(
                "14d",
                "Staff know how to support a carer when the person will not agree to share.",
                "Ask staff.",
            ),
        ),
    ),
    Item(
        15,
        "Reviews, prescribes and delivers medicines",
        "content-delivery",
        (
            _c("15a", "Someone who can review and prescribe is available every day.", "Rotas."),
            _c("15b", "Medicines can be reviewed and prescribed out of hours.", "Rotas."),
            _c("15c", "The team can fetch and deliver medicines up to twice a day.", _CASE),
            _c("15d", "Written medicines policies exist and staff know them.", "Policies."),
        ),
    ),
    Item(
        16,
        "Helps people understand their illness and medicines, and answers worries",
        "content-delivery",
        guidance="Weigh how the team explains the illness and its treatment and takes up "
        "people's concerns about medicines.",
    ),
    Item(
        17,
        "Psychological help",
        "content-delivery",
        (
            _c(
                "17a",
                "A psychologist or accredited CBT therapist works with the team's patients for "
                "at least 0.4 of a full-time post.",
                "Staffing records.",
            ),
            _c("17b", "Staff can offer brief psychological help to people and families.", _CASE),
            _c("17c", "More than 3 in 10 people receive it.", _CASE),
            _c("17d", "A psychologist or CBT therapist advises the team directly.", "Ask staff."),
            _c(
                "17e",
                "At least 8 in 10 staff have psychosocial supervision or training every two "
                "months or more often.",
                "Training records.",
            ),
        ),
    ),
    Item(
        18,
        "Physical health",
        "content-delivery",
        (
            _c(
                "18a",
                "Physical health is asked about and written down at the first assessment (8 in "
                "10).",
                _CASE,
            ),
            _c("18b", "The team helps people get tests and treatment.", _ALL),
            _c(
                "18c",
                "Heart and circulation risk checks are in date for 8 in 10 people at risk who "
                "agree.",
                _CASE,
            ),
            _c(
                "18d",
                "The team has the kit and skills to check weight, blood pressure and urine sugar.",
                "Look at the equipment.",
            ),
        ),
    ),
    Item(
        19,
        "Social and practical problems",
        "content-delivery",
        (
            _c("19a", "Help with basics: food, heating, urgent cleaning or repairs.", _CASE),
            _c("19b", "Help with benefits and urgent debts.", _CASE),
            _c(
                "19c",
                "Help with urgent legal or social trouble (police or courts, a job or home at "
                "risk).",
                _CASE,
            ),
        ),
    ),
    Item(
        20,
        "Care fitted to the individual",
        "content-delivery",
        (
            _c(
                "20a",
                "The person's own needs and goals are written in the assessment or plan.",
                "Episodes open in the period whose care plan records at least one need and "
                "goal: met at 80% or more (our threshold; CORE gives none).",
                "needs_and_goals",
            ),
            _c("20b", "Everyone agrees care reflects the person's own needs and goals.", _ALL),
            _c(
                "20c",
                "Care goes beyond medicines, risk assessment and onward referral.",
                "Episodes open in the period whose care plan has an intervention other than "
                "medicines or safety planning: met at 80% or more (our threshold).",
                "beyond_medication",
            ),
        ),
    ),
    Item(
        21,
        "Visits long enough to talk things through",
        "content-delivery",
        (
            _c(
                "21a",
                "A written policy says at least one visit of 30 minutes or more on any day "
                "someone is visited.",
                "Policies.",
            ),
            _c(
                "21b",
                "Visit length is recorded and watched, and too many short visits are acted on.",
                "Ask the manager how the figure is used.",
            ),
            _c(
                "21c",
                "At least 8 in 10 get a visit of 30 minutes or more on each day they are seen.",
                "Days seen face to face in the period with a visit of 30 minutes or more: met "
                "at 80% or more.",
                "visits_30_minutes",
            ),
            _c("21d", "Visits are not only for pre-planned tasks.", _ALL),
        ),
    ),
    Item(
        22,
        "Good working relationships with people",
        "content-delivery",
        (
            _c("22a", "Recruitment tests how staff relate to people.", "Ask the manager."),
            _c("22b", "Those skills are watched and developed.", "Ask the manager."),
            _c(
                "22c",
                "Feedback was sought in the last year and concerns or complaints acted on.",
                "Feedback and complaint records.",
            ),
            _c("22d", "Staff are caring and professional.", _ALL),
        ),
    ),
    Item(
        23,
        "Choice of where, when and what support",
        "content-delivery",
        guidance="Weigh how far people choose where they are seen, at what times, and the kind "
        "of support.",
    ),
    Item(
        24,
        "Plans for future crises",
        "content-delivery",
        (
            _c("24a", "Partial plans to prevent relapse are made or reviewed.", _CASE),
            _c("24b", "Full relapse prevention plans are made as a matter of course.", _CASE),
            _c("24c", "People are helped to use structured self-management programmes.", _CASE),
            _c(
                "24d",
                "There are ways to make advance statements and to follow those already made.",
                "Policies and case notes.",
            ),
        ),
    ),
    Item(
        25,
        "Aftercare for everyone",
        "content-delivery",
        (
            _c(
                "25a",
                "Before discharge, ending and follow-on plans are agreed with other mental "
                "health services involved.",
                "Discharges in the period whose aftercare checklist had 25a met (where it "
                "applied): met at 80% or more (our threshold; CORE gives none).",
                "checklist_25a",
            ),
            _c(
                "25b",
                "The team refers on for support after discharge wherever more is needed.",
                "As 25a, for 25b.",
                "checklist_25b",
            ),
            _c(
                "25c",
                "A discharge meeting is arranged, with the person and involved family invited.",
                "As 25a, for 25c.",
                "checklist_25c",
            ),
            _c(
                "25d",
                "Other mental health services involved come to the discharge meeting.",
                "As 25a, for 25d.",
                "checklist_25d",
            ),
            _c(
                "25e",
                "The person gets a written discharge plan saying who supports them next.",
                "As 25a, for 25e.",
                "checklist_25e",
            ),
            _c(
                "25f",
                "The person and involved family are told how to get crisis help in future.",
                "As 25a, for 25f.",
                "checklist_25f",
            ),
        ),
    ),
    Item(
        26,
        "An ending that works for people and their families",
        "content-delivery",
        guidance="Weigh whether the end of care is planned with the person and family, with "
        "enough notice, and feels acceptable to them.",
    ),
    # -- Staffing and team procedures (27–36) -------------------------------------------------
    Item(
        27,
        "Staffing levels",
        "staffing-team-procedures",
        (
            _c(
                "27a",
                "The median caseload is 25 or fewer for each 14 full-time clinical staff.",
                "Median open episodes per 14 full-time clinical staff in the period: met at 25 "
                "or fewer (30 or fewer is partly met, shown but not counted).",
                "caseload_per_14_fte",
            ),
            _c("27b", "There are enough staff to assess and visit the same day.", _ALL),
            _c(
                "27c",
                "There are enough staff to treat people at home wherever possible, including "
                "early discharge.",
                _ALL,
            ),
            _c(
                "27d",
                "More than 8 in 10 staff in the last 3 months were permanent, not bank, agency "
                "or locum.",
                "Staffing records.",
            ),
        ),
    ),
    Item(
        28,
        "Medical input (name not sourced)",
        "staffing-team-procedures",
        guidance="The item's name and criteria are not sourced; score on the team's psychiatric "
        "and medical input.",
        title_inferred=True,
    ),
    Item(
        29,
        "A team of many disciplines",
        "staffing-team-procedures",
        (
            _c(
                "29a",
                "At least 8 of 12 groups have dedicated time: nurses, occupational therapists, "
                "psychologists, social workers, psychiatrists, peer workers, support workers, "
                "pharmacists, approved mental health professionals, non-medical prescribers, "
                "family therapists and accredited CBT therapists.",
                "Staffing records.",
            ),
        ),
    ),
    Item(
        30,
        "Supervision (name inferred)",
        "staffing-team-procedures",
        guidance="The item's criteria are not sourced; score on how regularly staff have "
        "individual and group supervision.",
        title_inferred=True,
    ),
    Item(
        31,
        "Assessing and managing risk",
        "staffing-team-procedures",
        (
            _c(
                "31a",
                "A structured risk form is used for 8 in 10, covering self-harm and suicide, "
                "self-neglect, exploitation, harm to others and contact with children or adults "
                "at risk.",
                _CASE,
            ),
            _c(
                "31b",
                "8 in 10 have a plan for each risk: what is done now and what happens if it rises.",
                _CASE,
            ),
            _c("31c", "Plans are reviewed as risks change.", _CASE),
            _c("31d", "8 in 10 staff are in date with safeguarding training.", "Training records."),
            _c("31e", "People at high risk are flagged to the whole team.", "Handover and boards."),
            _c(
                "31f",
                "Staff can stay with someone at home for up to 4 hours when it is exceptional.",
                "Ask the manager.",
            ),
        ),
    ),
    Item(
        32,
        "Keeping staff safe",
        "staffing-team-procedures",
        (
            _c("32a", "Lone working and check-in rules are followed.", "Lone working records."),
            _c(
                "32b",
                "Practical steps for riskier visits (two staff, same-gender staff, meeting on "
                "health premises).",
                _CASE,
            ),
            _c("32c", "8 in 10 staff are in date with safety training.", "Training records."),
            _c(
                "32d", "Staff are debriefed the same day after frightening incidents.", "Ask staff."
            ),
            _c(
                "32e",
                "Serious incidents about staff safety are logged and reviewed at least yearly.",
                "Incident records.",
            ),
        ),
    ),
    Item(
        33,
        "Communication and record keeping",
        "staffing-team-procedures",
        (
            _c("33a", "Every shift hands over to the next.", "Handover records."),
            _c(
                "33b",
                "Each day shift starts with a handover covering everyone on the caseload.",
                "Handover records.",
            ),
            _c(
                "33c",
                "The whole team meets about non-clinical matters at least monthly.",
                "Minutes.",
            ),
            _c(
                "33d",
                "At least 9 in 10 contacts are written up the same day.",
                "Contacts in the period whose note was written on the same London day: met at "
                "90% or more.",
                "written_up_same_day",
            ),
            _c("33e", "Staff can read and write records straight away when out.", "Ask staff."),
        ),
    ),
    Item(
        34,
        "Working with community services",
        "staffing-team-procedures",
        (
            _c(
                "34a",
                "The team talks or meets with involved community staff for 8 in 10.",
                _CASE,
            ),
            _c(
                "34b",
                "Discharge plans and summaries reach the GP and services within 3 days for 8 in "
                "10.",
                "Share of discharges in the period with the summary sent within 3 days: met at "
                "80% or more.",
                "summary_3_days",
            ),
            _c(
                "34c",
                "A link worker visits at least one key community service every month.",
                "Ask the manager.",
            ),
            _c(
                "34d",
                "Crisis and community managers meet at least every two months about pathways.",
                "Minutes.",
            ),
            _c("34e", "Relationships with community services are good.", _ALL),
        ),
    ),
    Item(
        35,
        "Working with inpatient services (name inferred)",
        "staffing-team-procedures",
        guidance="The item's name and criteria are not sourced; score on how the team works "
        "with the wards.",
        title_inferred=True,
    ),
    Item(
        36,
        "Consistent staff",
        "staffing-team-procedures",
        (
            _c(
                "36a",
                "Each person has a named worker for key tasks.",
                "Episodes open in the period with a named worker recorded: met when all have one.",
                "named_worker",
            ),
            _c("36b", "8 in 10 people and carers know who their named worker is.", "Interviews."),
            _c("36c", "There are ways to keep down the number of staff each person sees.", _CASE),
            _c(
                "36d",
                "Staff arrive informed, do not repeat questions and act as one team.",
                _ALL,
            ),
        ),
    ),
    # -- Location and timing of help (37–39) --------------------------------------------------
    Item(
        37,
        "Item 37 (name not sourced)",
        "location-timing-help",
        guidance="The item's name and criteria are not sourced; score from the scale's own "
        "guidance.",
        title_inferred=True,
    ),
    Item(
        38,
        "How often people are visited",
        "location-timing-help",
        (
            _c("38a", "Half or more are visited twice a day on 3 days running.", _CASE),
            _c("38b", "Visits more than twice a day when needed.", _CASE),
            _c(
                "38c",
                "Half or more are seen 7 times or more in their first week.",
                "Episodes starting in the period (a week old) with at least 7 attended contacts "
                "in the first 7 days: met at 50% or more.",
                "seen_7_times_week_1",
            ),
            _c(
                "38d",
                "Half or more are seen 5 times a week on average until visits are planned to "
                "taper.",
                _CASE,
            ),
            _c("38e", "How often people are seen is actively watched.", "Ask the manager."),
        ),
    ),
    Item(
        39,
        "Help given at home",
        "location-timing-help",
        (
            _c(
                "39a",
                "Unless the person would rather be seen elsewhere, 8 in 10 contacts are at home.",
                "Attended face-to-face contacts in the period at the person's home: met at 80% "
                "or more.",
                "contacts_at_home",
            ),
        ),
    ),
)

BY_NUMBER: dict[int, Item] = {item.number: item for item in ITEMS}
COMPUTED_KEYS: tuple[str, ...] = tuple(c.computed for i in ITEMS for c in i.criteria if c.computed)


def item_score(item: Item, met: int) -> int:
    """The item's 1–5 from the number of its criteria met (see the module docstring)."""
    n = len(item.criteria)
    if n == 0:
        raise ValueError(f"Item {item.number} is scored directly by the reviewer")
    if not 0 <= met <= n:
        raise ValueError(f"Item {item.number} has {n} criteria, not {met} met")
    if item.anchors is not None:
        return item.anchors[met]
    if n >= 4:
        return max(1, 5 - (n - met))
    return 1 + (8 * met + n) // (2 * n)  # 1 + round(4 × met ÷ n), halves up


def score_from(item: Item, met: Mapping[str, bool], direct: int | None = None) -> int:
    """Score an item from {criterion code: met}, or the reviewer's direct 1–5 for an item
    without criteria."""
    if item.judged_directly:
        if direct is None or not 1 <= direct <= 5:
            raise ValueError(f"Item {item.number} needs a score from 1 to 5")
        return direct
    return item_score(item, sum(1 for c in item.criteria if met.get(c.code, False)))


def total(scores: Iterable[int]) -> int:
    values = list(scores)
    if len(values) != len(ITEMS) or any(not 1 <= s <= 5 for s in values):
        raise ValueError("A total needs a score from 1 to 5 for each of the 39 items")
    return sum(values)


def band(total_score: int) -> Band:
    if not MIN_TOTAL <= total_score <= MAX_TOTAL:
        raise ValueError(f"A total is between {MIN_TOTAL} and {MAX_TOTAL}")
    if total_score > HIGH_ABOVE:
        return Band.HIGH
    if total_score >= MODERATE_FROM:
        return Band.MODERATE
    return Band.LOW
