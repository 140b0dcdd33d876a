"""The figures: every measure in `measures.MEASURES`, computed from the records by database
aggregation, and the records behind each figure (for drill-down).

`values(team=, periods=)` issues a fixed number of queries however many periods or records:
one grouped query per family of measures that share an anchor (referrals by received time,
episodes by start, episodes by end, care contacts by start, discharges by discharge time,
admissions, ward discharges) and three for the caseload. Each row's period is a bucket index
computed in SQL by comparing its anchor instant with the periods' UTC boundaries (a balanced
tree of CASE WHENs, so it is a handful of comparisons per row however many periods), which
works the same on SQLite and PostgreSQL.

Targets that are not a fixed duration are step functions of the anchor computed in Python from
the rule itself and compared in SQL the same way: the first-contact target
(`referrals.clocks.first_contact_target`: the end of the London day, or noon next day after
18:00) and the written plan's due date (`core.working_days.add_working_days`: 4 working days
after the London date the episode started). So the figures agree with the clocks and pages.

A clock still running (its target not yet passed, nothing recorded) is in neither the numerator
nor the denominator; nor is a referral closed or declined before its target with no contact
(its clock stopped), as on the referral's own page (`referrals.clocks`).
"""

import datetime as dt
import functools
import statistics
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateField,
    DateTimeField,
    Exists,
    Expression,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models import (
    Value as V,
)
from django.db.models.functions import Cast, Coalesce, Concat, TruncDate
from django.db.models.lookups import GreaterThan, GreaterThanOrEqual, LessThan, LessThanOrEqual
from django.utils import timezone

from crisis_care.assessments.models import Outcome as DecisionOutcome
from crisis_care.core.clock import LONDON, local_date, local_instant
from crisis_care.core.working_days import YEARS_HELD, add_working_days
from crisis_care.discharge.models import Discharge, DischargeOutcome, DischargeSummary, ReReferral
from crisis_care.people.models import Contact
from crisis_care.referrals.clocks import (
    CRS_RESPONSE_TARGET,
    FACE_TO_FACE_TARGET,
    REFERRER_RESPONSE_TARGET,
    first_contact_target,
)
from crisis_care.referrals.models import (
    OPEN_STATUSES,
    Pathway,
    Priority,
    Referral,
    Source,
)
from crisis_care.treatment.models import (
    Admission,
    Attendance,
    CareContact,
    CarerConversationOffer,
    Episode,
    Medium,
    VisitLocation,
    WrittenPlanGiven,
)
from crisis_care.workforce.models import Profession, Team, TeamMembership

from ..measures import BY_KEY, MEASURES, Kind
from ..period import Period

# -- The rules' numbers ------------------------------------------------------------------------

EPISODE_SHORT = dt.timedelta(weeks=6)  # CORE item 10
FIRST_WEEK = dt.timedelta(days=7)  # CORE item 38c
FIRST_WEEK_SEEN = 7
VISIT_LONG_ENOUGH = dt.timedelta(minutes=30)  # CORE item 21c
PLAN_WORKING_DAYS = 4  # CORE item 12b
FOLLOW_UP = dt.timedelta(hours=72)  # as discharge.selectors.discharges.FOLLOW_UP_HOURS
# A follow-up is a contact where the person was seen or spoken to (as the discharge pages).
FOLLOW_UP_MEDIA = (Medium.FACE_TO_FACE, Medium.TELEPHONE, Medium.VIDEO)
REREFERRAL_WINDOW = dt.timedelta(days=28)
REREFERRAL_DAYS = 28
STAFF_PER_TEAM = 14  # CORE item 27: caseload per 14 full-time clinical staff
# Clinical staff for CORE item 27: the DH guide's 14 clinical staff exclude medical staff; the
# workforce records hold no FTE or contract, so each member counts as 1.0 full-time.
CLINICAL_PROFESSIONS = (
    Profession.NURSE,
    Profession.SOCIAL_WORKER,
    Profession.OCCUPATIONAL_THERAPIST,
    Profession.PSYCHOLOGIST,
    Profession.NON_MEDICAL_PRESCRIBER,
    Profession.SUPPORT_WORKER,
    Profession.PEER_SUPPORT_WORKER,
)


