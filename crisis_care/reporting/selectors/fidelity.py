"""The fidelity criteria the records can evidence, for one team and period.

Figures the dashboard already has come from `selectors.figures.values` (the shared measures:
1b, 1d/1e, 10b/10c, 12b, 14a, 21c, 27a, 34b, 38c, 39a); with the link to the records behind
them on the figure page. Evidence no measure holds is counted here, each with one aggregate
query and one short query for a few records that did not meet it: visit windows and arrivals
(12d–f), written-up notes (33d), needs, goals and interventions (20a, 20c), named workers (36a),
and the aftercare checklist each discharge kept (25a–f). The whole review is a fixed number of
queries, however many records.

Thresholds CORE does not give (12b, 14a, 20a, 20c, 25a–f) are ours: 80%, the figure CORE uses
for most of its record-based criteria. 25a–f count a discharge only where the item applied
(a checklist state of met or missing, not "not applicable").
"""

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlencode

from django.db.models import (
    Case,
    Count,
    DateTimeField,
    Exists,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.urls import reverse

from crisis_care.core.clock import local_date, local_instant
from crisis_care.core.presenters import date_long, time_short
from crisis_care.discharge.models import Discharge
from crisis_care.discharge.selectors.checklist import TITLES as CHECKLIST_TITLES
from crisis_care.treatment.models import CareContact, Episode, Goal, Intervention, Visit
from crisis_care.treatment.models.careplans import MEDICATION_AND_RISK_ONLY
from crisis_care.treatment.services.contacts import ARRIVALS, LATE_MINUTES
from crisis_care.workforce.models import Team

from ..forms import period_query
from ..measures import BY_KEY, Kind
from ..models import FidelityItemScore, FidelityReview
from ..period import Period
from .figures import values as figure_values

EXAMPLES = 5  # records listed under a criterion the records did not meet
OUR_THRESHOLD = 80.0
CHECKLIST_CODES = ("25a", "25b", "25c", "25d", "25e", "25f")


class FigureValue(Protocol):
    """What `selectors.figures.values` returns for one measure and period."""

    @property
    def numerator(self) -> int: ...

    @property
    def denominator(self) -> int | None: ...

    @property
    def value(self) -> float | None: ...


@dataclass(frozen=True)
class Rule:
    """A computed criterion read from a shared measure: met when the value is at least (or,
    for `at_most`, at most) the threshold."""

    measure: str
    threshold: float
    at_most: bool = False


FIGURE_RULES: dict[str, Rule] = {
    "referrer_response_30m": Rule("referrer_response_30m", 90),
    "first_contact_same_day_50": Rule("first_contact_same_day", 50),
    "first_contact_same_day_90": Rule("first_contact_same_day", 90),
    "episodes_under_6_weeks_70": Rule("episodes_under_6_weeks", 70),
    "episodes_under_6_weeks_90": Rule("episodes_under_6_weeks", 90),
    "written_plan_4_days": Rule("written_plan_4_days", OUR_THRESHOLD),
    "carers_offered_support": Rule("carers_offered_support", OUR_THRESHOLD),
    "visits_30_minutes": Rule("visits_30_minutes", 80),
    "caseload_per_14_fte": Rule("caseload_per_14_fte", 25, at_most=True),
    "summary_3_days": Rule("summary_3_days", 80),
    "seen_7_times_week_1": Rule("seen_7_times_week_1", 50),
    "contacts_at_home": Rule("contacts_at_home", 80),
}
MEASURE_KEYS: tuple[str, ...] = tuple(dict.fromkeys(r.measure for r in FIGURE_RULES.values()))


@dataclass(frozen=True)
class RecordRef:
    """One record behind a criterion, described without naming the person."""

    text: str
    episode_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Computed:
    key: str
    met: bool
    figure: str  # "18 of 20 (90%)"
    numerator: int | None = None
    denominator: int | None = None
    value: float | None = None
    threshold: str = ""
    # The shared measure's page (the records behind a figure), or a few records here.
    measure: str = ""
    records: list[RecordRef] = field(default_factory=list)

    def as_evidence(self) -> str:
        return f"{self.figure}; {self.threshold}" if self.threshold else self.figure


def _percent(numerator: int, denominator: int) -> float | None:
    return None if denominator == 0 else 100.0 * numerator / denominator


def _share(numerator: int, denominator: int) -> str:
    pct = _percent(numerator, denominator)
    if pct is None:
        return "No records in the period"
    return f"{numerator} of {denominator} ({pct:.0f}%)"


def _proportion(
    key: str,
    numerator: int,
    denominator: int,
    *,
    at_least: float,
    records: list[RecordRef],
    none_means_met: bool = False,
) -> Computed:
    pct = _percent(numerator, denominator)
    met = none_means_met if pct is None else pct >= at_least
    threshold = "met when all are" if at_least >= 100 else f"met at {at_least:.0f}% or more"
    return Computed(
        key=key,
        met=met,
        figure=_share(numerator, denominator),
        numerator=numerator,
        denominator=denominator,
        value=pct,
        threshold=threshold,
        records=records if pct is not None else [],
    )


def from_figure(key: str, value: FigureValue | None) -> Computed:
    """A criterion read from a shared measure's value (None: the figure is not available)."""
    rule = FIGURE_RULES[key]
    measure = BY_KEY[rule.measure]
    word = "at most" if rule.at_most else "at least"
    unit = "%" if measure.kind == Kind.PROPORTION else ""
    threshold = f"met at {word} {rule.threshold:g}{unit}"
    if value is None or value.value is None:
        figure = "Not available" if value is None else "No records in the period"
        return Computed(key=key, met=False, figure=figure, threshold=threshold, measure=measure.key)
    number = value.value
    met = number <= rule.threshold if rule.at_most else number >= rule.threshold
    if measure.kind == Kind.PROPORTION and value.denominator is not None:
        figure = f"{value.numerator} of {value.denominator} ({number:.0f}%)"
    else:
        figure = f"{number:.1f} open episodes per 14 clinical staff"
        if key == "caseload_per_14_fte" and not met and number <= 30:
            figure += " (partly met: 30 or fewer)"
    return Computed(
        key=key,
        met=met,
        figure=figure,
        numerator=value.numerator,
        denominator=value.denominator,
        value=number,
        threshold=threshold,
        measure=measure.key,
    )


def shared_figures(*, team: Team, period: Period) -> dict[str, FigureValue | None]:
    """The shared measures for the period, from `selectors.figures.values` (a fixed number of
    queries)."""
    out = figure_values(team=team, periods=[period], keys=list(MEASURE_KEYS))
    return {key: (out[key][0] if out.get(key) else None) for key in MEASURE_KEYS}


def figure_url(key: str, *, team: Team, period: Period) -> str:
    """The page of the records behind a shared measure, for this team and period."""
    query = urlencode({"team": str(team.pk), **period_query(period)})
    return f"{reverse('reporting:figure', args=[key])}?{query}"


# -- Our own evidence ---------------------------------------------------------------------


class Seconds(Func):
    """Seconds from one datetime column to another, in native SQL on both engines (Django's own
    datetime subtraction calls a Python function for every row on SQLite)."""

    output_field = FloatField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s)) * 86400.0)",
            arg_joiner=") - julianday(",
            **extra,
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="EXTRACT(EPOCH FROM (%(expressions)s))",
            arg_joiner=" - ",
            **extra,
        )


