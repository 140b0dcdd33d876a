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
    Measure(
        "referrals",
        "Referrals received",
        "Referrals received in the period (by when they were received, in London days), on both "
        "pathways.",
        Kind.COUNT,
        "",
    ),
    Measure(
        "referrer_response_30m",
        "Referrer responded to within 30 minutes",
        "Mental health referrals received in the period whose referrer was responded to within "
        "30 minutes of the referral being received. Left out: a referral declined or closed "
        "within the 30 minutes with no response, and one still inside them.",
        Kind.PROPORTION,
        "up",
        90,
        "CORE item 1",
        "1",
    ),
    Measure(
        "first_contact_same_day",
        "First contact on the day of referral",
        "Mental health referrals received in the period with a first contact with the person "
        "by the end of the London day they were received (or by noon next day for referrals "
        "received after 18:00). Left out: a referral declined or closed before then with no "
        "contact, and one whose time is not up yet.",
        Kind.PROPORTION,
        "up",
        None,
        "LLR crisis team standard",
    ),
    Measure(
        "f2f_4h_very_urgent",
        "Very urgent referrals seen face to face within 4 hours",
        "Very urgent mental health referrals received in the period and seen face to face "
        "within 4 hours of being received (left out: closed before then unseen, or still "
        "inside the 4 hours).",
        Kind.PROPORTION,
        "up",
        None,
        "NHS England crisis access standard",
    ),
    Measure(
        "f2f_24h_urgent",
        "Urgent referrals seen face to face within 24 hours",
        "Urgent mental health referrals received in the period and seen face to face within 24 "
        "hours of being received (left out: closed before then unseen, or still inside the "
        "24 hours).",
        Kind.PROPORTION,
        "up",
        None,
        "NHS England crisis access standard",
    ),
    Measure(
        "crs_2h_response",
        "Council crisis response within 2 hours",
        "Council crisis response referrals received in the period and seen within 2 hours of "
        "being received (left out: closed before then unseen, or still inside the 2 hours).",
        Kind.PROPORTION,
        "up",
        70,
        "2-hour urgent community response",
    ),
    Measure(
        "gatekept_admissions",
        "Admissions gatekept by the team",
        "Psychiatric admissions in the period (by when admitted) that followed the team's "
        "assessment, where the team assessed the person in person before admission.",
        Kind.PROPORTION,
        "up",
        95,
        "Historic national gatekeeping threshold",
        "6",
    ),
    Measure(
        "caseload_per_14_fte",
        "Caseload per 14 clinical staff",
        "The median of the episodes open at the end of each day of the period (up to today), "
        "per 14 clinical staff in the team on the period's last day. Medical and "
        "administrative staff are not counted; staff records hold no hours, so each member "
        "counts as one full-time.",
        Kind.MEDIAN,
        "down",
        25,
        "CORE item 27a",
        "27",
    ),
    Measure(
        "episodes_under_6_weeks",
        "Episodes shorter than 6 weeks",
        "Episodes ending in the period (by when they closed) that lasted under 6 weeks.",
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
        "face-to-face contacts in their first 7 days.",
        Kind.PROPORTION,
        "up",
        50,
        "CORE item 38c",
        "38",
    ),
    Measure(
        "contacts_at_home",
        "Contacts at home",
        "Attended face-to-face contacts in the period (by when they started) that took place "
        "at the person's home.",
        Kind.PROPORTION,
        "up",
        80,
        "CORE item 39",
        "39",
    ),
    Measure(
        "visits_30_minutes",
        "Days seen with a visit of at least 30 minutes",
        "Days (London days) in the period on which a person was seen face to face, and on "
        "which at least one face-to-face contact lasted 30 minutes or more.",
        Kind.PROPORTION,
        "up",
        80,
        "CORE item 21c",
        "21",
    ),
    Measure(
        "written_plan_4_days",
        "Written treatment plan within 4 working days",
        "Episodes starting in the period whose written plan was first given within 4 working "
        "days of the London date they started (weekends and England bank holidays skipped). "
        "Left out: an episode with no plan given yet that is not yet past its due date.",
        Kind.PROPORTION,
        "up",
        None,
        "CORE item 12b",
        "12",
    ),
    Measure(
        "summary_3_days",
        "Discharge summary to the GP within 3 days",
        "Discharges in the period (by when discharged) whose summary to the GP was first sent "
        "by the third day after the discharge date. Left out: no summary sent yet and not yet "
        "due.",
        Kind.PROPORTION,
        "up",
        80,
        "CORE item 34b",
        "34",
    ),
    Measure(
        "follow_up_72h",
        "Followed up within 72 hours of leaving a ward",
        "People leaving a ward in the period into the team's care (early supported discharge, "
        "by when they left) who were seen or spoken to within 72 hours. Left out: not yet "
        "followed up while the 72 hours are still running.",
        Kind.PROPORTION,
        "up",
        80,
        "NHS Standard Contract 72-hour follow-up",
    ),
    Measure(
        "rereferral_28_days",
        "Re-referred or admitted within 28 days of discharge",
        "Discharges in the period (by when discharged) followed by a new referral to a crisis "
        "team or a psychiatric admission within 28 days. Left out: discharges ending in admission or "
        "death, and those under 28 days ago with nothing yet.",
        Kind.PROPORTION,
        "down",
    ),
    Measure(
        "carers_offered_support",
        "Carers offered a conversation of their own",
        "Episodes ending in the period (by when they closed) where the person has a carer "
        "recorded, and a carer was offered a separate conversation about their own needs.",
        Kind.PROPORTION,
        "up",
        None,
        "CORE item 14a",
        "14",
    ),
)

BY_KEY: dict[str, Measure] = {m.key: m for m in MEASURES}