# -- The shared API ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Value:
    """One figure for one period. Proportions: numerator of denominator. Counts: numerator,
    denominator None. The caseload (kind MEDIAN): numerator the median open episodes (rounded),
    denominator the clinical staff counted, `measured` the median per 14 of them."""

    numerator: int
    denominator: int | None
    measured: float | None = None
    is_median: bool = False

    @property
    def value(self) -> float | None:
        """Percent for proportions, the count for counts, the figure itself for the caseload;
        None when there is nothing to divide by."""
        if self.is_median:
            return self.measured
        if self.denominator is None:
            return float(self.numerator)
        if self.denominator == 0:
            return None
        return 100 * self.numerator / self.denominator


Fact = tuple[str, dt.datetime | dt.date | int | str | bool | None]


@dataclass(frozen=True)
class RecordRow:
    """One record behind a figure: which record, whose, whether it counted as met (None for a
    count) and the facts that decided it, in order."""

    kind: str  # "referral", "episode", "contact", "person-day", "discharge", "admission"
    record_id: uuid.UUID | None
    person_id: uuid.UUID | None
    person_name: str
    nhs_number: str
    at: dt.datetime | dt.date
    met: bool | None
    facts: tuple[Fact, ...]
    # The episode the record belongs to, where there is one (for a link to it).
    episode_id: uuid.UUID | None = None


# -- SQL helpers -------------------------------------------------------------------------------


def _step(
    anchor: str | Expression,
    bounds: Sequence[dt.datetime],
    values: Sequence[Any],
    output_field: Any,
) -> Expression:
    """values[i] for bounds[i-1] <= anchor < bounds[i]; values[-1] (len(bounds) + 1 values)
    at or after the last bound. A balanced tree of CASE WHENs: log2(n) comparisons a row."""
    assert len(values) == len(bounds) + 1

    def build(lo: int, hi: int) -> Expression:
        if lo == hi:
            return V(values[lo], output_field=output_field)
        mid = (lo + hi) // 2
        return Case(
            When(
                LessThan(
                    F(anchor) if isinstance(anchor, str) else anchor,
                    V(bounds[mid], output_field=DateTimeField()),
                ),
                then=build(lo, mid),
            ),
            default=build(mid + 1, hi),
            output_field=output_field,
        )

    return build(0, len(bounds))


def _bucket(anchor: str, periods: Sequence[Period]) -> Expression:
    """The index of the period the anchor falls in (None between periods)."""
    ordered = sorted(enumerate(periods), key=lambda item: item[1].start)
    bounds: list[dt.datetime] = []
    values: list[int | None] = [None]
    for index, period in ordered:
        # Adjacent periods share a bound: add a new one only where there is a gap before it.
        if not bounds or bounds[-1] != period.start:
            bounds.append(period.start)
            values.append(None)
        values[-1] = index
        bounds.append(period.end)
        values.append(None)
    # values has one more entry than bounds; the first (before the first start) is None.
    return _step(anchor, bounds, values, output_field=IntegerField())


def _days(first: dt.date, last: dt.date) -> Iterable[dt.date]:
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


class _EpochSeconds(Func):
    """Whole seconds since 1970 (UTC) of a datetime, computed natively by the database (no
    per-row time zone conversion: SQLite's julianday, PostgreSQL's EXTRACT(EPOCH))."""

    output_field = IntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "CAST(ROUND((julianday(%(expressions)s) - 2440587.5) * 86400.0) AS INTEGER)"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "ROUND(EXTRACT(EPOCH FROM %(expressions)s))::bigint"
        return self.as_sql(compiler, connection, template=template, **extra)


DAY_SECONDS = 86400


def _london_offset(anchor: str | Expression, first: dt.date, last: dt.date) -> Expression:
    """London's offset from UTC in seconds at the anchor instant: a step function with a piece
    for each clock change from the day before `first` to three days after `last` (outside
    that window, the offset at its edge)."""
    day = first - dt.timedelta(days=1)
    end = last + dt.timedelta(days=3)

    def offset(at: dt.datetime) -> int:
        delta = at.astimezone(LONDON).utcoffset()
        return int(delta.total_seconds()) if delta is not None else 0

    start = dt.datetime.combine(day, dt.time(0, 0), tzinfo=dt.UTC)
    bounds: list[dt.datetime] = []
    values: list[int] = [offset(start)]
    while day <= end:
        # London's clocks change at 01:00 UTC.
        at = dt.datetime.combine(day, dt.time(1, 0), tzinfo=dt.UTC)
        if offset(at) != offset(at - dt.timedelta(seconds=1)):
            bounds.append(at)
            values.append(offset(at))
        day += dt.timedelta(days=1)
    if not bounds:
        return V(values[0], output_field=IntegerField())
    return _step(anchor, bounds, values, output_field=IntegerField())