def _next_midnight(field: str, period: Period) -> Case | Value:
    """The London midnight that ends the day of `field` (an instant in the period), as a
    balanced tree of comparisons with the period's day boundaries: plain SQL, so no time zone
    conversion per row, and right across the clock change."""
    ends = [
        local_instant(period.first + dt.timedelta(days=n + 1), dt.time(0, 0))
        for n in range(period.days)
    ]

    def tree(lo: int, hi: int) -> Case | Value:
        if lo == hi:
            return Value(ends[lo], output_field=DateTimeField())
        mid = (lo + hi) // 2
        return Case(
            When(**{f"{field}__lt": ends[mid]}, then=tree(lo, mid)),
            default=tree(mid + 1, hi),
            output_field=DateTimeField(),
        )

    return tree(0, len(ends) - 1)


def _visits(team: Team, period: Period) -> list[Computed]:
    """12d: planned visits in the period with a window of an hour or less."""
    visits = Visit.objects.filter(
        episode__team=team, window_start__gte=period.start, window_start__lt=period.end
    ).annotate(window=Seconds("window_end", "window_start"))
    short = Q(window__lte=3600)
    counts = visits.aggregate(total=Count("pk"), short=Count("pk", filter=short))
    wide = [
        RecordRef(
            f"Visit on {date_long(v.window_start)}, window {time_short(v.window_start)} to "
            f"{time_short(v.window_end)}",
            v.episode_id,
        )
        for v in visits.exclude(short).order_by("window_start")[:EXAMPLES]
    ]
    return [
        _proportion("visit_windows", counts["short"], counts["total"], at_least=100, records=wide)
    ]


