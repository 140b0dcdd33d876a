"""The catalogue of measures: what each figure counts, how, and against which standard. The
dashboard, the SPC charts and the fidelity self-review all read figures through
`selectors.figures` by these keys, so a measure is defined once.

Each measure is a proportion (numerator of denominator, shown as a percentage) or a count
(numerator only). `better` says which direction is an improvement (for SPC icons)."""

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    PROPORTION = "proportion"
    COUNT = "count"
    MEDIAN = "median"


@dataclass(frozen=True)
class Measure:
    key: str
    title: str
    # How it is computed, in plain words, shown under the figure.
    definition: str
    kind: Kind
    better: str  # "up", "down" or "" (neither)
    target: float | None = None  # percent for proportions
    standard: str = ""  # where the target comes from
    core_item: str = ""  # e.g. "12b"


MEASURES: tuple[Measure, ...] = (
    Measure("referrals", "Referrals received", "Referrals received in the period.", Kind.COUNT, ""),
    Measure(
        "referrer_response_30m",
        "Referrer responded to within 30 minutes",
        "Referrals whose referrer was responded to within 30 minutes of the referral being "
        "received, of referrals received in the period.",
        Kind.PROPORTION,
        "up",
        90,
        "CORE item 1",
        "1",
    ),
    Measure(
        "first_contact_same_day",
        "First contact on the day of referral",
        "Referrals with a first contact the same day (or by noon next day for referrals after "
        "18:00), of referrals received in the period.",
        Kind.PROPORTION,
        "up",
        None,
        "LLR crisis team standard",
    ),
    Measure(
        "f2f_4h_very_urgent",
        "Very urgent referrals seen face to face within 4 hours",
        "Very urgent referrals seen face to face within 4 hours of being received.",
        Kind.PROPORTION,
        "up",
        None,
        "NHS England crisis access standard",
    ),
    Measure(
        "f2f_24h_urgent",
        "Urgent referrals seen face to face within 24 hours",
        "Urgent referrals seen face to face within 24 hours of being received.",
        Kind.PROPORTION,
        "up",
        None,
        "NHS England crisis access standard",
    ),
    Measure(
        "crs_2h_response",
        "Council crisis response within 2 hours",
        "Council crisis response referrals responded to within 2 hours.",
        Kind.PROPORTION,
        "up",
        70,
        "2-hour urgent community response",
    ),
    Measure(
        "gatekept_admissions",
        "Admissions gatekept by the team",
        "Psychiatric admissions assessed in person by the team before admission.",
        Kind.PROPORTION,
        "up",
        95,
        "Historic national gatekeeping threshold",
        "6",
    ),
    Measure(
        "caseload_per_14_fte",
        "Caseload per 14 clinical staff",
        "Median open episodes on each day of the period, per 14 full-time clinical staff.",
        Kind.MEDIAN,
        "down",
        25,
        "CORE item 27a",
        "27",
    ),
    Measure(
        "episodes_under_6_weeks",
        "Episodes shorter than 6 weeks",
        "Episodes ending in the period that lasted under 6 weeks.",
        Kind.PROPORTION,
        "up",
        90,
        "CORE item 10c",
        "10",
    ),
    Measure(
        "seen_7_times_week_1",
        "Seen at least 7 times in the first week",
        "Episodes starting in the period (and at least a week old) with at least 7 attended "
        "contacts in their first 7 days.",
        Kind.PROPORTION,
        "up",
        50,
        "CORE item 38c",
        "38",
    ),
    Measure(
        "contacts_at_home",
        "Contacts at home",
        "Attended face-to-face contacts in the period that took place at the person's home.",
        Kind.PROPORTION,
        "up",
        80,
        "CORE item 39",
        "39",
    ),
    Measure(
        "visits_30_minutes",
        "Days seen with a visit of at least 30 minutes",
        "Days on which a person was seen face to face in the period, and on which at least one "
        "visit lasted 30 minutes or more.",
        Kind.PROPORTION,
        "up",
        80,
        "CORE item 21c",
        "21",
    ),
    Measure(
        "written_plan_4_days",
        "Written treatment plan within 4 working days",
        "Episodes starting in the period whose written plan was given within 4 working days.",
        Kind.PROPORTION,
        "up",
        None,
        "CORE item 12b",
        "12",
    ),
    Measure(
        "summary_3_days",
        "Discharge summary to the GP within 3 days",
        "Discharges in the period whose summary was sent within 3 days.",
        Kind.PROPORTION,
        "up",
        80,
        "CORE item 34b",
        "34",
    ),
    Measure(
        "follow_up_72h",
        "Followed up within 72 hours of leaving a ward",
        "Ward discharges into the team's care in the period followed up within 72 hours.",
        Kind.PROPORTION,
        "up",
        80,
        "NHS Standard Contract 72-hour follow-up",
    ),
    Measure(
        "rereferral_28_days",
        "Re-referred or admitted within 28 days of discharge",
        "Discharges in the period followed by a re-referral or an admission within 28 days.",
        Kind.PROPORTION,
        "down",
    ),
    Measure(
        "carers_offered_support",
        "Carers offered a conversation of their own",
        "Episodes ending in the period where a carer was identified and offered a separate "
        "conversation about their own needs.",
        Kind.PROPORTION,
        "up",
        None,
        "CORE item 14a",
        "14",
    ),
)

BY_KEY: dict[str, Measure] = {m.key: m for m in MEASURES}