def _local_seconds(anchor: str | Expression, first: dt.date, last: dt.date) -> Expression:
    """The London wall-clock time of the anchor, as seconds since 1970 (so whole London days
    are DAY_SECONDS apart, and the day number is its integer quotient)."""
    expr = F(anchor) if isinstance(anchor, str) else anchor
    return ExpressionWrapper(
        _EpochSeconds(expr) + _london_offset(anchor, first, last), output_field=IntegerField()
    )


def _cutoff_seconds(setting: str) -> int:
    at = dt.time.fromisoformat(settings.CRISIS_CARE[setting])
    return at.hour * 3600 + at.minute * 60 + at.second


def _first_contact_clock(population: Q, first: dt.date, last: dt.date) -> tuple[Q, Q]:
    """(counted, met) for the first-contact clock (referrals.clocks.first_contact_target): by
    the end of the London day the referral was received, or by the next morning's cut-off
    when received after the evening one. Worked out on London wall-clock seconds, so a day is
    a London day on the nights the clocks change (the targets, midnight and noon, are never in
    the repeated hour)."""
    received = _local_seconds("received_at", first, last)
    day_start = ExpressionWrapper(
        received / V(DAY_SECONDS) * V(DAY_SECONDS), output_field=IntegerField()
    )
    late = GreaterThanOrEqual(
        ExpressionWrapper(received - day_start, output_field=IntegerField()),
        V(_cutoff_seconds("FIRST_CONTACT_LATE_AFTER")),
    )
    target = ExpressionWrapper(
        day_start
        + V(DAY_SECONDS)
        + Case(
            When(late, then=V(_cutoff_seconds("FIRST_CONTACT_NEXT_MORNING_BY"))),
            default=V(0),
            output_field=IntegerField(),
        ),
        output_field=IntegerField(),
    )
    stop = "first_contact_at"
    met = Q(**{f"{stop}__isnull": False}) & Q(
        LessThanOrEqual(_local_seconds(stop, first, last), target)
    )
    counted = Q(**{f"{stop}__isnull": False}) | Q(
        GreaterThan(_local_seconds("ended", first, last), target)
    )
    return population & counted, population & met


@functools.lru_cache(maxsize=4096)
def _due(day: dt.date) -> dt.date:
    """add_working_days(day, 4). Outside the years whose bank holidays core.working_days
    holds, it skips weekends only, as that module does, but without its warning for every
    day (a five-year chart asks about every day)."""
    if day.year in YEARS_HELD and (day + dt.timedelta(days=14)).year in YEARS_HELD:
        return add_working_days(day, PLAN_WORKING_DAYS)
    remaining = PLAN_WORKING_DAYS
    while remaining:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            remaining -= 1
    return day


def _plan_due(anchor: str, first: dt.date, last: dt.date) -> Expression:
    """The last day the written plan is in time for an episode started at `anchor`: 4 working
    days after its London start date. Runs of start days sharing a due date are one piece."""
    bounds: list[dt.datetime] = []
    values: list[dt.date | None] = [None]
    for day in _days(first, last):
        due = _due(day)
        if values[-1] != due or not bounds:
            bounds.append(local_instant(day, dt.time(0, 0)))
            values.append(due)
    bounds.append(local_instant(last + dt.timedelta(days=1), dt.time(0, 0)))
    values.append(None)
    return _step(anchor, bounds, values, output_field=DateField())


def _span(periods: Sequence[Period]) -> tuple[dt.date, dt.date]:
    return min(p.first for p in periods), max(p.last for p in periods)


def _in_span(anchor: str, first: dt.date, last: dt.date) -> Q:
    return Q(
        **{
            f"{anchor}__gte": local_instant(first, dt.time(0, 0)),
            f"{anchor}__lt": local_instant(last + dt.timedelta(days=1), dt.time(0, 0)),
        }
    )


# -- Families: one annotated queryset each, and each measure's population and rule ------------


@dataclass(frozen=True)
class _Rule:
    family: str
    counted: Q  # in the denominator (for a count: the records counted)
    met: Q | None  # None for a count
    facts: tuple[tuple[str, str], ...]  # (label, field or annotation) shown with each record


def _clock(stop: str, target: Any, population: Q) -> tuple[Q, Q]:
    """(counted, met) for a response clock stopped by the `stop` column: met when stopped by
    the target; breached when stopped after it, or (not stopped) once the referral closed or
    now is past the target. Running and stopped-early clocks are left out."""
    met = Q(**{f"{stop}__lte": target})
    counted = Q(**{f"{stop}__isnull": False}) | Q(ended__gt=target)
    return population & counted, population & met