def _contact_ref(c: CareContact, why: str) -> RecordRef:
    return RecordRef(
        f"Contact on {date_long(c.started_at)} at {time_short(c.started_at)}: {why}", c.episode_id
    )


def _contacts(team: Team, period: Period) -> list[Computed]:
    """12e, 12f and 33d from the care contacts in the period."""
    contacts = CareContact.objects.filter(
        episode__team=team, started_at__gte=period.start, started_at__lt=period.end
    )
    arrived = Q(visit__isnull=False, attendance__in=ARRIVALS)
    in_window = arrived & Q(minutes_outside_window__isnull=True)
    late = arrived & Q(minutes_outside_window__gt=LATE_MINUTES)
    phoned = late & Q(phoned_about_lateness=True)
    days = contacts.annotate(day_ends=_next_midnight("started_at", period))
    same_day = Q(note_written_at__isnull=False, note_written_at__lt=F("day_ends"))
    counts = days.aggregate(
        total=Count("pk"),
        arrived=Count("pk", filter=arrived),
        in_window=Count("pk", filter=in_window),
        late=Count("pk", filter=late),
        phoned=Count("pk", filter=phoned),
        same_day=Count("pk", filter=same_day),
    )
    outside = [
        _contact_ref(c, f"{abs(c.minutes_outside_window or 0)} minutes outside the window")
        for c in contacts.filter(arrived & Q(minutes_outside_window__isnull=False)).order_by(
            "started_at"
        )[:EXAMPLES]
    ]
    not_phoned = [
        _contact_ref(c, f"{c.minutes_outside_window} minutes late, not phoned")
        for c in contacts.filter(late & ~Q(phoned_about_lateness=True)).order_by("started_at")[
            :EXAMPLES
        ]
    ]
    late_notes = [
        _contact_ref(
            c,
            "not written up"
            if c.note_written_at is None
            else f"written up on {date_long(local_date(c.note_written_at))}",
        )
        for c in days.exclude(same_day).order_by("started_at")[:EXAMPLES]
    ]
    return [
        _proportion(
            "arrival_in_window",
            counts["in_window"],
            counts["arrived"],
            at_least=80,
            records=outside,
        ),
        _proportion(
            "phoned_when_late",
            counts["phoned"],
            counts["late"],
            at_least=80,
            records=not_phoned,
            none_means_met=True,
        ),
        _proportion(
            "written_up_same_day",
            counts["same_day"],
            counts["total"],
            at_least=90,
            records=late_notes,
        ),
    ]