def _rules(now: dt.datetime, today: dt.date, span: tuple[dt.date, dt.date]) -> dict[str, _Rule]:
    mh = Q(pathway=Pathway.MENTAL_HEALTH)
    received = F("received_at")
    referrer = _clock("referrer_responded_at", received + REFERRER_RESPONSE_TARGET, mh)
    first = _first_contact_clock(mh, *span)
    very_urgent = _clock(
        "face_to_face_at",
        received + FACE_TO_FACE_TARGET[Priority.VERY_URGENT],
        mh & Q(priority=Priority.VERY_URGENT),
    )
    urgent = _clock(
        "face_to_face_at",
        received + FACE_TO_FACE_TARGET[Priority.URGENT],
        mh & Q(priority=Priority.URGENT),
    )
    crs = _clock("face_to_face_at", received + CRS_RESPONSE_TARGET, Q(pathway=Pathway.COUNCIL_CRS))
    plan_met = Q(plan_given_on__lte=F("plan_due"))
    summary_met = Q(summary_sent_on__lte=F("summary_due_on"))
    follow_met = Q(followed_up_at__lte=F("discharged_at") + FOLLOW_UP)
    back = Q(referred_again=True) | Q(readmitted=True)
    community = ~Q(outcome__in=[DischargeOutcome.ADMITTED, DischargeOutcome.DIED])
    carer = Q(has_carer=True) | Q(carer_offered=True)
    received_facts = (("Received", "received_at"), ("Priority", "priority"))
    return {
        "referrals": _Rule(
            "referrals", Q(), None, (*received_facts, ("Source", "source"), ("Status", "status"))
        ),
        "referrer_response_30m": _Rule(
            "referrals",
            *referrer,
            (*received_facts, ("Referrer responded to", "referrer_responded_at")),
        ),
        "first_contact_same_day": _Rule(
            "referrals",
            *first,
            (
                *received_facts,
                ("First contact due by", "first_contact_target"),
                ("First contact", "first_contact_at"),
            ),
        ),
        "f2f_4h_very_urgent": _Rule(
            "referrals", *very_urgent, (*received_facts, ("Seen face to face", "face_to_face_at"))
        ),
        "f2f_24h_urgent": _Rule(
            "referrals", *urgent, (*received_facts, ("Seen face to face", "face_to_face_at"))
        ),
        "crs_2h_response": _Rule(
            "referrals", *crs, (("Received", "received_at"), ("Responded", "face_to_face_at"))
        ),
        "gatekept_admissions": _Rule(
            "admissions",
            Q(),
            Q(decision__gatekept_in_person=True),
            (
                ("Admitted", "admitted_at"),
                ("Ward", "ward"),
                ("Legal status", "legal_status"),
                ("Assessed in person by the team", "decision__gatekept_in_person"),
                ("Why not", "decision__gatekeeping_failure_reason"),
            ),
        ),
        "episodes_under_6_weeks": _Rule(
            "episodes_ended",
            Q(),
            Q(closed_at__lt=F("started_at") + EPISODE_SHORT),
            (("Started", "started_at"), ("Ended", "closed_at")),
        ),
        "seen_7_times_week_1": _Rule(
            "episodes_started",
            Q(started_at__lte=now - FIRST_WEEK),
            Q(started_at__lte=now - FIRST_WEEK, seen_first_week__gte=FIRST_WEEK_SEEN),
            (
                ("Started", "started_at"),
                ("Seen face to face in the first 7 days", "seen_first_week"),
            ),
        ),
        "contacts_at_home": _Rule(
            "contacts",
            Q(),
            Q(location=VisitLocation.HOME),
            (("Contact", "started_at"), ("Where", "location")),
        ),
        "visits_30_minutes": _Rule(
            "person_days",
            Q(),
            Q(long_visits__gt=0),
            (("Face-to-face contacts", "contacts"), ("Of 30 minutes or more", "long_visits")),
        ),
        "written_plan_4_days": _Rule(
            "episodes_started",
            plan_met | Q(plan_due__lt=today),
            plan_met,
            (
                ("Started", "started_at"),
                ("Plan due by", "plan_due"),
                ("Plan first given", "plan_given_on"),
            ),
        ),
        "summary_3_days": _Rule(
            "discharges",
            summary_met | Q(summary_due_on__lt=today),
            summary_met,
            (
                ("Discharged", "discharged_at"),
                ("Summary due by", "summary_due_on"),
                ("Summary first sent", "summary_sent_on"),
            ),
        ),
        "follow_up_72h": _Rule(
            "ward_discharges",
            follow_met | Q(followed_up_at__isnull=False) | Q(discharged_at__lt=now - FOLLOW_UP),
            follow_met,
            (("Left the ward", "discharged_at"), ("Followed up", "followed_up_at")),
        ),
        "rereferral_28_days": _Rule(
            "discharges",
            community & (back | Q(discharged_at__lte=now - REREFERRAL_WINDOW)),
            community & back,
            (
                ("Discharged", "discharged_at"),
                ("Referred again within 28 days", "referred_again"),
                ("Admitted within 28 days", "readmitted"),
            ),
        ),
        "carers_offered_support": _Rule(
            "episodes_ended",
            carer,
            Q(carer_offered=True),
            (("Ended", "closed_at"), ("Carer recorded", "has_carer"), ("Offered", "carer_offered")),
        ),
    }


def _referrals(team: Team, first: dt.date, last: dt.date, now: dt.datetime) -> QuerySet[Any]:
    return Referral.objects.filter(_in_span("received_at", first, last), team=team).annotate(
        ended=Case(
            When(status__in=OPEN_STATUSES, then=V(now)),
            default=Coalesce("closed_at", V(now)),
            output_field=DateTimeField(),
        ),
    )


def _admissions(team: Team, first: dt.date, last: dt.date, now: dt.datetime) -> QuerySet[Any]:
    """Psychiatric admissions decided by the team after an assessment (an admission recorded
    when a ward refers for early discharge has no decision: the team did not gatekeep it)."""
    return Admission.objects.filter(
        _in_span("admitted_at", first, last),
        decision__isnull=False,
        decision__outcome=DecisionOutcome.ADMISSION,
        decision__assessment__referral__team=team,
    )


def _episodes_started(team: Team, first: dt.date, last: dt.date, now: dt.datetime) -> QuerySet[Any]:
    seen = (
        CareContact.objects.filter(
            episode_id=OuterRef("pk"),
            attendance=Attendance.ATTENDED,
            medium=Medium.FACE_TO_FACE,
            started_at__gte=OuterRef("started_at"),
            started_at__lt=OuterRef("started_at") + FIRST_WEEK,
        )
        .order_by()
        .values("episode_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    given = (
        WrittenPlanGiven.objects.filter(care_plan__episode_id=OuterRef("pk"))
        .order_by()
        .values("care_plan__episode_id")
        .annotate(first=Min("given_on"))
        .values("first")
    )
    return Episode.objects.filter(_in_span("started_at", first, last), team=team).annotate(
        seen_first_week=Coalesce(Subquery(seen), V(0)),
        plan_given_on=Subquery(given, output_field=DateField()),
        plan_due=_plan_due("started_at", first, last),
    )


def _episodes_ended(team: Team, first: dt.date, last: dt.date, now: dt.datetime) -> QuerySet[Any]:
    return Episode.objects.filter(_in_span("closed_at", first, last), team=team).annotate(
        has_carer=Exists(Contact.objects.filter(person_id=OuterRef("person_id"), is_carer=True)),
        carer_offered=Exists(CarerConversationOffer.objects.filter(episode_id=OuterRef("pk"))),
    )


def _contacts(team: Team, first: dt.date, last: dt.date, now: dt.datetime) -> QuerySet[Any]:
    """Attended face-to-face contacts of the team's episodes."""
    return CareContact.objects.filter(
        _in_span("started_at", first, last),
        episode__team=team,
        attendance=Attendance.ATTENDED,
        medium=Medium.FACE_TO_FACE,
    )


def _discharges(team: Team, first: dt.date, last: dt.date, now: dt.datetime) -> QuerySet[Any]:
    sent = (
        DischargeSummary.objects.filter(episode_id=OuterRef("episode_id"))
        .order_by()
        .values("episode_id")
        .annotate(first=Min("sent_on"))
        .values("first")
    )
    window_end = OuterRef("discharged_at") + REREFERRAL_WINDOW
    return Discharge.objects.filter(
        _in_span("discharged_at", first, last), episode__team=team
    ).annotate(
        summary_sent_on=Subquery(sent, output_field=DateField()),
        referred_again=ExpressionWrapper(
            Q(
                Exists(
                    ReReferral.objects.filter(
                        episode_id=OuterRef("episode_id"),
                        days_after_discharge__lte=REREFERRAL_DAYS,
                    )
                )
            )
            | Q(
                Exists(
                    Referral.objects.filter(
                        person_id=OuterRef("episode__person_id"),
                        received_at__gt=OuterRef("discharged_at"),
                        received_at__lte=window_end,
                    )
                )
            ),
            output_field=BooleanField(),
        ),
        readmitted=Exists(
            Admission.objects.filter(
                person_id=OuterRef("episode__person_id"),
                admitted_at__gt=OuterRef("discharged_at"),
                admitted_at__lte=window_end,
            )
        ),
    )


def _ward_discharges(team: Team, first: dt.date, last: dt.date, now: dt.datetime) -> QuerySet[Any]:
    """Ward discharges into the team's care (early supported discharge) with the first contact
    after them, as the discharge pages' 72-hour follow-up list."""
    followed = Subquery(
        CareContact.objects.filter(
            episode__person_id=OuterRef("person_id"),
            attendance=Attendance.ATTENDED,
            medium__in=FOLLOW_UP_MEDIA,
            started_at__gte=OuterRef("discharged_at"),
        )
        .order_by("started_at")
        .values("started_at")[:1]
    )
    return Admission.objects.filter(
        Exists(Episode.objects.filter(early_discharge_from=OuterRef("pk"), team=team)),
        _in_span("discharged_at", first, last),
    ).annotate(followed_up_at=followed)


_ANCHOR = {
    "referrals": "received_at",
    "admissions": "admitted_at",
    "episodes_started": "started_at",
    "episodes_ended": "closed_at",
    "contacts": "started_at",
    "person_days": "started_at",
    "discharges": "discharged_at",
    "ward_discharges": "discharged_at",
}
_QUERYSETS: dict[str, Callable[[Team, dt.date, dt.date, dt.datetime], QuerySet[Any]]] = {
    "referrals": _referrals,
    "admissions": _admissions,
    "episodes_started": _episodes_started,
    "episodes_ended": _episodes_ended,
    "contacts": _contacts,
    "person_days": _contacts,
    "discharges": _discharges,
    "ward_discharges": _ward_discharges,
}


def _day_number(anchor: str, first: dt.date, last: dt.date) -> Expression:
    """The London day the anchor falls on, as a day number."""
    return ExpressionWrapper(
        _local_seconds(anchor, first, last) / V(DAY_SECONDS), output_field=IntegerField()
    )


def _person_day(first: dt.date, last: dt.date) -> Expression:
    """One value per person and London day, to count the days each person was seen."""
    return Concat(
        Cast("episode__person_id", CharField()),
        V("/"),
        Cast(_day_number("started_at", first, last), CharField()),
        output_field=CharField(),
    )


def _long() -> Q:
    return Q(ended_at__gte=F("started_at") + VISIT_LONG_ENOUGH)


# -- values() ----------------------------------------------------------------------------------


def values(
    *,
    team: Team,
    periods: list[Period],
    keys: Iterable[str] | None = None,
    now: dt.datetime | None = None,
) -> dict[str, list[Value]]:
    """Every measure (or those `keys`) for every period, in the periods' order."""
    wanted = list(keys) if keys is not None else [m.key for m in MEASURES]
    unknown = [k for k in wanted if k not in BY_KEY]
    if unknown:
        raise KeyError(f"No such measure: {', '.join(unknown)}")
    if not periods:
        return {k: [] for k in wanted}
    now = now or timezone.now()
    first, last = _span(periods)
    rules = _rules(now, local_date(now), (first, last))
    out: dict[str, list[Value]] = {}
    families: dict[str, list[str]] = defaultdict(list)
    for key in wanted:
        if key == "caseload_per_14_fte":
            out[key] = _caseload(team=team, periods=periods, now=now)
        else:
            families[rules[key].family].append(key)
    # The days seen are counted in the same query as the contacts.
    if "person_days" in families:
        families["contacts"] += families.pop("person_days")
    for family, keys_here in families.items():
        qs = _QUERYSETS[family](team, first, last, now).annotate(
            bucket=_bucket(_ANCHOR[family], periods)
        )
        aggregates: dict[str, Any] = {}
        for key in keys_here:
            rule = rules[key]
            if rule.family == "person_days":
                day = _person_day(first, last)
                aggregates[f"{key}__den"] = Count(day, distinct=True)
                aggregates[f"{key}__num"] = Count(day, distinct=True, filter=_long())
                continue
            aggregates[f"{key}__den"] = (
                Count("pk", filter=rule.counted) if rule.counted else Count("pk")
            )
            if rule.met is not None:
                # Every rule's met implies counted, so the numerator filters on met alone.
                aggregates[f"{key}__num"] = Count("pk", filter=rule.met)
        rows = {
            row["bucket"]: row
            for row in qs.order_by().values("bucket").annotate(**aggregates)
            if row["bucket"] is not None
        }
        for key in keys_here:
            series: list[Value] = []
            for index in range(len(periods)):
                row = rows.get(index, {})
                den = int(row.get(f"{key}__den", 0))
                if BY_KEY[key].kind is Kind.COUNT:
                    series.append(Value(numerator=den, denominator=None))
                else:
                    series.append(Value(numerator=int(row.get(f"{key}__num", 0)), denominator=den))
            out[key] = series
    return {k: out[k] for k in wanted}


def _caseload(*, team: Team, periods: list[Period], now: dt.datetime) -> list[Value]:
    """Open episodes at the end of each London day (to today), their median in each period,
    per 14 clinical staff in the team on the period's last day. Three queries: episodes open
    when the first period starts, starts and ends grouped by London date."""
    first, last = _span(periods)
    start = local_instant(first, dt.time(0, 0))
    episodes = Episode.objects.filter(team=team)
    open_at_start = (
        episodes.filter(started_at__lt=start)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=start))
        .count()
    )
    span = _in_span("started_at", first, last)
    starts = dict(
        episodes.filter(span)
        .annotate(day=TruncDate("started_at", tzinfo=LONDON))
        .order_by()
        .values("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    ends = dict(
        episodes.filter(_in_span("closed_at", first, last))
        .annotate(day=TruncDate("closed_at", tzinfo=LONDON))
        .order_by()
        .values("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    staff = TeamMembership.objects.filter(team=team, staff__profession__in=CLINICAL_PROFESSIONS)
    counts = staff.aggregate(
        **{
            f"p{i}": Count(
                "staff",
                distinct=True,
                filter=Q(started_on__lte=p.last)
                & (Q(ended_on__isnull=True) | Q(ended_on__gte=p.last)),
            )
            for i, p in enumerate(periods)
        }
    )
    today = local_date(now)
    open_on: dict[dt.date, int] = {}
    running = open_at_start
    for day in _days(first, min(last, today)):
        running += starts.get(day, 0) - ends.get(day, 0)
        open_on[day] = running
    out: list[Value] = []
    for i, period in enumerate(periods):
        daily = [open_on[d] for d in _days(period.first, period.last) if d in open_on]
        fte = int(counts[f"p{i}"] or 0)
        if not daily:
            out.append(Value(numerator=0, denominator=fte, measured=None, is_median=True))
            continue
        median = float(statistics.median(daily))
        out.append(
            Value(
                numerator=round(median),
                denominator=fte,
                measured=median * STAFF_PER_TEAM / fte if fte else None,
                is_median=True,
            )
        )
    return out


# -- records() ---------------------------------------------------------------------------------


def records(
    *, key: str, team: Team, period: Period, now: dt.datetime | None = None
) -> list[RecordRow]:
    """The records behind one figure for one period: not met first (oldest first), then met.
    A fixed number of queries."""
    if key not in BY_KEY:
        raise KeyError(f"No such measure: {key}")
    now = now or timezone.now()
    if key == "caseload_per_14_fte":
        return _caseload_records(team=team, period=period)
    rule = _rules(now, local_date(now), (period.first, period.last))[key]
    qs = _QUERYSETS[rule.family](team, period.first, period.last, now)
    if rule.family == "person_days":
        return _person_day_records(qs)
    person = "episode__person" if rule.family in ("contacts", "discharges") else "person"
    if rule.met is not None:
        qs = qs.annotate(
            met=Case(When(rule.met, then=V(True)), default=V(False), output_field=BooleanField())
        )
    fields = [name for _label, name in rule.facts]
    rows = qs.filter(rule.counted).values(
        "pk",
        _ANCHOR[rule.family],
        f"{person}_id",
        f"{person}__given_name",
        f"{person}__family_name",
        f"{person}__nhs_number",
        *(["met"] if rule.met is not None else []),
        *(f for f in fields if f != _ANCHOR[rule.family] and f not in _COMPUTED),
        *(["submitted_details"] if rule.family == "referrals" else []),
        *(["episode_id"] if rule.family in ("contacts", "discharges") else []),
    )
    kind = {
        "referrals": "referral",
        "admissions": "admission",
        "episodes_started": "episode",
        "episodes_ended": "episode",
        "contacts": "contact",
        "discharges": "discharge",
        "ward_discharges": "admission",
    }[rule.family]
    out = [
        RecordRow(
            kind=kind,
            record_id=row["pk"],
            person_id=row[f"{person}_id"],
            person_name=_name(
                row[f"{person}__given_name"],
                row[f"{person}__family_name"],
                row.get("submitted_details"),
            ),
            nhs_number=row[f"{person}__nhs_number"] or "",
            at=row[_ANCHOR[rule.family]],
            met=row["met"] if rule.met is not None else None,
            facts=tuple(
                (label, _COMPUTED[name](row) if name in _COMPUTED else row[name])
                for label, name in rule.facts
            ),
            episode_id=row["episode_id"]
            if "episode_id" in row
            else (row["pk"] if kind == "episode" else None),
        )
        for row in rows
    ]
    out.sort(key=lambda r: (r.met is True, r.at))
    return out


# Facts shown with a record that are worked out in Python from the row (not columns).
_COMPUTED: dict[str, Callable[[dict[str, Any]], Any]] = {
    "first_contact_target": lambda row: first_contact_target(row["received_at"]),
}


def _name(given: str | None, family: str | None, details: Any) -> str:
    if given or family:
        return f"{given or ''} {family or ''}".strip()
    if isinstance(details, dict):
        typed = f"{details.get('given_name', '')} {details.get('family_name', '')}".strip()
        if typed:
            return typed
    return "Name not given"


def _person_day_records(qs: QuerySet[Any]) -> list[RecordRow]:
    """Each day a person was seen face to face, with their contacts and the long ones."""
    rows = (
        qs.annotate(day=TruncDate("started_at", tzinfo=LONDON))
        .order_by()
        .values(
            "day",
            "episode__person_id",
            "episode__person__given_name",
            "episode__person__family_name",
            "episode__person__nhs_number",
        )
        .annotate(
            contacts=Count("pk"),
            long_visits=Count("pk", filter=_long()),
            longest=Max(F("ended_at")),
        )
    )
    out = [
        RecordRow(
            kind="person-day",
            record_id=None,
            person_id=row["episode__person_id"],
            person_name=_name(
                row["episode__person__given_name"], row["episode__person__family_name"], None
            ),
            nhs_number=row["episode__person__nhs_number"] or "",
            at=_as_date(row["day"]),
            met=row["long_visits"] > 0,
            facts=(
                ("Face-to-face contacts", row["contacts"]),
                ("Of 30 minutes or more", row["long_visits"]),
            ),
        )
        for row in rows
    ]
    out.sort(key=lambda r: (r.met is True, r.at, r.person_name))
    return out


def _as_date(day: Any) -> dt.date:
    if isinstance(day, dt.date):
        return day
    return dt.date.fromisoformat(str(day))


def _caseload_records(*, team: Team, period: Period) -> list[RecordRow]:
    """The episodes open at some time in the period (the caseload counted day by day)."""
    rows = (
        Episode.objects.filter(team=team, started_at__lt=period.end)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=period.start))
        .values(
            "pk",
            "started_at",
            "closed_at",
            "person_id",
            "person__given_name",
            "person__family_name",
            "person__nhs_number",
        )
        .order_by("started_at")
    )
    return [
        RecordRow(
            kind="episode",
            record_id=row["pk"],
            person_id=row["person_id"],
            person_name=_name(row["person__given_name"], row["person__family_name"], None),
            nhs_number=row["person__nhs_number"] or "",
            at=row["started_at"],
            met=None,
            facts=(("Started", row["started_at"]), ("Ended", row["closed_at"])),
            episode_id=row["pk"],
        )
        for row in rows
    ]


# -- Breakdowns --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Breakdown:
    by_source: list[tuple[str, int]]
    by_priority: list[tuple[str, int]]
    total: int


def referral_breakdown(*, team: Team, period: Period) -> Breakdown:
    """Referrals received in the period by source and by triage priority (two queries), every
    source and priority listed (0 when none)."""
    qs = Referral.objects.filter(_in_span("received_at", period.first, period.last), team=team)
    sources = dict(
        qs.order_by().values("source").annotate(n=Count("pk")).values_list("source", "n")
    )
    priorities = dict(
        qs.order_by().values("priority").annotate(n=Count("pk")).values_list("priority", "n")
    )
    return Breakdown(
        by_source=[(str(label), sources.get(code, 0)) for code, label in Source.choices],
        by_priority=[(str(label), priorities.get(code, 0)) for code, label in Priority.choices],
        total=sum(sources.values()),
    )