def _episodes(team: Team, period: Period) -> list[Computed]:
    """20a, 20c and 36a from the episodes open at any time in the period."""
    episodes = Episode.objects.filter(team=team, started_at__lt=period.end).filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=period.start)
    )
    has_goal = Exists(Goal.objects.filter(care_plan__episode=OuterRef("pk")))
    beyond = Exists(
        Intervention.objects.filter(care_plan__episode=OuterRef("pk")).exclude(
            kind__in=MEDICATION_AND_RISK_ONLY
        )
    )
    named = Q(named_worker__isnull=False)
    counts = episodes.aggregate(
        total=Count("pk"),
        goals=Count("pk", filter=Q(has_goal)),
        beyond=Count("pk", filter=Q(beyond)),
        named=Count("pk", filter=named),
    )

    def refs(qs: QuerySet[Episode], why: str) -> list[RecordRef]:
        return [
            RecordRef(f"Episode from {date_long(e.started_at)}: {why}", e.pk)
            for e in qs.order_by("started_at")[:EXAMPLES]
        ]

    return [
        _proportion(
            "needs_and_goals",
            counts["goals"],
            counts["total"],
            at_least=OUR_THRESHOLD,
            records=refs(episodes.exclude(has_goal), "no need and goal recorded"),
        ),
        _proportion(
            "beyond_medication",
            counts["beyond"],
            counts["total"],
            at_least=OUR_THRESHOLD,
            records=refs(episodes.exclude(beyond), "only medicines or safety planning"),
        ),
        _proportion(
            "named_worker",
            counts["named"],
            counts["total"],
            at_least=100,
            records=refs(episodes.exclude(named), "no named worker"),
        ),
    ]


def _checklists(team: Team, period: Period) -> list[Computed]:
    """25a–f from the checklist each discharge in the period kept."""
    discharges = Discharge.objects.filter(
        episode__team=team, discharged_at__gte=period.start, discharged_at__lt=period.end
    )
    aggregates: dict[str, Any] = {}
    missing_any = Q()
    for code in CHECKLIST_CODES:
        met = Q(**{f"checklist__{code}": "met"})
        missing = Q(**{f"checklist__{code}": "missing"})
        aggregates[f"met_{code}"] = Count("pk", filter=met)
        aggregates[f"missing_{code}"] = Count("pk", filter=missing)
        missing_any |= missing
    counts = discharges.aggregate(**aggregates)
    gaps: dict[str, list[RecordRef]] = {code: [] for code in CHECKLIST_CODES}
    for d in discharges.filter(missing_any).order_by("discharged_at")[: EXAMPLES * 6]:
        for code in CHECKLIST_CODES:
            if d.checklist.get(code) == "missing" and len(gaps[code]) < EXAMPLES:
                text = f"Discharged {date_long(d.discharged_at)}: {CHECKLIST_TITLES[code].lower()} missing"
                gaps[code].append(RecordRef(text, d.episode_id))
    return [
        _proportion(
            f"checklist_{code}",
            counts[f"met_{code}"],
            counts[f"met_{code}"] + counts[f"missing_{code}"],
            at_least=OUR_THRESHOLD,
            records=gaps[code],
        )
        for code in CHECKLIST_CODES
    ]


def computed_criteria(
    *, team: Team, period: Period, figures: Mapping[str, FigureValue | None] | None = None
) -> dict[str, Computed]:
    """Every computed criterion by its key (fidelity.COMPUTED_KEYS). `figures` are the shared
    measures' values for the period (read from `selectors.figures` when not given)."""
    shared = figures if figures is not None else shared_figures(team=team, period=period)
    out = {key: from_figure(key, shared.get(rule.measure)) for key, rule in FIGURE_RULES.items()}
    for computed in (
        *_visits(team, period),
        *_contacts(team, period),
        *_episodes(team, period),
        *_checklists(team, period),
    ):
        out[computed.key] = computed
    return out


# -- Saved reviews ------------------------------------------------------------------------


def reviews_for_team(*, team: Team) -> list[FidelityReview]:
    """The team's saved reviews, newest first."""
    return list(FidelityReview.objects.filter(team=team).select_related("saved_by"))


def item_scores(*, reviews: list[FidelityReview]) -> dict[uuid.UUID, dict[int, int]]:
    """{review id: {item: score}} for the reviews given, in one query."""
    out: dict[uuid.UUID, dict[int, int]] = {r.pk: {} for r in reviews}
    rows = FidelityItemScore.objects.filter(review__in=[r.pk for r in reviews]).values_list(
        "review_id", "item", "score"
    )
    for review_id, item, score in rows:
        out[review_id][item] = score
    return out


def review_with_items(*, pk: uuid.UUID) -> tuple[FidelityReview, list[FidelityItemScore]]:
    """One saved review and its item scores (FidelityReview.DoesNotExist if there is none)."""
    review = FidelityReview.objects.select_related("team", "saved_by").get(pk=pk)
    return review, list(review.items.order_by("item"))
